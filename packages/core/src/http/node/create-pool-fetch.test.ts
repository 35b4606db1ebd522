import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiCallError } from '../../errors/api-call-error.js';
import { createHttpClient } from '../create-http-client.js';
import { describeNetworkError, isNetworkError } from '../describe-network-error.js';
import { createNodeDispatcher } from './create-node-dispatcher.js';
import { createPoolFetch } from './create-pool-fetch.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A real HTTP server on a free port: what it received, and `answer` to say how it replies. */
async function startServer(answer: (request: Received, response: ServerResponse) => void): Promise<{ origin: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      answer(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const servers: Server[] = [];
let dispatcher: Agent;
let poolFetch: typeof fetch;

beforeEach(async () => {
  dispatcher = await createNodeDispatcher({ headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 });
  poolFetch = await createPoolFetch(dispatcher);
});
afterEach(async () => {
  await dispatcher.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('createPoolFetch', () => {
  it('sends the method, headers and body, and answers with a standard Response', async () => {
    const { origin, received } = await startServer((_, response) => {
      response.writeHead(201, 'Made It', { 'content-type': 'application/json', 'x-request-id': 'req-7' });
      response.end('{"ok":true,"text":"é"}');
    });
    const response = await poolFetch(`${origin}/v1/t2a?x=1`, {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }),
      body: '{"text":"héllo"}',
    });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made It');
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('req-7');
    expect(await response.json()).toEqual({ ok: true, text: 'é' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/t2a?x=1' });
    expect(received[0]!.headers).toMatchObject({ authorization: 'Bearer k', 'content-type': 'application/json', 'accept-encoding': 'identity' });
    expect(received[0]!.body.toString('utf8')).toBe('{"text":"héllo"}');
  });

  it('sends a FormData body as multipart with a Content-Length, files intact', async () => {
    const { origin, received } = await startServer((_, response) => response.end('{}'));
    const sample = new Uint8Array(70_000).map((_, index) => (index * 31) % 256);
    const form = new FormData();
    form.append('purpose', 'voice_clone');
    form.append('file', new Blob([sample], { type: 'audio/wav' }), 'narrator.wav');
    await (await poolFetch(`${origin}/upload`, { method: 'POST', body: form })).text();

    const request = received[0]!;
    expect(request.headers['content-length']).toBe(String(request.body.byteLength));
    expect(request.headers['transfer-encoding']).toBeUndefined();
    const parsed = await new Response(new Uint8Array(request.body), { headers: { 'content-type': request.headers['content-type']! } }).formData();
    expect(parsed.get('purpose')).toBe('voice_clone');
    const file = parsed.get('file') as File;
    expect(file.name).toBe('narrator.wav');
    expect(file.type).toBe('audio/wav');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(sample);
  });

  it('follows redirects, keeping the Authorization header on the same origin and dropping it on another', async () => {
    const storage = await startServer((_, response) => response.end('audio bytes'));
    const api = await startServer((request, response) => {
      if (request.url === '/same') response.writeHead(302, { location: '/moved' }).end();
      else if (request.url === '/other') response.writeHead(307, { location: `${storage.origin}/file.wav` }).end();
      else response.end('moved here');
    });
    const headers = { authorization: 'Bearer secret-key' };

    expect(await (await poolFetch(`${api.origin}/same`, { headers })).text()).toBe('moved here');
    expect(api.received.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/same', 'Bearer secret-key'],
      ['/moved', 'Bearer secret-key'],
    ]);

    expect(await (await poolFetch(`${api.origin}/other`, { headers })).text()).toBe('audio bytes');
    expect(storage.received).toHaveLength(1);
    expect(storage.received[0]!.headers.authorization).toBeUndefined();
  });

  it('streams the body: it is read as it arrives, and the signal stops it part-way', async () => {
    let sent = 0;
    const { origin } = await startServer((_, response) => {
      response.writeHead(200, { 'content-type': 'audio/wav' });
      // Never ends on its own: only a reader that streams can get the first bytes.
      const timer = setInterval(() => {
        response.write(Buffer.alloc(16 * 1024, 1));
        sent++;
      }, 5);
      response.on('close', () => clearInterval(timer));
    });
    const controller = new AbortController();
    const response = await poolFetch(`${origin}/audio`, { signal: controller.signal });
    const reader = response.body!.getReader();
    let bytes = 0;
    while (bytes < 64 * 1024) bytes += (await reader.read()).value!.byteLength;
    expect(sent).toBeGreaterThan(0);

    controller.abort(new Error('stopped by the caller'));
    const error = await rejection((async () => {
      for (;;) if ((await reader.read()).done) return;
    })());
    expect(error).toBeInstanceOf(Error);
  });

  it('gives no body for 204 and 304', async () => {
    const { origin } = await startServer((request, response) => response.writeHead(request.url === '/none' ? 204 : 304).end());
    const none = await poolFetch(`${origin}/none`, { method: 'DELETE' });
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
    expect((await poolFetch(`${origin}/same`)).status).toBe(304);
  });

  it('fails like fetch when the connection is refused: a network error that was never sent', async () => {
    const { origin, server } = await startServer(() => {});
    await new Promise((resolve) => server.close(resolve));
    const error = await rejection(poolFetch(`${origin}/v1/t2a`, { method: 'POST', body: '{}' }));
    expect(isNetworkError(error)).toBe(true);
    expect(describeNetworkError(error)).toMatchObject({ code: 'ECONNREFUSED', neverSent: true });
  });

  it('reports a body that breaks off as a network error', async () => {
    const { origin } = await startServer((_, response) => {
      response.writeHead(200, { 'content-length': '100000' });
      response.write(Buffer.alloc(10_000));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const response = await poolFetch(`${origin}/audio`);
    const error = await rejection(response.arrayBuffer());
    expect(isNetworkError(error)).toBe(true);
  });

  it('rejects a status no Response can have as fetch does, with a TypeError', async () => {
    const { origin } = await startServer((_, response) => response.writeHead(600).end('?'));
    const error = await rejection(poolFetch(`${origin}/odd`));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
  });

  it('refuses what it does not do instead of doing it differently', async () => {
    await expect(poolFetch('http://127.0.0.1:9/x', { redirect: 'manual' })).rejects.toThrow(/follows redirects/);
    await expect(poolFetch(new Request('http://127.0.0.1:9/x'))).rejects.toThrow(/takes a url/);
  });

  it('carries the HTTP client: JSON answers, retries and the status text of errors', async () => {
    let calls = 0;
    const { origin } = await startServer((_, response) => {
      calls++;
      if (calls === 1) response.writeHead(503, { 'retry-after': '0' }).end('busy');
      else if (calls === 2) response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"audio":"https://cdn.example/a.wav"}}');
      else response.writeHead(402, { 'content-type': 'application/json' }).end('{"message":"insufficient balance"}');
    });
    const client = createHttpClient({ provider: 'Vendor', baseUrl: origin, fetch: poolFetch, retry: { baseDelayMs: 1, sleep: async () => {} } });
    const answer = await client.request({ path: '/v1/t2a', json: { text: 'hi' }, validate: (value): value is { data: { audio: string } } => typeof value === 'object' });
    expect(answer.value.data.audio).toBe('https://cdn.example/a.wav');
    expect(calls).toBe(2);

    const error = await rejection(client.request({ path: '/v1/t2a', json: { text: 'hi' }, validate: (value): value is unknown => true }));
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect((error as ApiCallError).message).toContain('HTTP 402 Payment Required (insufficient balance)');
  });
});
