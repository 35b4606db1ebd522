import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectories } from '../__fixtures__/test-project.js';
import { storeAudio } from './audio-store.js';

const directories = temporaryDirectories();

describe('storeAudio', () => {
  it('rejects, leaving no temp file, when the audio stream fails before its first chunk', async () => {
    const dir = await directories.create();
    // Fails at the first read, before the temp file is even open: the rejection must reach the caller,
    // not escape as an uncaught exception.
    const stream = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error('connection reset at once')) });
    const storing = storeAudio({ source: { type: 'stream', stream }, format: 'wav', outputFile: path.join(dir, 'out/line.wav'), signal: new AbortController().signal });
    await expect(storing).rejects.toThrow('connection reset at once');
    expect(await readdir(path.join(dir, 'out'))).toEqual([]);
  });
});
