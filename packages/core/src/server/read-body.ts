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
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
