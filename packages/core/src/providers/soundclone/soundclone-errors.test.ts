import { describe, expect, it } from 'vitest';
import errors from './__fixtures__/errors.json' with { type: 'json' };
import { describeSoundCloneError, envelopeCode, soundCloneErrorHandling, soundCloneErrorText, unwrapEnvelope } from './soundclone-errors.js';

const noHeaders = new Headers();

describe('envelopes', () => {
  it('recognises the reseller envelope, with its code as a number or a digit string', () => {
    expect(envelopeCode({ code: 20000, msg: 'ok', data: { id: 'a' } })).toBe(20000);
    expect(envelopeCode({ code: '40001', msg: 'bad' })).toBe(40001);
    expect(unwrapEnvelope({ code: 20000, msg: 'ok', data: { id: 'a' } })).toEqual({ id: 'a' });
  });

  it('leaves bare task objects and Spring error bodies alone', () => {
    const task = { id: 'audio_1', status: 'queued' };
    expect(envelopeCode(task)).toBeUndefined();
    expect(unwrapEnvelope(task)).toBe(task);
    expect(envelopeCode(errors.BadRequest)).toBeUndefined();
  });

  it('passes a success envelope and turns any other code in a 200 answer into an error with its msg', () => {
    const { checkSuccess } = soundCloneErrorHandling({ operation: 'synthesis' });
    expect(checkSuccess({ code: 20000, msg: 'ok', data: {} }, noHeaders)).toBeUndefined();
    expect(checkSuccess({ id: 'audio_1', status: 'queued' }, noHeaders)).toBeUndefined();
    expect(checkSuccess(errors.EnvelopeRefused, noHeaders)).toMatchObject({ code: 40001, message: '"contentText must be shorter than 10000 characters"' });
  });
});

describe('soundCloneErrorText', () => {
  // VENDORS.md §2.5: the direct base's error body is UNKNOWN; read the explanation from any usual field.
  it.each([
    ['Spring Boot (message, not the reason phrase in error)', errors.BadRequest, "language 'Swedish' requires soundVersion 'v2'"],
    ['the reseller envelope (msg)', errors.EnvelopeRefused, 'contentText must be shorter than 10000 characters'],
    ['error as a string', { error: 'invalid fileUrl' }, 'invalid fileUrl'],
    ['error.message', { error: { message: 'invalid fileUrl' } }, 'invalid fileUrl'],
    ['plain text', 'invalid fileUrl', 'invalid fileUrl'],
  ])('reads %s', (_name, body, expected) => {
    expect(soundCloneErrorText(body)).toBe(expected);
  });

  it('ignores an HTML page', () => {
    expect(soundCloneErrorText('<html><body>Bad Gateway</body></html>')).toBeUndefined();
  });
});

describe('describeSoundCloneError', () => {
  it('explains an authentication failure, naming SOUNDCLONE_API_KEY, as never accepted', () => {
    for (const [body, status] of [
      [errors.Unauthorized, 401],
      [errors.Forbidden, 403],
      [errors.EnvelopeUnauthorized, undefined],
    ] as const) {
      expect(describeSoundCloneError(body, status, { operation: 'clone' })).toMatchObject({
        isRetryable: false,
        neverAccepted: true,
        message: expect.stringMatching(/Bearer <API key>.*SOUNDCLONE_API_KEY/),
      });
    }
  });

  it('marks 429 as a retryable rate limit SoundClone never accepted', () => {
    expect(describeSoundCloneError(errors.TooManyRequests, 429, { operation: 'synthesis' })).toMatchObject({ isRateLimit: true, isRetryable: true, neverAccepted: true });
  });

  it.each([
    ['400 not found', errors.ModelNotFound, 400],
    ['400 expired', errors.ModelExpired, 400],
    ['an envelope', errors.EnvelopeModelExpired, undefined],
  ])('reads an unknown or expired modelId (%s) on audios as an expired voice', (_name, body, status) => {
    const details = describeSoundCloneError(body, status, { operation: 'synthesis', modelId: 'm-1', voiceName: 'announcer' });
    expect(details).toMatchObject({ isRetryable: false, neverAccepted: true });
    expect(details.message).toContain('the SoundClone voice m-1 (voice announcer) has expired or is unknown to SoundClone');
    expect(details.message).toMatch(/voxform apply --refresh.*voxform apply --replace voice\.announcer/);
  });

  it('reads 400 as invalid input with the vendor\'s message and what to check', () => {
    const details = describeSoundCloneError(errors.BadRequest, 400, { operation: 'clone' });
    expect(details).toMatchObject({ isRetryable: false, neverAccepted: true });
    expect(details.message).toMatch(/^"language 'Swedish' requires soundVersion 'v2'"; SoundClone refused the clone: check the sample URL/);
  });

  it('reads 404 on a task query as an unknown task', () => {
    expect(describeSoundCloneError(errors.TaskNotFound, 404, { operation: 'query', taskId: 't-1' })).toMatchObject({
      isRetryable: false,
      message: expect.stringContaining('SoundClone does not know the task t-1'),
    });
  });

  it('keeps the client defaults for 5xx (retried, except on the billable creates)', () => {
    expect(describeSoundCloneError(errors.InternalServerError, 500, { operation: 'synthesis' })).toEqual({ message: '"Service temporarily unavailable"' });
    expect(describeSoundCloneError('<html>bad gateway</html>', 502, { operation: 'query' })).toEqual({});
  });
});
