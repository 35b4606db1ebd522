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

describe('storeAudio duration', () => {
  /** `pcm` behind a RIFF header, with a LIST chunk of `listBytes` before the data and `declared` as the data size. */
  function wavWith(options: { sampleRate: number; channels: number; bits: number; frames: number; listBytes?: number; declared?: number }): Uint8Array {
    const blockAlign = (options.channels * options.bits) / 8;
    const data = options.frames * blockAlign;
    const list = options.listBytes ?? 0;
    const bytes = new Uint8Array(44 + (list ? 8 + list : 0) + data);
    const view = new DataView(bytes.buffer);
    const text = (offset: number, value: string) => [...value].forEach((character, index) => (bytes[offset + index] = character.charCodeAt(0)));
    text(0, 'RIFF');
    view.setUint32(4, bytes.length - 8, true);
    text(8, 'WAVEfmt ');
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true);
    view.setUint16(22, options.channels, true);
    view.setUint32(24, options.sampleRate, true);
    view.setUint32(28, options.sampleRate * blockAlign, true);
    view.setUint16(32, blockAlign, true);
    view.setUint16(34, options.bits, true);
    let offset = 36;
    if (list) {
      text(offset, 'LIST');
      view.setUint32(offset + 4, list, true);
      offset += 8 + list;
    }
    text(offset, 'data');
    view.setUint32(offset + 4, options.declared ?? data, true);
    for (let index = offset + 8; index < bytes.length; index++) bytes[index] = (index * 7) & 0xff;
    return bytes;
  }

  it.each([
    { sampleRate: 16_000, channels: 1, bits: 16, frames: 16_000 * 3 + 7 },
    { sampleRate: 44_100, channels: 2, bits: 24, frames: 44_100 * 2 + 1234 },
    { sampleRate: 22_050, channels: 1, bits: 8, frames: 999 },
    // A header past the first 64 KiB kept in memory: read from the file instead.
    { sampleRate: 16_000, channels: 1, bits: 16, frames: 8000, listBytes: 100_000 },
  ])('is the duration music-metadata reads, from the header in hand or the file ($sampleRate Hz, $channels ch, $bits bit, LIST $listBytes)', async (shape) => {
    const dir = await directories.create();
    const audio = wavWith(shape);
    const outputFile = path.join(dir, 'a.wav');
    const stored = await storeAudio({ source: { type: 'bytes', bytes: audio }, format: 'wav', outputFile, signal: new AbortController().signal });
    const { parseFile } = await import('music-metadata');
    const expected = Math.round((await parseFile(outputFile, { duration: true })).format.duration! * 1000);
    expect(stored.durationMs).toBe(expected);
    expect(stored.durationMs).toBe(Math.round((shape.frames / shape.sampleRate) * 1000));
  });

  it('does not trust a data size the file cannot hold (a streamed WAV): measured from the file', async () => {
    const dir = await directories.create();
    const audio = wavWith({ sampleRate: 16_000, channels: 1, bits: 16, frames: 16_000, declared: 0xffffffff });
    const stored = await storeAudio({ source: { type: 'bytes', bytes: audio }, format: 'wav', outputFile: path.join(dir, 'a.wav'), signal: new AbortController().signal });
    expect(stored.durationMs).toBe(1000);
  });
});
