import path from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, sineWav, temporaryDirectories } from '../__fixtures__/test-project.js';
import { AudioTooLargeError, storeAudio } from './audio-store.js';

const directories = temporaryDirectories();
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A WAV header followed by audio that never ends. */
async function* endlessWav(): AsyncIterable<Uint8Array> {
  yield sineWav({ durationMs: 100 });
  const chunk = new Uint8Array(64 * 1024);
  for (;;) yield chunk;
}

describe('storeAudio size limit', () => {
  it('stops an endless stream at maxBytes, keeping nothing', async () => {
    const dir = await directories.create();
    const stored = storeAudio({ source: { type: 'stream', stream: endlessWav() }, format: 'wav', outputFile: path.join(dir, 'out/a.wav'), cacheFile: path.join(dir, 'cache/k.wav'), signal: new AbortController().signal, maxBytes: 1024 * 1024 });
    await expect(stored).rejects.toThrow(AudioTooLargeError);
    await expect(stored).rejects.toThrow(/^the audio is larger than the limit of 1 MiB \(more than \d+ bytes received\); nothing was kept\. .*voxform apply --max-download-mb/);
    expect(await listFiles(dir)).toEqual([]);
  });

  it('refuses a url whose declared length is over the limit before writing', async () => {
    const dir = await directories.create();
    server.use(http.get('https://cdn.vendor.test/a.wav', () => new HttpResponse(sineWav(), { headers: { 'content-length': String(2 * 1024 ** 3) } })));
    const stored = storeAudio({ source: { type: 'url', url: 'https://cdn.vendor.test/a.wav' }, format: 'wav', outputFile: path.join(dir, 'out/a.wav'), signal: new AbortController().signal });
    await expect(stored).rejects.toThrow('the audio is larger than the limit of 1 GiB (2147483648 bytes announced)');
    expect(await listFiles(dir)).toEqual([]);
  });

  it('keeps audio within the limit', async () => {
    const dir = await directories.create();
    const audio = sineWav({ durationMs: 200 });
    const stored = await storeAudio({ source: { type: 'bytes', bytes: audio }, format: 'wav', outputFile: path.join(dir, 'a.wav'), signal: new AbortController().signal, maxBytes: audio.byteLength });
    expect(stored.bytes).toBe(audio.byteLength);
  });
});

describe('storeAudio of a failing stream', () => {
  it('rejects, leaving no file, when the audio stream fails before its first chunk', async () => {
    const dir = await directories.create();
    // Fails at the first read, before the temp file is even open: the rejection must reach the caller,
    // not escape as an uncaught exception.
    const stream = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error('connection reset at once')) });
    const storing = storeAudio({ source: { type: 'stream', stream }, format: 'wav', outputFile: path.join(dir, 'out/line.wav'), signal: new AbortController().signal });
    await expect(storing).rejects.toThrow('connection reset at once');
    expect(await listFiles(dir)).toEqual([]);
  });
});
