import { describe, expect, it } from 'vitest';
import { audioResponse } from './audio-response.js';

const audio = new Uint8Array(1000).map((_, index) => index % 256);
const get = (range?: string, method = 'GET') => new Request('http://server.test/audio', { method, ...(range ? { headers: { range } } : {}) });
const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());

describe('audioResponse', () => {
  it('sends the whole file without a Range, saying ranges are accepted', async () => {
    const response = audioResponse(get(), audio, 'audio/mpeg');
    expect(response.status).toBe(200);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(await bytesOf(response)).toEqual(audio);
  });

  it('sends a byte range as 206 with Content-Range: bounded, open-ended and suffix ranges', async () => {
    const middle = audioResponse(get('bytes=100-199'), audio, 'audio/wav');
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(await bytesOf(middle)).toEqual(audio.subarray(100, 200));

    const rest = audioResponse(get('bytes=900-'), audio, 'audio/wav');
    expect(rest.headers.get('content-range')).toBe('bytes 900-999/1000');
    expect(rest.headers.get('content-length')).toBe('100');

    const last = audioResponse(get('bytes=-10'), audio, 'audio/wav');
    expect(await bytesOf(last)).toEqual(audio.subarray(990));
  });

  it('answers 416 for a range past the end, and ignores a malformed one', async () => {
    const past = audioResponse(get('bytes=5000-6000'), audio, 'audio/wav');
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */1000');
    const malformed = audioResponse(get('bytes=abc'), audio, 'audio/wav');
    expect(malformed.status).toBe(200);
    expect((await bytesOf(malformed)).byteLength).toBe(1000);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = audioResponse(get('bytes=0-9', 'HEAD'), audio, 'audio/wav');
    expect(response.status).toBe(206);
    expect(response.headers.get('content-length')).toBe('10');
    expect(response.body).toBeNull();
  });
});
