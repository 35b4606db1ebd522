import { Refusal } from './refusal.js';

/**
 * The whole body of `request`, refused with 413 as soon as it is known to be larger than `maxBytes`:
 * from its `Content-Length` before anything is read, or while it streams in.
 */
export async function readBody(request: Request, maxBytes: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () => new Refusal(413, `${what} is larger than the ${maxBytes}-byte limit of this server: send less`);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array();
  return collectCapped(request.body, maxBytes, tooLarge);
}

/**
 * Every chunk of a web stream or an async iterable in one array, failing with `tooLarge()` as soon as
 * the chunks pass `maxBytes` (a web stream is then cancelled), and with the signal's reason once aborted.
 */
export async function collectCapped(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error,
  signal?: AbortSignal,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = isWebStream(source) ? source.getReader() : undefined;
  const iterator = reader ? undefined : (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = reader ? await reader.read() : await iterator!.next();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    if (reader) void reader.cancel().catch(() => {});
    else void iterator!.return?.();
    throw error;
  } finally {
    reader?.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function isWebStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | undefined)?.getReader === 'function';
}
