import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectories } from '../__fixtures__/test-project.js';
import { createOutputGuard, OutputPathError } from './output-guard.js';

const directories = temporaryDirectories();

/** A project folder and, beside it, a folder standing for the rest of the disk. */
async function setup() {
  const root = await directories.create();
  const project = path.join(root, 'project');
  const outside = path.join(root, 'outside');
  await mkdir(project);
  await mkdir(outside);
  return { project, outside, guard: createOutputGuard({ projectDir: project, outputDir: 'out' }) };
}

describe('createOutputGuard: prepareWrite', () => {
  it('creates the folders of a file inside the output folder', async () => {
    const { project, guard } = await setup();
    const file = path.join(project, 'out/intro/deep/0001.wav');
    expect(await guard.prepareWrite(file)).toBe(file);
    expect(await readdir(path.join(project, 'out/intro/deep'))).toEqual([]);
  });

  it('refuses a file outside the output folder', async () => {
    const { project, guard } = await setup();
    await expect(guard.prepareWrite(path.join(project, 'voices.wav'))).rejects.toThrow(/refused to write voices\.wav: it is outside the output folder out/);
    await expect(guard.prepareWrite(path.join(project, 'out/../../x.wav'))).rejects.toThrow(OutputPathError);
  });

  it('refuses a symbolic link below the output folder that leads outside it, creating nothing there', async () => {
    const { project, outside, guard } = await setup();
    await mkdir(path.join(project, 'out'));
    await symlink(outside, path.join(project, 'out/intro'));
    await expect(guard.prepareWrite(path.join(project, 'out/intro/more/0001.wav'))).rejects.toThrow(
      `refused to write out/intro/more/0001.wav: out/intro is a symbolic link to ${outside}, outside the output folder out`,
    );
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses a link deeper down, and one leading to the project folder above the output', async () => {
    const { project, outside, guard } = await setup();
    await mkdir(path.join(project, 'out/a'), { recursive: true });
    await symlink(outside, path.join(project, 'out/a/b'));
    await expect(guard.prepareWrite(path.join(project, 'out/a/b/0001.wav'))).rejects.toThrow(/out\/a\/b is a symbolic link/);
    await symlink(project, path.join(project, 'out/up'));
    await expect(guard.prepareWrite(path.join(project, 'out/up/0001.wav'))).rejects.toThrow(/out\/up is a symbolic link/);
  });

  it('follows a link that stays inside the output folder, and an output folder that is itself a link', async () => {
    const { project, outside, guard } = await setup();
    await mkdir(path.join(project, 'out/real'), { recursive: true });
    await symlink(path.join(project, 'out/real'), path.join(project, 'out/alias'));
    const file = path.join(project, 'out/alias/0001.wav');
    expect(await guard.prepareWrite(file)).toBe(file);

    // output.dir pointing at a larger disk is the user's choice.
    await symlink(outside, path.join(project, 'big'));
    const linked = createOutputGuard({ projectDir: project, outputDir: 'big' });
    expect(await linked.prepareWrite(path.join(project, 'big/intro/0001.wav'))).toBe(path.join(project, 'big/intro/0001.wav'));
    expect(await readdir(outside)).toEqual(['intro']);
  });
});

describe('createOutputGuard: checkRemove', () => {
  it('allows files inside the project, even outside the current output folder (an old output.dir)', async () => {
    const { project, guard } = await setup();
    await mkdir(path.join(project, 'old'));
    expect(await guard.checkRemove(path.join(project, 'old/0001.wav'))).toBe(path.join(project, 'old/0001.wav'));
    expect(await guard.checkRemove(path.join(project, 'gone/0001.wav'))).toBe(path.join(project, 'gone/0001.wav'));
  });

  it('refuses files outside the project, and files whose folder is a link leading out', async () => {
    const { project, outside, guard } = await setup();
    await writeFile(path.join(outside, 'precious.wav'), 'x');
    await expect(guard.checkRemove(path.join(outside, 'precious.wav'))).rejects.toThrow(/refused to delete .*outside the project/);
    await mkdir(path.join(project, 'out'));
    await symlink(outside, path.join(project, 'out/link'));
    await expect(guard.checkRemove(path.join(project, 'out/link/precious.wav'))).rejects.toThrow(
      `refused to delete out/link/precious.wav: its folder leads to ${outside} through a symbolic link`,
    );
  });
});
