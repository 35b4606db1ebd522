import { describe, expect, it } from 'vitest';
import errors from './__fixtures__/errors.json' with { type: 'json' };
import { aiVoiceCloneFreeCheckSuccess, createAiVoiceCloneFreeErrorParser } from './aivoiceclonefree-errors.js';

const taskId = '3f9c2d1e-8b7a-4c65-9e10-2a4b6c8d0e1f';
const create = createAiVoiceCloneFreeErrorParser({ operation: 'create-task' });
const status = createAiVoiceCloneFreeErrorParser({ operation: 'task-status', taskId });
const result = createAiVoiceCloneFreeErrorParser({ operation: 'task-result', taskId });
const noHeaders = new Headers();

describe('createAiVoiceCloneFreeErrorParser', () => {
  // VENDORS.md §1.3: the legacy body is UNKNOWN (the emulator's `{"error": "<message>"}`), v2's is `{error: {code, type, message}}`.
  it.each([
    ['the emulator\'s legacy shape', errors.legacy.missingAudio, undefined],
    ['v2\'s nested shape', { error: { code: 'invalid_request', type: 'invalid_request_error', message: 'audio (a file) or audio_url is required' } }, 'invalid_request'],
    ['message', { message: 'audio (a file) or audio_url is required' }, undefined],
    ['msg with a numeric code', { code: 400, msg: 'audio (a file) or audio_url is required' }, 400],
    ['detail', { detail: 'audio (a file) or audio_url is required' }, undefined],
    ['a plain-text body', 'audio (a file) or audio_url is required', undefined],
  ])('reads a 400 from %s as invalid input with the vendor\'s message, never accepted', (_name, body, code) => {
    const details = create(body, 400, noHeaders);

    expect(details).toMatchObject({ isRetryable: false, neverAccepted: true, ...(code === undefined ? {} : { code }) });
    expect(details?.message).toMatch(/^audio \(a file\) or audio_url is required; check the sample \(WAV, MP3 or M4A/);
  });

  it('does not quote an HTML page', () => {
    expect(create('<html><body>Bad Request</body></html>', 400, noHeaders)?.message).toMatch(/^AI Voice Clone Free refused the request; /);
  });

  it.each([
    ['legacy 401', errors.legacy.invalidKey, 401, undefined],
    ['v2 missing_api_key', errors.v2.missingApiKey, 401, 'missing_api_key'],
    ['v2 invalid_api_key', errors.v2.invalidApiKey, 401, 'invalid_api_key'],
    ['403', {}, 403, undefined],
    ['invalid_api_key under another status', errors.v2.invalidApiKey, 400, 'invalid_api_key'],
  ])('reads %s as a refused key, naming AIVOICECLONEFREE_API_KEY', (_name, body, code, vendorCode) => {
    const details = status(body, code, noHeaders);

    expect(details).toMatchObject({ isRetryable: false, neverAccepted: true, ...(vendorCode ? { code: vendorCode } : {}) });
    expect(details?.message).toMatch(/refused the API key: check AIVOICECLONEFREE_API_KEY/);
  });

  it.each([
    ['the fixture', errors.v2.insufficientCredits],
    ['any body', { error: 'payment required' }],
  ])('reads 402 with %s as too few credits', (_name, body) => {
    const details = create(body, 402, noHeaders);

    expect(details).toMatchObject({ isRetryable: false, neverAccepted: true });
    expect(details?.message).toMatch(/too few credits: top it up, then run apply again/);
  });

  it('reads 404 per call: an unknown task, a result not ready, a wrong base URL', () => {
    expect(status(errors.legacy.taskNotFound, 404, noHeaders)).toMatchObject({ isRetryable: false, message: expect.stringMatching(`does not know task ${taskId}`) });
    expect(result(errors.legacy.notCompleted, 404, noHeaders)).toMatchObject({
      isRetryable: false,
      message: expect.stringMatching(`has no result for task ${taskId} \\(not finished yet, or the task is unknown\\)`),
    });
    expect(create({}, 404, noHeaders)?.message).toMatch(/providers\.aivoiceclonefree\.baseUrl/);
  });

  it('reads 410 as expired audio, saying to render the line again', () => {
    const details = result(errors.legacy.expired, 410, noHeaders);

    expect(details).toMatchObject({ isRetryable: false });
    expect(details?.message).toMatch(/has expired.*is gone: .*run apply again to render the line anew/);
  });

  it('keeps the client\'s defaults for rate limits and server errors (retried unless billable)', () => {
    expect(create(errors.v2.rateLimit, 429, noHeaders)).toEqual({ code: 'rate_limit_exceeded', message: 'Too many requests, please retry later' });
    expect(status(errors.v2.serverError, 503, noHeaders)).toEqual({ code: 'server_error', message: 'The service is temporarily unavailable' });
    expect(status('<html>bad gateway</html>', 502, noHeaders)).toEqual({});
  });
});

describe('aiVoiceCloneFreeCheckSuccess', () => {
  it('finds an error reported with HTTP 200', () => {
    expect(aiVoiceCloneFreeCheckSuccess({ error: 'text is required' }, noHeaders)).toEqual({ message: 'text is required', isRetryable: false });
    expect(aiVoiceCloneFreeCheckSuccess({ success: false, code: 'E42' }, noHeaders)).toEqual({ code: 'E42', message: 'the answer reports a failure without a reason', isRetryable: false });
  });

  it('lets real answers through, even a failed task that carries an error', () => {
    expect(aiVoiceCloneFreeCheckSuccess({ task_id: taskId, status: 'pending' }, noHeaders)).toBeUndefined();
    expect(aiVoiceCloneFreeCheckSuccess({ task_id: taskId, status: 'failed', error: 'invalid audio' }, noHeaders)).toBeUndefined();
    expect(aiVoiceCloneFreeCheckSuccess({ audio_url: 'https://pub-1.r2.dev/a.mp3' }, noHeaders)).toBeUndefined();
    expect(aiVoiceCloneFreeCheckSuccess({ error: null, status: 'pending' }, noHeaders)).toBeUndefined();
  });
});
