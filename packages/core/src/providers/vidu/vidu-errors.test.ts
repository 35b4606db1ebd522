import { describe, expect, it } from 'vitest';
import errors from './__fixtures__/errors.json' with { type: 'json' };
import { createViduErrorParser } from './vidu-errors.js';

const parse = createViduErrorParser({ quotaRetryDelayMs: 10_000 });
const noHeaders = new Headers();

describe('createViduErrorParser', () => {
  it('reads the documented fixture shape: code, message and metadata.trace_id', () => {
    expect(parse(errors.FieldInvalid, 400, noHeaders)).toEqual({
      code: 'FieldInvalid',
      message: 'audio_url could not be downloaded: HTTP 404',
      requestId: '5c1e0b7f2a9d4e32',
      isRetryable: false,
    });
  });

  // VENDORS.md §3.4: the body shape is UNKNOWN-ish, client code reads message / msg / error.
  it.each([
    ['msg', { code: 'FieldInvalid', msg: 'speed out of range' }],
    ['error', { reason: 'FieldInvalid', error: 'speed out of range' }],
    ['error.message', { error: { code: 'FieldInvalid', message: 'speed out of range' } }],
    ['an HTTP status in code and the word in reason', { code: 400, reason: 'FieldInvalid', message: 'speed out of range' }],
    ['err_code', { err_code: 'FieldInvalid', message: 'speed out of range' }],
  ])('reads the code and text from %s', (_name, body) => {
    expect(parse(body, 400, noHeaders)).toMatchObject({ code: 'FieldInvalid', message: 'speed out of range', isRetryable: false });
  });

  it('names the field when Vidu gives it apart from the text', () => {
    expect(parse({ code: 'FieldLacking', message: 'field is missing or empty', metadata: { fields: ['text'] } }, 400, noHeaders)).toMatchObject({
      message: 'field is missing or empty (field text)',
    });
  });

  it('marks QuotaExceeded as a rate limit Vidu never accepted, retried after a long wait or Retry-After', () => {
    expect(parse(errors.QuotaExceeded, 429, noHeaders)).toMatchObject({
      code: 'QuotaExceeded',
      isRateLimit: true,
      neverAccepted: true,
      isRetryable: true,
      retryAfterMs: 10_000,
    });
    expect(parse(errors.QuotaExceeded, 429, new Headers({ 'retry-after': '7' }))).toMatchObject({ retryAfterMs: 7_000 });
  });

  it('keeps the client defaults for a 500 and for a body that is not JSON', () => {
    expect(parse(errors.InternalServiceFailure, 500, noHeaders)).toEqual({
      code: 'InternalServiceFailure',
      message: 'internal service failure',
      requestId: '5c1e0b7f2a9d4e3c',
    });
    expect(parse('<html>bad gateway</html>', 502, noHeaders)).toEqual({});
  });

  it('explains an authentication failure even without a vendor code', () => {
    expect(parse({}, 401, noHeaders)).toMatchObject({ isRetryable: false, neverAccepted: true, message: expect.stringMatching(/Token <API key>.*VIDU_API_KEY/) });
  });
});
