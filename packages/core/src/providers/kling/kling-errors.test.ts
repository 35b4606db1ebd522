import { describe, expect, it } from 'vitest';
import errors from './__fixtures__/errors.json' with { type: 'json' };
import { klingErrorHandling, readEnvelope } from './kling-errors.js';

const noHeaders = new Headers();
const staticKey = klingErrorHandling({ usesJwt: false, concurrencyRetryDelayMs: 10_000 });
const jwt = klingErrorHandling({ usesJwt: true, concurrencyRetryDelayMs: 10_000 });

type Code = keyof typeof errors;
const parse = (code: Code, handling = staticKey, headers = noHeaders) => handling.parseError(errors[code].body, errors[code].status, headers);

describe('readEnvelope', () => {
  it('reads code, message and request_id; a digit string code is a number', () => {
    expect(readEnvelope({ code: 0, message: 'SUCCEED', request_id: 'r1', data: {} })).toEqual({ code: 0, message: 'SUCCEED', requestId: 'r1' });
    expect(readEnvelope({ code: '1303', message: ' busy ' })).toEqual({ code: 1303, message: 'busy', requestId: undefined });
    expect(readEnvelope({ message: 'no code' })).toBeUndefined();
    expect(readEnvelope('<html>bad gateway</html>')).toBeUndefined();
    expect(readEnvelope([1])).toBeUndefined();
  });
});

describe('klingErrorHandling', () => {
  it('finds an error envelope in a 200 answer, and none in a success', () => {
    expect(staticKey.checkSuccess({ code: 0, message: 'SUCCEED', request_id: 'r', data: {} }, noHeaders)).toBeUndefined();
    expect(staticKey.checkSuccess({ code: 1201, message: 'voice_url is invalid', request_id: 'r2' }, noHeaders)).toMatchObject({
      code: 1201,
      requestId: 'r2',
      isRetryable: false,
      message: expect.stringMatching(/^"voice_url is invalid"; Kling refused the request: check the sample URL/),
    });
    expect(staticKey.checkSuccess({ data: {} }, noHeaders)).toBeUndefined();
  });

  it.each(['1000', '1001', '1002'] as const)('explains %s as refused credentials, in the words of the key form in use', (code) => {
    expect(parse(code)).toMatchObject({ code: Number(code), isRetryable: false, neverAccepted: true, isRateLimit: false, requestId: `req-${code}` });
    expect(parse(code)!.message).toMatch(/Kling refused the API key: check KLING_API_KEY; KLING_API_KEY may hold a Kling API key .*<access key>:<secret key>/);
    expect(parse(code, jwt)!.message).toMatch(/Kling refused the JWT signed with the access key and secret key of KLING_API_KEY/);
  });

  it.each([
    ['1003', /not valid yet \(nbf\): this computer's clock is ahead/],
    ['1004', /has expired: this computer's clock may be behind/],
  ] as const)('explains %s with the clock, and hands the Date header over', (code, advice) => {
    const dates: Array<string | null> = [];
    const handling = klingErrorHandling({ usesJwt: true, concurrencyRetryDelayMs: 10_000, onTokenRefused: (headers) => dates.push(headers.get('date')) });

    const details = parse(code, handling, new Headers({ date: 'Sat, 21 Nov 2026 10:40:00 GMT' }));

    expect(details).toMatchObject({ code: Number(code), isRetryable: false, neverAccepted: true });
    expect(details!.message).toMatch(advice);
    expect(details!.message).toMatch(/time synchronisation/);
    expect(dates).toEqual(['Sat, 21 Nov 2026 10:40:00 GMT']);
    expect(parse(code)!.message).toMatch(/JWT expiry or clock skew/);
  });

  it.each([
    ['1100', /problem with the account/],
    ['1101', /in arrears \(postpaid\): settle the bill/],
    ['1102', /resource pack is used up or has expired \(prepaid\): buy or renew/],
    ['1103', /may not use Kling's custom voices.*permissions/],
    ['1304', /IP whitelist refused this machine's address/],
  ] as const)('fails %s at once, not as a rate limit despite its HTTP 429, saying what to check', (code, advice) => {
    const details = parse(code)!;
    expect(details).toMatchObject({ code: Number(code), isRetryable: false, isRateLimit: false, neverAccepted: true });
    expect(details.message).toMatch(advice);
  });

  it.each([
    ['1200', /^"Invalid request parameters"; Kling refused the request/],
    ['1201', /^"voice_name must be at most 20 characters, got 21"; Kling refused the request/],
    ['duplicateVoiceName', /another voice of the Kling account already has this name: set the voice's options.voiceName/],
    ['1202', /does not know the requested resource/],
    ['1203', /does not know the requested resource/],
    ['1300', /content policy refused the sample/],
    ['1301', /content policy refused the sample/],
  ] as const)('fails %s at once, quoting Kling', (code, advice) => {
    const details = parse(code)!;
    expect(details).toMatchObject({ isRetryable: false, neverAccepted: true });
    expect(details.message).toMatch(advice);
  });

  it('retries 1302 as a rate limit', () => {
    expect(parse('1302')).toMatchObject({ code: 1302, isRetryable: true, isRateLimit: true, neverAccepted: true });
  });

  it('waits out 1303 for a long time, or for Retry-After', () => {
    expect(parse('1303')).toMatchObject({ code: 1303, isRetryable: true, isRateLimit: true, neverAccepted: true, retryAfterMs: 10_000 });
    expect(parse('1303', staticKey, new Headers({ 'retry-after': '4' }))).toMatchObject({ retryAfterMs: 4_000 });
  });

  it.each(['5000', '5001', '5002'] as const)('retries the server error %s', (code) => {
    expect(parse(code)).toMatchObject({ code: Number(code), isRetryable: true, message: expect.stringMatching(/usually temporary/) });
    expect(parse(code)!.neverAccepted).toBeUndefined();
  });

  it('keeps the client defaults for an unknown code and for a body that is not JSON, but explains a bare 401', () => {
    expect(staticKey.parseError({ code: 9999, message: 'new', request_id: 'r' }, 400, noHeaders)).toEqual({ code: 9999, message: 'new', requestId: 'r' });
    expect(staticKey.parseError('<html>bad gateway</html>', 502, noHeaders)).toBeUndefined();
    expect(staticKey.parseError('unauthorized', 401, noHeaders)).toMatchObject({ isRetryable: false, neverAccepted: true, message: expect.stringMatching(/KLING_API_KEY/) });
  });
});
