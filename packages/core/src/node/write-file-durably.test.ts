import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectories } from '../__fixtures__/test-project.js';
import { writeFileDurably } from './write-file-durably.js';

const directories = temporaryDirectories();

describe('writeFileDurably', () => {
  it('replaces the content and leaves no temp file', async () => {
    const dir = await directories.create();
    const file = path.join(dir, 'voices.lock');
    await writeFile(file, 'old\n');
    await writeFileDurably(file, 'new\n');
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect(await readdir(dir)).toEqual(['voices.lock']);
  });

  it('creates a file with the mode asked for', async () => {
    const dir = await directories.create();
    const file = path.join(dir, 'voices.lock');
    await writeFileDurably(file, 'x', { mode: 0o600 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('fails without leaving its temp file behind, and without touching what was there', async () => {
    const dir = await directories.create();
    // Renaming a file over a non-empty folder fails after the temp file is written and synced.
    const target = path.join(dir, 'voices.lock');
    await mkdir(path.join(target, 'inside'), { recursive: true });
    await expect(writeFileDurably(target, 'new\n')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['voices.lock']);
    expect((await stat(target)).isDirectory()).toBe(true);
  });
});
