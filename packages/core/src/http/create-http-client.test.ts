import { http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError } from '../errors/api-call-error.js';
import { createAdaptiveLimiter } from './adaptive-limiter.js';
import { createHttpClient, type HttpClientSettings, type VendorErrorDetails } from './create-http-client.js';
import type { HttpEvent } from './http-events.js';

const baseUrl = 'https://api.vendor.test';
const apiKey = 'sk-FAKE-9f8e7d6c5b4a-SECRET';

const server = setupServer();
const calls: Array<{ method: string; url: string; headers: Headers; body: string }> = [];

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  calls.length = 0;
});
afterAll(() => server.close());

/** Registers `answer` for `method path`, recording every call it receives. */
function handle(method: 'get' | 'post', path: string, answer: (call: number, request: Request) => Response | Promise<Response>) {
  server.use(
    http[method](`${baseUrl}${path}`, async ({ request }) => {
      calls.push({ method: request.method, url: request.url, headers: request.headers, body: await request.clone().text() });
      return answer(calls.length, request);
    }),
  );
}

/** A client whose retry sleeps are recorded instead of waited. */
function testClient(settings: Partial<HttpClientSettings> = {}) {
  const delays: number[] = [];
  const events: HttpEvent[] = [];
  const client = createHttpClient({
    provider: 'Vendor',
    baseUrl,
    secrets: [apiKey],
    headers: { authorization: `Bearer ${apiKey}` },
    onEvent: (event) => events.push(event),
    ...settings,
    retry: {
      baseDelayMs: 1,
      maxDelayMs: 120_000,
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...settings.retry,
    },
  });
  return { client, delays, events };
}

const isVoice = (value: unknown): value is { voice_id: string } =>
  typeof value === 'object' && value !== null && typeof (value as { voice_id?: unknown }).voice_id === 'string';

