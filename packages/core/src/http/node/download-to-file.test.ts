import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiCallError } from '../../errors/api-call-error.js';
import { downloadToFile } from './download-to-file.js';

const server = setupServer();
let directory: string;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'voxform-download-'));
});
afterEach(async () => {
  server.resetHandlers();
  await rm(directory, { recursive: true, force: true });
});
afterAll(() => server.close());

const chunkBytes = 64 * 1024;

// Garbage waiting for a collection would count as growth: collect before measuring, so that only what
// the download holds on to is measured.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** The `index`th chunk of a generated body: different bytes per chunk, so a lost or repeated chunk changes the hash. */
function chunk(index: number): Uint8Array {
  const bytes = new Uint8Array(chunkBytes);
  bytes.fill(index % 251);
  bytes[0] = index & 0xff;
  return bytes;
}

/** A body of `chunks` MiB produced on demand, never held in memory whole. */
function generatedBody(chunks: number, onChunk?: (index: number) => void): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      onChunk?.(index);
      if (index === chunks) controller.close();
      else controller.enqueue(chunk(index++));
    },
  });
}

function expectedSha256(chunks: number): string {
  const hash = createHash('sha256');
  for (let index = 0; index < chunks; index++) hash.update(chunk(index));
  return hash.digest('hex');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('downloadToFile', () => {
  it('streams a 200 MB body to disk with flat memory', async () => {
    const chunks = 3200;
    const expected = expectedSha256(chunks);
    collectGarbage();
    const before = process.memoryUsage().rss;
    let peak = before;
    // Sampled from inside the generator, every 4 MB produced: a body buffered anywhere would show here.
    const sample = (index: number) => {
      if (index % 64 !== 0) return;
      collectGarbage();
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    server.use(http.get('https://cdn.vendor.test/big.wav', () => new HttpResponse(generatedBody(chunks, sample), { headers: { 'content-type': 'audio/wav' } })));
    const file = path.join(directory, 'big.wav');

    const result = await downloadToFile('https://cdn.vendor.test/big.wav', file);
    peak = Math.max(peak, process.memoryUsage().rss);

    expect(result).toEqual({ sha256: expected, bytes: chunks * chunkBytes });
    expect((await stat(file)).size).toBe(chunks * chunkBytes);
    expect(peak - before).toBeLessThan(60 * 1024 * 1024);
  });

  it('writes the exact bytes and creates the directory', async () => {
    server.use(http.get('https://cdn.vendor.test/small.mp3', () => new HttpResponse(new Uint8Array([73, 68, 51, 4]))));
    const file = path.join(directory, 'nested', 'small.mp3');

    const result = await downloadToFile('https://cdn.vendor.test/small.mp3', file);

    expect([...(await readFile(file))]).toEqual([73, 68, 51, 4]);
    expect(result).toEqual({ sha256: createHash('sha256').update(new Uint8Array([73, 68, 51, 4])).digest('hex'), bytes: 4 });
  });

  it('aborts a body larger than maxBytes and removes the partial file', async () => {
    server.use(http.get('https://cdn.vendor.test/big.wav', () => new HttpResponse(generatedBody(800))));
    const file = path.join(directory, 'big.wav');

    const error = (await rejection(downloadToFile('https://cdn.vendor.test/big.wav', file, { maxBytes: 80 * chunkBytes + 10 }))) as ApiCallError;

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain(`larger than the limit of ${80 * chunkBytes + 10} bytes`);
    expect(existsSync(file)).toBe(false);
  });

  it('has a limit by default: a declared 2 GiB body is refused before writing anything', async () => {
    server.use(http.get('https://cdn.vendor.test/huge.wav', () => new HttpResponse(chunk(0), { headers: { 'content-length': String(2 * 1024 ** 3) } })));
    const file = path.join(directory, 'huge.wav');
    const error = (await rejection(downloadToFile('https://cdn.vendor.test/huge.wav', file))) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.message).toContain('larger than the limit of 1 GiB (2147483648 bytes announced)');
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a body whose declared length is over maxBytes before writing anything', async () => {
    server.use(http.get('https://cdn.vendor.test/big.wav', () => new HttpResponse(new Uint8Array(100), { headers: { 'content-length': '100' } })));
    const file = path.join(directory, 'big.wav');

    const error = (await rejection(downloadToFile('https://cdn.vendor.test/big.wav', file, { maxBytes: 10 }))) as ApiCallError;

    expect(error.message).toContain('100 bytes announced');
    expect(existsSync(file)).toBe(false);
  });

  it('removes the partial file when aborted midway, rejecting with the reason', async () => {
    let sent = 0;
    const slowBody = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        controller.enqueue(chunk(sent++));
      },
    });
    server.use(http.get('https://cdn.vendor.test/endless.wav', () => new HttpResponse(slowBody)));
    const file = path.join(directory, 'endless.wav');
    const controller = new AbortController();
    const reason = new Error('second Ctrl-C');
    setTimeout(() => controller.abort(reason), 40);

    const error = await rejection(downloadToFile('https://cdn.vendor.test/endless.wav', file, { signal: controller.signal }));

    expect(error).toBe(reason);
    expect(existsSync(file)).toBe(false);
  });

  it('fails with a redacted ApiCallError on an HTTP error', async () => {
    server.use(http.get('https://cdn.vendor.test/gone.mp3', () => new HttpResponse('expired', { status: 410 })));
    const file = path.join(directory, 'gone.mp3');

    const error = (await rejection(
      downloadToFile('https://cdn.vendor.test/gone.mp3?Signature=s3cr3t-sig&Expires=1', file, { secrets: ['s3cr3t-sig'] }),
    )) as ApiCallError;

    expect(error.status).toBe(410);
    expect(error.message).toContain('cdn.vendor.test GET https://cdn.vendor.test/gone.mp3?Signature=***&Expires=1 failed: HTTP 410');
    expect(existsSync(file)).toBe(false);
  });
});
