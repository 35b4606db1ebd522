import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

// Statuses whose answer has no body: a Response refuses one.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` that sends through `dispatcher` (an undici `Agent` from `createNodeDispatcher`) with undici's
 * `request` API, for the engine: it costs less CPU per request than the global `fetch` (about half in a
 * microbenchmark of bare requests, less of a difference in a whole apply), which adds up over thousands
 * of lines. It answers with a standard `Response`, so
 * the HTTP client and the audio store read it as they read the global `fetch`'s.
 *
 * What it does of fetch: method, headers, a string / bytes / FormData / Blob body, `signal`, and
 * redirects (followed, at most 20, dropping credentials across origins). It asks for uncompressed
 * answers (`Accept-Encoding: identity`) instead of decoding them. What it does not: cookies, caching,
 * CORS, `redirect: 'manual'`. msw cannot intercept it: tests that mock the
 * network with msw leave the engine this fetch-less (the global `fetch` is then used).
 */
export async function createPoolFetch(dispatcher: Dispatcher): Promise<typeof fetch> {
  const undici = await import('undici');
  // undici is CommonJS: Node's import() gives its exports by name, a bundle's only as `default`.
  const { interceptors } = undici.interceptors ? undici : (undici as unknown as { default: typeof undici }).default;
  const pool = dispatcher.compose(interceptors.redirect({ maxRedirections: 20 }));

  return async function poolFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    if (typeof input === 'object' && 'method' in input) throw new TypeError('poolFetch takes a url, not a Request');
    if (init.redirect && init.redirect !== 'follow') throw new TypeError(`poolFetch follows redirects; redirect: '${init.redirect}' is not supported`);
    const url = new URL(input);
    const method = init.method?.toUpperCase() ?? 'GET';
    const requestHeaders = new Headers(init.headers);
    // Answers are read as sent: no compressed coding is accepted, so none needs decoding.
    if (!requestHeaders.has('accept-encoding')) requestHeaders.set('accept-encoding', 'identity');
    let body = init.body ?? null;
    if (body instanceof FormData) {
      // undici's request encodes only its own FormData class: the global one is encoded here, whole (a
      // voice sample), so that it goes with a Content-Length.
      const encoded = new Response(body);
      requestHeaders.set('content-type', encoded.headers.get('content-type')!);
      body = new Uint8Array(await encoded.arrayBuffer());
    }
    const headers: string[] = [];
    for (const [name, value] of requestHeaders) headers.push(name, value);
    const answer = await pool.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: method as Dispatcher.HttpMethod,
      headers,
      body: body as Dispatcher.RequestOptions['body'],
      signal: init.signal ?? undefined,
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
      else if (value !== undefined) responseHeaders.append(name, value);
    }
    const empty = method === 'HEAD' || nullBodyStatuses.has(answer.statusCode);
    if (empty) answer.body.resume();
    try {
      return new Response(empty ? null : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>), { status: answer.statusCode, statusText: answer.statusText, headers: responseHeaders });
    } catch (error) {
      // A status a Response cannot have (outside 200–599): what answered is not an HTTP API.
      answer.body.destroy();
      throw new TypeError('fetch failed', { cause: error });
    }
  } as typeof fetch;
}
