import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError } from '../errors/api-call-error.js';
import { createHttpClient } from './create-http-client.js';
import { DEFAULT_MAX_RESPONSE_BYTES, formatBytes } from './size-limits.js';

// What answers at a vendor's url cannot make voxform hold more than the limit in memory.
const baseUrl = 'https://api.vendor.test';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A body that never ends, counting what was pulled from it. */
function endless(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  return {
    stream: new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
    pulled: () => pulled,
  };
}

const client = (maxResponseBytes?: number) =>
  createHttpClient({ provider: 'Vendor', baseUrl, retry: { retries: 3, sleep: async () => {} }, ...(maxResponseBytes ? { maxResponseBytes } : {}) });

async function failure(promise: Promise<unknown>): Promise<ApiCallError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!ApiCallError.isInstance(error)) throw new Error(`expected an ApiCallError, got ${String(error)}`);
  return error;
}

describe('response size limits', () => {
  it('stops reading an endless JSON answer at the limit, without retrying it', async () => {
    const body = endless();
    let calls = 0;
    server.use(http.get(`${baseUrl}/v1/status`, () => (calls++, new HttpResponse(body.stream, { headers: { 'content-type': 'application/json' } }))));
    const error = await failure(client(1024 * 1024).request({ path: '/v1/status', validate: (value): value is unknown => true }));
    expect(error.message).toContain('the answer is larger than the limit of 1 MiB (more than');
    expect(error.message).toContain("check the provider's baseUrl");
    expect(error.isRetryable).toBe(false);
    expect(calls).toBe(1);
    expect(body.pulled()).toBeLessThan(2 * 1024 * 1024);
  });

  it('refuses a bytes answer whose declared length is over the limit, before reading it', async () => {
    server.use(http.get(`${baseUrl}/sample.wav`, () => new HttpResponse(new Uint8Array(10), { headers: { 'content-length': String(5 * 1024 * 1024 * 1024) } })));
    const error = await failure(client().request({ path: '/sample.wav', responseType: 'bytes' }));
    expect(error.message).toContain(`larger than the limit of ${formatBytes(DEFAULT_MAX_RESPONSE_BYTES)} (5368709120 bytes announced)`);
  });

  it('cuts an endless error page and still reports the HTTP error', async () => {
    const body = endless();
    server.use(http.get(`${baseUrl}/v1/status`, () => new HttpResponse(body.stream, { status: 400 })));
    const error = await failure(client().request({ path: '/v1/status', validate: (value): value is unknown => true, retries: 0 }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('HTTP 400');
    expect(body.pulled()).toBeLessThan(4 * 1024 * 1024);
  });

  it('reads answers within the limit as before', async () => {
    server.use(http.get(`${baseUrl}/v1/status`, () => HttpResponse.json({ ok: 'yes' })));
    expect((await client(64).request({ path: '/v1/status', validate: (value): value is { ok: string } => true })).value).toEqual({ ok: 'yes' });
  });
});