const voiceSchema = {
  type: 'object',
  required: ['voice_id'],
  properties: { voice_id: { type: 'string' }, data: { type: 'object', required: ['file_id'], properties: { file_id: { type: 'string' } } } },
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('createHttpClient', () => {
  it('redacts a token the headers function signs for each attempt', async () => {
    handle('get', '/voices/1', (_call, request) => HttpResponse.json({ error: `bad token ${request.headers.get('authorization')}` }, { status: 401 }));
    const tokens: string[] = [];
    let issued = 0;
    const { client } = testClient({
      headers: () => {
        const token = `jwt-${++issued}-${'x'.repeat(20)}`;
        tokens.push(token);
        return { authorization: `Bearer ${token}` };
      },
      secrets: () => [apiKey, ...tokens],
    });

    const error = (await rejection(client.request({ path: '/voices/1', validate: isVoice }))) as ApiCallError;

    expect(tokens).toHaveLength(1);
    expect(JSON.stringify(error)).not.toContain(tokens[0]);
    expect(error.message).not.toContain(tokens[0]);
  });

  it('retries 503, 503 and succeeds on the third call', async () => {
    handle('get', '/voices/1', (call) => (call < 3 ? new HttpResponse('busy', { status: 503 }) : HttpResponse.json({ voice_id: 'v1' })));
    const { client, delays, events } = testClient();

    const result = await client.request({ path: '/voices/1', validate: isVoice });

    expect(result.value).toEqual({ voice_id: 'v1' });
    expect(calls).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(events.filter((event) => event.type === 'request-retry').map((event) => event.type === 'request-retry' && event.status)).toEqual([503, 503]);
  });

  it('sends JSON, multipart and query parameters', async () => {
    handle('post', '/clone', () => HttpResponse.json({ voice_id: 'v2' }));
    const { client } = testClient();

    await client.request({ path: '/clone', query: { model: 'v2', unused: undefined }, json: { text: 'hello' }, validate: isVoice });
    await client.request({
      path: '/clone',
      form: { text: 'hello', speed: 1.5, audio: { data: new Uint8Array([82, 73, 70, 70]), filename: 'sample.wav', contentType: 'audio/wav' } },
      validate: isVoice,
    });

    expect(calls[0]).toMatchObject({ method: 'POST', url: `${baseUrl}/clone?model=v2`, body: '{"text":"hello"}' });
    expect(calls[0]!.headers.get('content-type')).toBe('application/json');
    expect(calls[0]!.headers.get('authorization')).toBe(`Bearer ${apiKey}`);
    expect(calls[1]!.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    expect(calls[1]!.body).toContain('name="audio"; filename="sample.wav"');
    expect(calls[1]!.body).toContain('Content-Type: audio/wav');
    expect(calls[1]!.body).toContain('RIFF');
    expect(calls[1]!.body).toContain('name="speed"\r\n\r\n1.5');
  });

  it('returns bytes and streams', async () => {
    handle('get', '/audio', () => new HttpResponse(new Uint8Array([1, 2, 3]), { headers: { 'x-request-id': 'req-7' } }));
    const { client } = testClient();

    const bytes = await client.request({ path: '/audio', responseType: 'bytes' });
    const stream = await client.request({ path: '/audio', responseType: 'stream' });

    expect([...bytes.value]).toEqual([1, 2, 3]);
    expect(bytes.requestId).toBe('req-7');
    expect([...new Uint8Array(await new Response(stream.value).arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('names the vendor and the url when a streamed answer breaks off', async () => {
    handle('get', '/audio', () => {
      let pulls = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulls++ === 0) controller.enqueue(new Uint8Array([1, 2, 3]));
          else controller.error(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
        },
      });
      return new HttpResponse(body, { headers: { 'content-length': '100' } });
    });
    const { client } = testClient();
    const { value } = await client.request({ path: '/audio', responseType: 'stream' });
    const error = (await rejection(new Response(value).arrayBuffer())) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/^Vendor GET https:\/\/api\.vendor\.test\/audio failed: the answer broke off after \d+ bytes \(UND_ERR_SOCKET: the connection broke\)/);
    expect(error.isRetryable).toBe(true);
  });

  it('does not retry a 500 on a billable request that is not idempotent', async () => {
    handle('post', '/clone', () => HttpResponse.json({ message: 'internal' }, { status: 500 }));
    const { client, delays } = testClient();

    const error = await rejection(client.request({ path: '/clone', json: {}, billable: true, validate: isVoice }));

    expect(calls).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(ApiCallError.isInstance(error)).toBe(true);
    const apiError = error as ApiCallError;
    expect(apiError.status).toBe(500);
    expect(apiError.isRetryable).toBe(false);
    expect(apiError.message).toContain('Not retried: the request is billable');
  });

  it('says a billable request may have been accepted when the vendor failed or its success could not be read', async () => {
    const answers = [
      () => HttpResponse.json({ message: 'internal' }, { status: 500 }),
      () => new HttpResponse('{"voice_id": "v', { status: 200, headers: { 'content-type': 'application/json' } }),
      () => HttpResponse.json({ unexpected: true }),
    ];
    for (const answer of answers) {
      handle('post', '/clone', answer);
      const { client } = testClient();
      const error = (await rejection(client.request({ path: '/clone', json: {}, billable: true, validate: isVoice }))) as ApiCallError;
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect(error.mayHaveBeenAccepted).toBe(true);
      expect(error.toJSON().mayHaveBeenAccepted).toBe(true);
      server.resetHandlers();
    }
  });

  it('says no billable request was accepted when the vendor refused it, and says nothing of requests that bill nothing', async () => {
    handle('post', '/clone', () => HttpResponse.json({ message: 'bad voice' }, { status: 400 }));
    const { client } = testClient();
    const refused = (await rejection(client.request({ path: '/clone', json: {}, billable: true, validate: isVoice }))) as ApiCallError;
    expect(refused.mayHaveBeenAccepted).toBe(false);
    server.resetHandlers();
    handle('post', '/lookup', () => HttpResponse.json({ message: 'internal' }, { status: 500 }));
    const lookup = (await rejection(testClient({ retry: { retries: 0 } }).client.request({ path: '/lookup', json: {}, validate: isVoice }))) as ApiCallError;
    expect(lookup.mayHaveBeenAccepted).toBe(false);
  });

  it('retries a 500 on a billable request marked idempotent', async () => {
    handle('post', '/clone', (call) => (call === 1 ? HttpResponse.json({ message: 'internal' }, { status: 500 }) : HttpResponse.json({ voice_id: 'v3' })));
    const { client } = testClient();

    const result = await client.request({ path: '/clone', json: {}, billable: true, idempotent: true, validate: isVoice });

    expect(result.value.voice_id).toBe('v3');
    expect(calls).toHaveLength(2);
  });

  it('retries a billable request after a 429, which proves the vendor did not accept it', async () => {
    handle('post', '/clone', (call) => (call === 1 ? HttpResponse.json({}, { status: 429 }) : HttpResponse.json({ voice_id: 'v4' })));
    const { client } = testClient();

    await client.request({ path: '/clone', json: {}, billable: true, validate: isVoice });

    expect(calls).toHaveLength(2);
  });

  it('rides out a longer storm of 429s than its other retries allow: rate limits have their own budget', async () => {
    handle('post', '/clone', (call) => (call <= 6 ? HttpResponse.json({}, { status: 429 }) : HttpResponse.json({ voice_id: 'v7' })));
    const { client } = testClient({ retry: { retries: 2, rateLimitRetries: 8 } });

    const result = await client.request({ path: '/clone', json: {}, billable: true, validate: isVoice });

    expect(result.value.voice_id).toBe('v7');
    expect(calls).toHaveLength(7);
  });

  it('gives up when the rate limits outlast their budget', async () => {
    handle('get', '/voices/1', () => HttpResponse.json({}, { status: 429 }));
    const { client } = testClient({ retry: { retries: 5, rateLimitRetries: 3 } });

    const error = (await rejection(client.request({ path: '/voices/1', validate: isVoice }))) as ApiCallError;

    expect(calls).toHaveLength(4);
    expect(error).toMatchObject({ status: 429, isRateLimit: true });
  });

  it('gives up after the configured retries with the last error', async () => {
    handle('get', '/voices/1', () => new HttpResponse(null, { status: 502 }));
    const { client, delays } = testClient({ retry: { retries: 2, baseDelayMs: 100, factor: 2, random: () => 0 } });

    const error = (await rejection(client.request({ path: '/voices/1', validate: isVoice }))) as ApiCallError;

    expect(calls).toHaveLength(3);
    expect(error.status).toBe(502);
    expect(error.isRetryable).toBe(true);
    // Equal jitter with random 0: half of 100, then half of 200.
    expect(delays).toEqual([50, 100]);
  });

  it('does not retry a 400', async () => {
    handle('post', '/clone', () => HttpResponse.json({ error: { message: 'text too long' } }, { status: 400 }));
    const { client } = testClient();

    const error = (await rejection(client.request({ path: '/clone', json: {}, validate: isVoice }))) as ApiCallError;

    expect(calls).toHaveLength(1);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toBe(
      `Vendor POST ${baseUrl}/clone failed: HTTP 400 Bad Request (text too long). The vendor rejected the request: check the voice and line options.`,
    );
  });

  it('honours Retry-After in seconds', async () => {
    handle('get', '/voices/1', (call) => (call === 1 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '2' } }) : HttpResponse.json({ voice_id: 'v1' })));
    const { client, delays, events } = testClient();

    await client.request({ path: '/voices/1', validate: isVoice });

    expect(delays).toEqual([2000]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'request-retry', delayMs: 2000, status: 429 }));
  });

  it('honours Retry-After as an HTTP date', async () => {
    const now = Date.parse('2030-01-01T00:00:00.250Z');
    const retryAt = new Date('2030-01-01T00:00:05Z');
    handle('get', '/voices/1', (call) =>
      call === 1 ? new HttpResponse(null, { status: 503, headers: { 'retry-after': retryAt.toUTCString() } }) : HttpResponse.json({ voice_id: 'v1' }),
    );
    const { client, delays } = testClient({ retry: { now: () => now } });

    await client.request({ path: '/voices/1', validate: isVoice });

    expect(delays).toEqual([4750]);
  });

  it('caps Retry-After at the maximum delay', async () => {
    handle('get', '/voices/1', (call) => (call === 1 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '3600' } }) : HttpResponse.json({ voice_id: 'v1' })));
    const { client, delays } = testClient({ retry: { maxDelayMs: 10_000 } });

    await client.request({ path: '/voices/1', validate: isVoice });

    expect(delays).toEqual([10_000]);
  });

  it('honours retryAfterMs from the error parser', async () => {
    handle('get', '/voices/1', (call) => (call === 1 ? HttpResponse.json({ code: 'busy', wait: 1.5 }, { status: 503 }) : HttpResponse.json({ voice_id: 'v1' })));
    const { client, delays } = testClient({
      parseError: (body) => ({ code: (body as { code: string }).code, retryAfterMs: (body as { wait: number }).wait * 1000 }),
    });

    await client.request({ path: '/voices/1', validate: isVoice });

    expect(delays).toEqual([1500]);
  });

  it('rejects at once with the reason when aborted during a backoff sleep', async () => {
    handle('get', '/voices/1', () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '60' } }));
    const client = createHttpClient({ provider: 'Vendor', baseUrl, retry: { maxDelayMs: 120_000 } });
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    setTimeout(() => controller.abort(reason), 20);

    const started = performance.now();
    const error = await rejection(client.request({ path: '/voices/1', signal: controller.signal, validate: isVoice }));

    expect(error).toBe(reason);
    expect(calls).toHaveLength(1);
    // Far below the 60 s the vendor asked for: the sleep was cut short, not waited out.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('rejects at once with the reason when aborted while the request is in flight', async () => {
    handle('get', '/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return HttpResponse.json({ voice_id: 'late' });
    });
    const { client, delays } = testClient();
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    setTimeout(() => controller.abort(reason), 20);

    const error = await rejection(client.request({ path: '/slow', signal: controller.signal, validate: isVoice }));

    expect(error).toBe(reason);
    expect(calls).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('rejects with the reason when the signal is already aborted, without calling', async () => {
    handle('get', '/voices/1', () => HttpResponse.json({ voice_id: 'v1' }));
    const { client } = testClient();
    const reason = new Error('already stopped');

    const error = await rejection(client.request({ path: '/voices/1', signal: AbortSignal.abort(reason), validate: isVoice }));

    expect(error).toBe(reason);
    expect(calls).toHaveLength(0);
  });

  it('turns malformed JSON into a retryable ApiCallError', async () => {
    handle('get', '/voices/1', () => new HttpResponse('<html>502 Bad Gateway</html>', { headers: { 'content-type': 'text/html' } }));
    const { client } = testClient({ retry: { retries: 1 } });

    const error = (await rejection(client.request({ path: '/voices/1', validate: isVoice }))) as ApiCallError;

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(calls).toHaveLength(2);
    expect(error.isRetryable).toBe(true);
    expect(error.status).toBe(200);
    expect(error.message).toContain('HTTP 200 with a body that is not valid JSON');
    expect(error.responseBody).toBe('<html>502 Bad Gateway</html>');
  });

  it('turns a shape mismatch into an ApiCallError naming what is missing (JSON Schema)', async () => {
    handle('post', '/v1/voice_clone', () => HttpResponse.json({ data: {} }));
    const { client } = testClient({ provider: 'MiniMax' });

    const error = (await rejection(client.request({ method: 'POST', path: '/v1/voice_clone', validate: voiceSchema }))) as ApiCallError;

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toMatch(/^unexpected response from MiniMax POST \/v1\/voice_clone: missing voice_id; missing data\.file_id \(HTTP 200\)\./);
  });

  it('reports wrong types found by a JSON Schema', async () => {
    handle('get', '/voices/1', () => HttpResponse.json({ voice_id: 42 }));
    const { client } = testClient();

    const error = (await rejection(client.request({ path: '/voices/1', validate: voiceSchema }))) as ApiCallError;

    expect(error.message).toContain('unexpected response from Vendor GET /voices/1: voice_id must be string, got number');
  });

  it('turns a shape mismatch into an ApiCallError (type guard)', async () => {
    handle('get', '/voices/1', () => HttpResponse.json({ id: 'v1' }));
    const { client } = testClient();

    const error = (await rejection(client.request({ path: '/voices/1', validate: isVoice }))) as ApiCallError;

    expect(error.message).toContain('unexpected response from Vendor GET /voices/1: the body does not have the expected shape');
    expect(error.responseBody).toBe('{"id":"v1"}');
  });

  it('turns a MiniMax-style error envelope in a 200 into an error with checkSuccess', async () => {
    handle('post', '/v1/voice_clone', () =>
      HttpResponse.json({ base_resp: { status_code: 2013, status_msg: 'invalid params' } }, { headers: { 'trace-id': 'trace-123' } }),
    );
    const checkSuccess = (body: unknown): VendorErrorDetails | undefined => {
      const base = (body as { base_resp?: { status_code: number; status_msg: string } }).base_resp;
      if (!base || base.status_code === 0) return undefined;
      return { code: base.status_code, message: base.status_msg, isRetryable: base.status_code === 1002, isRateLimit: base.status_code === 1002 };
    };
    const { client } = testClient({ provider: 'MiniMax', checkSuccess });

    const error = (await rejection(client.request({ path: '/v1/voice_clone', json: {}, validate: voiceSchema }))) as ApiCallError;

    expect(calls).toHaveLength(1);
    expect(error.status).toBe(200);
    expect(error.code).toBe(2013);
    expect(error.requestId).toBe('trace-123');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('failed: HTTP 200 with an error in the body (code 2013: invalid params)');
  });

  it('retries a vendor rate-limit envelope and tells the limiter', async () => {
    handle('post', '/v1/t2a_v2', (call) =>
      HttpResponse.json(call === 1 ? { base_resp: { status_code: 1002, status_msg: 'rate limit' } } : { voice_id: 'v1', base_resp: { status_code: 0 } }),
    );
    const limits: number[] = [];
    const limiter = createAdaptiveLimiter({ provider: 'minimax', concurrency: 4, rateLimitThreshold: 1, onChange: (event) => limits.push(event.concurrency) });
    const { client } = testClient({
      limiter,
      checkSuccess: (body) => {
        const code = (body as { base_resp: { status_code: number } }).base_resp.status_code;
        return code === 0 ? undefined : { code, isRetryable: true, isRateLimit: code === 1002 };
      },
    });

    await client.request({ path: '/v1/t2a_v2', json: {}, billable: true, validate: isVoice });

    expect(calls).toHaveLength(2);
    expect(limits).toEqual([2]);
  });

  it('uses parseError for error statuses', async () => {
    handle('post', '/tasks', () => HttpResponse.json({ code: 'QuotaExceeded', reason: 'concurrency', metadata: { trace_id: 'tr-9' } }, { status: 409 }));
    const { client } = testClient({
      parseError: (body, status) => {
        const envelope = body as { code: string; reason: string; metadata: { trace_id: string } };
        return { code: envelope.code, message: envelope.reason, requestId: envelope.metadata.trace_id, isRetryable: status === 409 };
      },
      retry: { retries: 1 },
    });

    const error = (await rejection(client.request({ path: '/tasks', json: {}, validate: isVoice }))) as ApiCallError;

    expect(calls).toHaveLength(2);
    expect(error.code).toBe('QuotaExceeded');
    expect(error.requestId).toBe('tr-9');
    expect(error.message).toContain('HTTP 409 Conflict (code QuotaExceeded: concurrency)');
  });

  it('retries a network error', async () => {
    handle('get', '/voices/1', (call) => (call === 1 ? HttpResponse.error() : HttpResponse.json({ voice_id: 'v1' })));
    const { client } = testClient();

    await client.request({ path: '/voices/1', validate: isVoice });

    expect(calls).toHaveLength(2);
  });

  it('maps a network error to a retryable ApiCallError without a status', async () => {
    handle('get', '/voices/1', () => HttpResponse.error());
    const { client } = testClient({ retry: { retries: 0 } });

    const error = (await rejection(client.request({ path: '/voices/1', validate: isVoice }))) as ApiCallError;

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.isRetryable).toBe(true);
    expect(error.message).toMatch(/failed: no response/);
  });

  it('maps a refused connection to an error that allows a billable retry', async () => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const listener = createServer().listen(0, '127.0.0.1', () => {
        const { port } = listener.address() as { port: number };
        listener.close(() => resolve(port));
      });
    });
    server.use(http.all(`http://127.0.0.1:${port}/*`, () => passthrough()));
    const { client, delays } = testClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { retries: 1 } });

    const error = (await rejection(client.request({ path: '/clone', json: {}, billable: true, validate: isVoice }))) as ApiCallError;

    expect(error.neverAccepted).toBe(true);
    expect(error.mayHaveBeenAccepted).toBe(false);
    expect(error.isRetryable).toBe(true);
    expect(error.code).toBe('ECONNREFUSED');
    expect(delays).toHaveLength(1);
  });

  it('maps a per-attempt timeout to a retryable ApiCallError', async () => {
    handle('get', '/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return HttpResponse.json({ voice_id: 'late' });
    });
    const { client } = testClient({ timeoutMs: 30, retry: { retries: 0 } });

    const error = (await rejection(client.request({ path: '/slow', validate: isVoice }))) as ApiCallError;

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('no answer within 30 ms');
  });

  it('looks fetch up at call time', async () => {
    const { client } = testClient();
    const original = globalThis.fetch;
    let seen: string | undefined;
    globalThis.fetch = (async (input: RequestInfo | URL) => {
      seen = String(input);
      return Response.json({ voice_id: 'from-replacement' });
    }) as typeof fetch;
    try {
      const result = await client.request({ path: '/voices/9', validate: isVoice });
      expect(result.value.voice_id).toBe('from-replacement');
      expect(seen).toBe(`${baseUrl}/voices/9`);
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('secrets', () => {
  // The last column: whether the message names the url (and so shows `api_key=***`).
  const failures: Array<[string, () => Response | Promise<Response>, boolean]> = [
    ['a 4xx echoing the key', () => HttpResponse.json({ error: `invalid api_key ${apiKey}`, api_key: apiKey, received: { key: apiKey } }, { status: 401 }), true],
    ['a 500', () => new HttpResponse(`upstream failed for key=${apiKey}`, { status: 500 }), true],
    ['malformed JSON', () => new HttpResponse(`{"api_key": "${apiKey}", `, { status: 200 }), true],
    ['a network error', () => HttpResponse.error(), true],
    ['an error envelope', () => HttpResponse.json({ base_resp: { status_code: 1004, status_msg: `token ${apiKey} not match` } }), true],
    ['a shape mismatch', () => HttpResponse.json({ echo: apiKey }), false],
  ];

  it.each(failures)('never shows the API key after %s', async (_name, answer, messageHasUrl) => {
    handle('post', '/clone', answer);
    const { client, events } = testClient({
      retry: { retries: 1 },
      checkSuccess: (body) => {
        const base = (body as { base_resp?: { status_code: number; status_msg: string } }).base_resp;
        return base ? { code: base.status_code, message: base.status_msg } : undefined;
      },
    });

    const error = (await rejection(
      client.request({ path: '/clone', query: { api_key: apiKey }, json: { api_key: apiKey, text: 'hello' }, validate: isVoice }),
    )) as ApiCallError;

    expect(ApiCallError.isInstance(error)).toBe(true);
    // The key did travel: in the header, the query string and the JSON body.
    expect(calls[0]!.headers.get('authorization')).toContain(apiKey);
    expect(calls[0]!.url).toContain(apiKey);
    expect(calls[0]!.body).toContain(apiKey);
    for (const text of [JSON.stringify(error), error.message, String(error), error.stack ?? '', error.responseBody ?? '', JSON.stringify(events)]) {
      expect(text).not.toContain(apiKey);
    }
    expect(JSON.stringify(error)).toContain('***');
    expect(JSON.stringify(events)).toContain('***');
    if (messageHasUrl) {
      expect(error.message).toContain('***');
      expect(String(error)).toContain('***');
    }
    expect(error.url).toBe(`${baseUrl}/clone?api_key=***`);
    expect(events.length).toBeGreaterThan(0);
  });

  it('hides credential query parameters even when they are not listed as secrets', async () => {
    handle('get', '/status', () => new HttpResponse(null, { status: 404 }));
    const client = createHttpClient({ provider: 'Vendor', baseUrl });

    const error = (await rejection(client.request({ path: '/status', query: { task_id: 't1', token: 'unlisted-token' }, validate: isVoice }))) as ApiCallError;

    expect(error.url).toBe(`${baseUrl}/status?task_id=t1&token=***`);
    expect(error.message).not.toContain('unlisted-token');
  });
});
