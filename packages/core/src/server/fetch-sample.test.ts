import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSample, isPublicAddress } from './fetch-sample.js';
import { Refusal } from './refusal.js';

// Real servers on loopback: what a sample URL pointing into the server's own network would reach.
interface Target {
  server: Server;
  origin: string;
  host: string;
  port: number;
  requests: string[];
}

async function startTarget(answer: (path: string, response: import('node:http').ServerResponse) => void): Promise<Target> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    answer(request.url ?? '', response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, port, requests };
}

const sampleBytes = new Uint8Array(4096).map((_, index) => index % 251);
let files: Target;
let secrets: Target;
let redirector: Target;

beforeAll(async () => {
  files = await startTarget((path, response) => {
    if (path === '/big') {
      response.writeHead(200, { 'content-length': String(2_000_000) });
      response.end(new Uint8Array(2_000_000));
    } else if (path === '/big-chunked') {
      response.writeHead(200, { 'content-type': 'audio/wav' });
      for (let index = 0; index < 20; index++) response.write(new Uint8Array(100_000));
      response.end();
    } else {
      response.writeHead(200, { 'content-type': 'audio/wav' });
      response.end(sampleBytes);
    }
  });
  secrets = await startTarget((_path, response) => response.end('internal secret'));
  redirector = await startTarget((path, response) => {
    const to = decodeURIComponent(path.slice('/to/'.length));
    response.writeHead(302, { location: to });
    response.end();
  });
});
afterAll(async () => {
  for (const target of [files, secrets, redirector]) {
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  }
});

async function refusalOf(promise: Promise<unknown>): Promise<Refusal> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Refusal);
  return error as Refusal;
}

const limit = { maxBytes: 1_000_000 };

describe('fetchSample', () => {
  it('refuses a loopback address written in the URL, without connecting', async () => {
    const refusal = await refusalOf(fetchSample(`${secrets.origin}/x.wav`, limit));
    expect(refusal.status).toBe(400);
    expect(refusal.message).toContain('127.0.0.1, a loopback address');
    expect(secrets.requests).toEqual([]);
  });

  it('refuses a name that resolves to loopback: the resolved address is checked, not the name', async () => {
    const refusal = await refusalOf(fetchSample(`http://localhost:${secrets.port}/x.wav`, limit));
    expect(refusal.status).toBe(400);
    expect(refusal.message).toMatch(/leads to (127\.0\.0\.1|::1), a loopback address/);
    expect(secrets.requests).toEqual([]);
  });

  it('refuses link-local, private and IPv6 loopback addresses, IPv4-mapped ones included', async () => {
    for (const [url, range] of [
      ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
      ['http://10.0.0.7/sample.wav', 'private'],
      ['http://[::1]:9/sample.wav', 'loopback'],
      ['http://[::ffff:127.0.0.1]:9/sample.wav', 'loopback'],
      ['http://0.0.0.0:9/sample.wav', 'unspecified'],
    ] as const) {
      const refusal = await refusalOf(fetchSample(url, limit));
      expect(refusal.message, url).toContain(`a ${range} address`);
    }
  });

  it('fetches from a private host the policy names', async () => {
    const sample = await fetchSample(`${files.origin}/sample.wav`, { ...limit, allowPrivateHosts: [files.host] });
    expect(sample.bytes).toEqual(sampleBytes);
    expect(sample.url).toBe(`${files.origin}/sample.wav`);
  });

  it('checks every redirect again: an allowed host cannot forward to one that is not', async () => {
    const policy = { ...limit, allowPrivateHosts: [redirector.host] };
    const byAddress = await refusalOf(fetchSample(`${redirector.origin}/to/${encodeURIComponent(`${secrets.origin}/x`)}`, policy));
    expect(byAddress.message).toContain(`${secrets.origin}/x leads to 127.0.0.1`);
    const byName = await refusalOf(fetchSample(`${redirector.origin}/to/${encodeURIComponent(`http://localhost:${secrets.port}/x`)}`, policy));
    expect(byName.message).toContain('a loopback address');
    expect(secrets.requests).toEqual([]);
    expect(redirector.requests).toHaveLength(2);
  });

  it('follows redirects to allowed hosts, up to a limit', async () => {
    const policy = { ...limit, allowPrivateHosts: [redirector.host, files.host] };
    const sample = await fetchSample(`${redirector.origin}/to/${encodeURIComponent(`${files.origin}/sample.wav`)}`, policy);
    expect(sample.url).toBe(`${files.origin}/sample.wav`);
    const loop = `${redirector.origin}/to/${encodeURIComponent(`${redirector.origin}/to/x`)}`;
    const refusal = await refusalOf(fetchSample(loop, { ...policy, maxRedirects: 0 }));
    expect(refusal.message).toContain('redirects more than 0 times');
  });

  it('answers 413 past the size cap, announced or streamed', async () => {
    const policy = { maxBytes: 1_000_000, allowPrivateHosts: true as const };
    const announced = await refusalOf(fetchSample(`${files.origin}/big`, policy));
    expect(announced.status).toBe(413);
    expect(announced.message).toContain('larger than the 1000000-byte limit');
    const streamed = await refusalOf(fetchSample(`${files.origin}/big-chunked`, policy));
    expect(streamed.status).toBe(413);
  });

  it('takes only http(s) URLs without credentials', async () => {
    expect((await refusalOf(fetchSample('file:///etc/passwd', limit))).message).toContain('file: URLs are not fetched');
    expect((await refusalOf(fetchSample('not a url', limit))).message).toContain('is not a URL');
    expect((await refusalOf(fetchSample('http://user:pass@example.com/a.wav', limit))).message).toContain('credentials');
  });
});

describe('isPublicAddress', () => {
  it('accepts only globally routable unicast addresses', () => {
    for (const address of ['8.8.8.8', '93.184.216.34', '2001:4860:4860::8888']) expect(isPublicAddress(address), address).toBe(true);
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.1.1', '0.0.0.0', '224.0.0.1', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '::']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });
});
