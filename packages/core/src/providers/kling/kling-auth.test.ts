import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors/usage-error.js';
import { createKlingAuth, parseKlingKey } from './kling-auth.js';

const accessKey = 'AK-FAKE-4f0c2d9e1b7a';
const secretKey = 'SK-FAKE-8e3b6a1c5d2f-SECRET';
const pair = `${accessKey}:${secretKey}`;
const start = Date.UTC(2026, 10, 21, 10, 0, 0);

async function bearerOf(headers: Promise<Record<string, string>>): Promise<string> {
  const { authorization } = await headers;
  expect(authorization).toMatch(/^Bearer \S+$/);
  return authorization!.slice('Bearer '.length);
}

describe('parseKlingKey', () => {
  it('reads a key without a colon as an API key, and <access key>:<secret key> as the JWT pair', () => {
    expect(parseKlingKey(' kling-api-key ')).toEqual({ kind: 'apiKey', apiKey: 'kling-api-key' });
    expect(parseKlingKey(pair)).toEqual({ kind: 'accessKey', accessKey, secretKey });
    expect(parseKlingKey('ak:sk:with:colons')).toEqual({ kind: 'accessKey', accessKey: 'ak', secretKey: 'sk:with:colons' });
    expect(parseKlingKey(undefined)).toBeUndefined();
    expect(parseKlingKey('  ')).toBeUndefined();
  });

  it.each([`${accessKey}:`, `:${secretKey}`])('refuses a pair with an empty half (%s) without quoting it', (key) => {
    let error: unknown;
    try {
      parseKlingKey(key);
    } catch (caught) {
      error = caught;
    }
    expect(UsageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/KLING_API_KEY holds a colon but nothing (after|before) it.*<access key>:<secret key>/);
    expect((error as Error).message).not.toContain(accessKey);
    expect((error as Error).message).not.toContain(secretKey);
  });
});

describe('createKlingAuth', () => {
  it('sends an API key as it is', async () => {
    const auth = createKlingAuth('kling-api-key');

    expect(auth.usesJwt).toBe(false);
    expect(await auth.headers()).toEqual({ authorization: 'Bearer kling-api-key' });
    expect(auth.secrets()).toEqual(['kling-api-key']);
  });

  it('signs an HS256 JWT {iss, exp: now + 1800, nbf: now - 5} with the secret key', async () => {
    const auth = createKlingAuth(pair, { now: () => start });

    const token = await bearerOf(auth.headers());

    expect(auth.usesJwt).toBe(true);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secretKey), {
      algorithms: ['HS256'],
      issuer: accessKey,
      currentDate: new Date(start),
    });
    expect(payload).toEqual({ iss: accessKey, exp: start / 1000 + 1800, nbf: start / 1000 - 5 });
  });

  it('reuses the token until 5 minutes before it expires, then signs a new one', async () => {
    let clock = start;
    const auth = createKlingAuth(pair, { now: () => clock });

    const first = await bearerOf(auth.headers());
    clock = start + 24 * 60_000;
    expect(await bearerOf(auth.headers())).toBe(first);
    clock = start + 25 * 60_000;
    const second = await bearerOf(auth.headers());

    expect(second).not.toBe(first);
    const { payload } = await jwtVerify(second, new TextEncoder().encode(secretKey), { currentDate: new Date(clock) });
    expect(payload.exp).toBe(clock / 1000 + 1800);
    expect(auth.secrets()).toEqual([pair, accessKey, secretKey, first, second]);
  });

  it('hands out one live list of secrets, so a list taken before a token is signed covers that token', async () => {
    const auth = createKlingAuth(pair, { now: () => start });
    const taken = auth.secrets();

    const token = await bearerOf(auth.headers());

    expect(taken).toBe(auth.secrets());
    expect(taken).toContain(token);
  });

  it('remembers the last 8 tokens only', async () => {
    let clock = start;
    const auth = createKlingAuth(pair, { now: () => clock });
    const tokens: string[] = [];
    for (let index = 0; index < 10; index++) {
      tokens.push(await bearerOf(auth.headers()));
      clock += 30 * 60_000;
    }

    expect(auth.secrets()).toEqual([pair, accessKey, secretKey, ...tokens.slice(2)]);
  });

  it('signs once for requests that start together', async () => {
    const auth = createKlingAuth(pair, { now: () => start });

    const tokens = await Promise.all([bearerOf(auth.headers()), bearerOf(auth.headers()), bearerOf(auth.headers())]);

    expect(new Set(tokens).size).toBe(1);
    expect(auth.secrets()).toHaveLength(4);
  });

  it('signs anew after invalidate(), using Kling\'s clock once it differs', async () => {
    let clock = start;
    const auth = createKlingAuth(pair, { now: () => clock });
    const first = await bearerOf(auth.headers());

    clock += 1_000;
    const vendorNow = start + 40 * 60_000;
    auth.observeVendorClock(new Date(vendorNow).toUTCString());
    auth.invalidate();
    const second = await bearerOf(auth.headers());

    expect(second).not.toBe(first);
    const { payload } = await jwtVerify(second, new TextEncoder().encode(secretKey), { currentDate: new Date(vendorNow) });
    expect(payload).toMatchObject({ nbf: vendorNow / 1000 - 5, exp: vendorNow / 1000 + 1800 });
  });

  it('ignores a Date header that only differs by rounding, and one that cannot be read', async () => {
    const auth = createKlingAuth(pair, { now: () => start + 900 });
    auth.observeVendorClock(new Date(start).toUTCString());
    auth.observeVendorClock('not a date');
    auth.observeVendorClock(null);

    const { payload } = await jwtVerify(await bearerOf(auth.headers()), new TextEncoder().encode(secretKey), { currentDate: new Date(start) });

    expect(payload.nbf).toBe(start / 1000 - 5);
  });

  it('throws the missing-key error from headers() and requireKey()', async () => {
    const auth = createKlingAuth(undefined);

    expect(() => auth.requireKey()).toThrow(/Kling needs a key: set KLING_API_KEY/);
    await expect(auth.headers()).rejects.toThrow(/KLING_API_KEY/);
    expect(auth.secrets()).toEqual([]);
  });

  it('defers the complaint about a malformed pair to the first call', async () => {
    const auth = createKlingAuth(`${accessKey}:`);

    expect(() => auth.requireKey()).toThrow(/nothing after it/);
    await expect(auth.headers()).rejects.toThrow(/nothing after it/);
  });
});
