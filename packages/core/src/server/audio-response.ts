import parseRange from 'range-parser';

const wellFormedByteRanges = /^bytes=\s*(\d+-\d*|-\d+)(\s*,\s*(\d+-\d*|-\d+))*\s*$/;

/**
 * Answers a GET or HEAD for audio held in memory, honouring a single byte range (`Range: bytes=…`), as
 * an `<audio>` element asks when it seeks: 206 with `Content-Range` for a satisfiable range, 416 for
 * one past the end, the whole file for no range, a malformed one or several (which a server may ignore).
 */
export function audioResponse(request: Request, audio: Uint8Array, contentType: string, headers: Record<string, string> = {}): Response {
  const size = audio.byteLength;
  const common = { 'content-type': contentType, 'accept-ranges': 'bytes', ...headers };
  const body = (bytes: Uint8Array) => (request.method === 'HEAD' ? null : new Uint8Array(bytes));
  const header = request.headers.get('range');
  // range-parser calls anything it cannot read unsatisfiable; HTTP says to ignore a Range that is not valid syntax.
  if (header && wellFormedByteRanges.test(header)) {
    const ranges = parseRange(size, header, { combine: true });
    if (ranges === -1) {
      return new Response(null, { status: 416, headers: { ...common, 'content-range': `bytes */${size}` } });
    }
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const { start, end } = ranges[0]!;
      return new Response(body(audio.subarray(start, end + 1)), {
        status: 206,
        headers: { ...common, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) },
      });
    }
  }
  return new Response(body(audio), { status: 200, headers: { ...common, 'content-length': String(size) } });
}
