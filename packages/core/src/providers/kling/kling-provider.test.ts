import { decodeProtectedHeader, jwtVerify } from 'jose';
import { HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { validateWithSchema } from '../../validation/schema-validator.js';
import { json, useVendorServer, type Answer, recordingContext } from '../__fixtures__/vendor-server.js';
import type { CreateVoiceRequest, ProviderSettings, SampleInput } from '../provider-v1.js';
import createSubmitted from './__fixtures__/create-voice-submitted.json' with { type: 'json' };
import deleteAnswer from './__fixtures__/delete-voices.json' with { type: 'json' };
import errors from './__fixtures__/errors.json' with { type: 'json' };
import listAnswer from './__fixtures__/list-voices.json' with { type: 'json' };
import queryFailed from './__fixtures__/query-failed.json' with { type: 'json' };
import queryProcessing from './__fixtures__/query-processing.json' with { type: 'json' };
import querySubmitted from './__fixtures__/query-submitted.json' with { type: 'json' };
import querySucceed from './__fixtures__/query-succeed.json' with { type: 'json' };
import { createKlingProvider, type KlingProviderOptions } from './kling-provider.js';

const apiKey = 'kling-FAKE-3d9e7c1a5b20-SECRET-KEY';
const accessKey = 'AK-FAKE-4f0c2d9e1b7a';
const secretKey = 'SK-FAKE-8e3b6a1c5d2f-SECRET';
const keyPair = `${accessKey}:${secretKey}`;
const baseUrl = 'https://api.kling.test';
const voiceId = 'vx-narrator-9f2c1a7b3d4e';
const defaultName = 'narrator-lyjjcp';
const sampleUrl = 'https://samples.example.com/narrator.wav';
const taskId = createSubmitted.data.task_id;
const klingVoice = querySucceed.data.task_result.voices[0]!;
const start = Date.UTC(2026, 10, 21, 10, 0, 0);
const vendorDate = new Date(start).toUTCString();

const { calls, timeline, handle } = useVendorServer(({ method, path, search, authorization, body }) => ({ method, path: path + search, authorization, body }));
const retryDelays: number[] = [];
let clock = start;

afterEach(() => {
  retryDelays.length = 0;
  clock = start;
});

const klingError = (name: keyof typeof errors, headers: Record<string, string> = {}): Answer => json(errors[name].body, errors[name].status, headers);
/** A query answer for another task id or status than the fixture's. */
const task = (fixture: { data: object }, data: Record<string, unknown>): Answer => json({ ...fixture, data: { ...fixture.data, ...data } });

/** A provider whose retry and poll waits are recorded instead of waited, on the test clock. */
function testProvider(overrides: Partial<ProviderSettings> = {}, options: KlingProviderOptions = {}) {
  return createKlingProvider(
    { apiKey, baseUrl, ...overrides },
    {
      now: () => clock,
      ...options,
      retry: { baseDelayMs: 1, random: () => 0, sleep: async (ms) => void retryDelays.push(ms), ...options.retry },
      poll: { intervalMs: 1, sleep: async () => {}, ...options.poll },
    },
  );
}

const testContext = () => recordingContext(timeline);

function sample(location: string, source: 'url' | 'file' = 'url'): SampleInput {
  return {
    source,
    location,
    format: 'wav',
    read: async () => {
      throw new Error('a Kling sample is never read: Kling downloads it');
    },
  };
}

function voiceRequest(overrides: Partial<CreateVoiceRequest> = {}): CreateVoiceRequest {
  return { name: 'narrator', fingerprint: '9f2c1a7b3d4e'.padEnd(64, '0'), sample: sample(sampleUrl), options: {}, suggestedVoiceId: voiceId, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

/** No key, no half of a key pair and no token appears in the error: not in its message, its JSON or its stack. */
function expectNoSecrets(error: Error, tokens: string[] = []) {
  for (const secret of [apiKey, keyPair, accessKey, secretKey, ...tokens]) {
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
    expect(String(error.stack)).not.toContain(secret);
  }
}

/** The JWTs the calls carried, checked: HS256, typ JWT, iss = the access key, valid 1805 s from 5 s before signing. */
async function verifiedTokens(at: number = clock): Promise<string[]> {
  const tokens = [...new Set(calls.map((call) => call.authorization?.replace(/^Bearer /, '') ?? ''))];
  for (const token of tokens) {
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secretKey), { algorithms: ['HS256'], issuer: accessKey, currentDate: new Date(at) });
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iss', 'nbf']);
    expect(payload.exp! - payload.nbf!).toBe(1805);
  }
  return tokens;
}

const createUrl = `${baseUrl}/v1/general/custom-voices`;
const listUrl = createUrl;
const queryUrl = (id: string) => `${baseUrl}/v1/general/custom-voices/${id}`;
const deleteUrl = `${baseUrl}/v1/general/delete-voices`;
const createBody = { voice_name: defaultName, voice_url: sampleUrl, external_task_id: voiceId };
const createdVoice = {
  remoteId: klingVoice.voice_id,
  data: { taskId, externalTaskId: voiceId, voiceName: klingVoice.voice_name, trialUrl: klingVoice.trial_url, ownedBy: klingVoice.owned_by },
  preview: { audio: { type: 'url', url: klingVoice.trial_url }, format: 'mp3' },
};

describe('createKlingProvider: description', () => {
  it('describes Kling: persistent voices, no synthesis, url samples of 5-30 s', () => {
    const provider = createKlingProvider({});
    expect(provider).toMatchObject({ specificationVersion: 'v1', id: 'kling', displayName: 'Kling' });
    expect(provider.capabilities).toEqual({
      persistentVoices: true,
      clientChosenVoiceIds: true,
      synthesis: false,
      maxTextLength: 0,
      sample: { sources: ['url'], formats: ['mp3', 'wav', 'mp4', 'mov'], minDurationMs: 5_000, maxDurationMs: 30_000 },
      outputFormats: ['mp3'],
      defaultConcurrency: 2,
      apiKeyEnv: 'KLING_API_KEY',
    });
    expect(provider.doResumeSynthesis).toBeUndefined();
    expect(provider.doDeleteVoice).toBeTypeOf('function');
    expect(validateWithSchema(provider.settingsSchema!, {}).valid).toBe(true);
    expect(validateWithSchema(provider.lineOptionsSchema, {}).valid).toBe(true);
    expect(validateWithSchema(provider.voiceOptionsSchema, { voiceName: 'Narrator' }).valid).toBe(true);
  });

  it.each([
    ['baseUrl wins over region', { baseUrl: 'https://proxy.example.com/kling', region: 'cn' as const }, 'https://proxy.example.com/kling/v1/general/custom-voices/1'],
    ['region cn', { region: 'cn' as const }, 'https://api-beijing.klingai.com/v1/general/custom-voices/1'],
    ['the default host', {}, 'https://api-singapore.klingai.com/v1/general/custom-voices/1'],
  ])('calls %s', async (_name, hostSettings, expectedUrl) => {
    handle('get', expectedUrl, json(querySucceed, 200, { date: vendorDate }));
    const provider = createKlingProvider({ apiKey, ...hostSettings }, { retry: { retries: 0, rateLimitRetries: 0 } });

    await provider.doCheckVoice!({ remoteId: klingVoice.voice_id, data: { taskId: '1' } }, testContext().context);

    expect(calls.map((call) => call.path)).toEqual([new URL(expectedUrl).pathname]);
  });

  it('refuses every call without a key, naming KLING_API_KEY and both of its forms, before sending anything', async () => {
    const provider = createKlingProvider({ baseUrl });
    const { context } = testContext();
    const attempts = [
      provider.doCreateVoice(voiceRequest(), context),
      provider.doResumeVoice!(voiceRequest(), {}, context),
      provider.doCheckVoice!({ remoteId: klingVoice.voice_id }, context),
      provider.doDeleteVoice!({ remoteId: klingVoice.voice_id }, context),
    ];
    for (const attempt of attempts) {
      const error = await rejection(attempt);
      expect(UsageError.isInstance(error)).toBe(true);
      expect(error.message).toMatch(/KLING_API_KEY to a Kling API key, or to the access key and the secret key joined by a colon/);
    }
    expect(calls).toEqual([]);
  });

  it('refuses a key pair with an empty half before sending anything, without quoting it', async () => {
    const error = await rejection(testProvider({ apiKey: `${accessKey}:` }).doCreateVoice(voiceRequest(), testContext().context));

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/holds a colon but nothing after it/);
    expect(error.message).not.toContain(accessKey);
    expect(calls).toEqual([]);
  });
});

describe('doSynthesize', () => {
  it('refuses: Kling cannot speak text with a custom voice (validation refuses such lines first)', async () => {
    const provider = createKlingProvider({});
    const error = await rejection(
      provider.doSynthesize(
        { text: 'Hello.', voice: { name: 'narrator', fingerprint: 'f', remoteId: '1', options: {}, sample: sample(sampleUrl) }, options: {}, format: 'mp3' },
        testContext().context,
      ),
    );

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/^Kling cannot speak text with a custom voice \(its voices are for video generation\); voxform validate refuses such lines/);
    expect(error.message).toContain("voice 'narrator'");
    expect(calls).toEqual([]);
  });
});

describe('doCreateVoice', () => {
  it('creates with custom-voices and the engine\'s id as external_task_id, records the task, then polls it to succeed', async () => {
    handle('post', createUrl, json(createSubmitted));
    handle('get', queryUrl(taskId), json(querySubmitted), json(queryProcessing), json(querySucceed));
    const { context, recorded, statuses } = testContext();

    const voice = await testProvider().doCreateVoice(voiceRequest(), context);

    expect(calls[0]).toEqual({ method: 'POST', path: '/v1/general/custom-voices', authorization: `Bearer ${apiKey}`, body: createBody });
    expect(calls.slice(1).every((call) => call.method === 'GET' && call.authorization === `Bearer ${apiKey}` && call.body === undefined)).toBe(true);
    expect(timeline).toEqual(['POST /v1/general/custom-voices', `recordTask ${taskId}`, ...Array(3).fill(`GET /v1/general/custom-voices/${taskId}`)]);
    expect(recorded).toEqual([{ taskId }]);
    expect(statuses).toEqual(['submitted', 'processing', 'succeed']);
    expect(voice).toEqual(createdVoice);
  });

  it('sends the voiceName and callbackUrl options', async () => {
    handle('post', createUrl, json(createSubmitted));
    handle('get', queryUrl(taskId), json(querySucceed));

    await testProvider().doCreateVoice(
      voiceRequest({ options: { voiceName: 'Narrator (warm)', callbackUrl: 'https://hooks.example.com/kling' } }),
      testContext().context,
    );

    expect(calls[0]!.body).toEqual({ voice_name: 'Narrator (warm)', voice_url: sampleUrl, external_task_id: voiceId, callback_url: 'https://hooks.example.com/kling' });
  });

  it('signs a JWT from the access key pair and reuses it for every call of the create', async () => {
    handle('post', createUrl, json(createSubmitted));
    handle('get', queryUrl(taskId), json(queryProcessing), json(querySucceed));

    const voice = await testProvider({ apiKey: keyPair }).doCreateVoice(voiceRequest(), testContext().context);

    expect(voice.remoteId).toBe(klingVoice.voice_id);
    expect(calls).toHaveLength(3);
    expect(await verifiedTokens()).toHaveLength(1);
    const { payload } = await jwtVerify(calls[0]!.authorization!.slice(7), new TextEncoder().encode(secretKey), { currentDate: new Date(start) });
    expect(payload).toEqual({ iss: accessKey, exp: start / 1000 + 1800, nbf: start / 1000 - 5 });
  });

  it('signs a new JWT once the cached one is within 5 minutes of its expiry', async () => {
    handle('post', createUrl, json(createSubmitted));
    handle('get', queryUrl(taskId), json(queryProcessing), json(queryProcessing), json(querySucceed));

    // Each poll waits 13 minutes: the token signed at 0 min is replaced at 26 min (it expires at 30).
    await testProvider({ apiKey: keyPair }, { poll: { intervalMs: 1, sleep: async () => void (clock += 13 * 60_000) } }).doCreateVoice(voiceRequest(), testContext().context);

    const authorizations = calls.map((call) => call.authorization);
    expect(authorizations[0]).toBe(authorizations[1]);
    expect(authorizations[1]).toBe(authorizations[2]);
    expect(authorizations[3]).not.toBe(authorizations[2]);
    const { payload } = await jwtVerify(authorizations[3]!.slice(7), new TextEncoder().encode(secretKey), { currentDate: new Date(clock) });
    expect(payload.exp).toBe(start / 1000 + 26 * 60 + 1800);
  });

  it('signs a new JWT from Kling\'s clock and sends the request once more when Kling says the token expired (1004)', async () => {
    const vendorNow = start + 40 * 60_000;
    handle('post', createUrl, klingError('1004', { date: new Date(vendorNow).toUTCString() }), json(createSubmitted));
    handle('get', queryUrl(taskId), json(querySucceed));

    const voice = await testProvider({ apiKey: keyPair }).doCreateVoice(voiceRequest(), testContext().context);

    expect(voice.remoteId).toBe(klingVoice.voice_id);
    expect(calls.map((call) => call.method)).toEqual(['POST', 'POST', 'GET']);
    const [stale, fresh] = [calls[0]!.authorization!.slice(7), calls[1]!.authorization!.slice(7)];
    expect(fresh).not.toBe(stale);
    expect(calls[2]!.authorization).toBe(calls[1]!.authorization);
    await expect(jwtVerify(stale, new TextEncoder().encode(secretKey), { currentDate: new Date(vendorNow) })).rejects.toThrow(/exp/);
    const { payload } = await jwtVerify(fresh, new TextEncoder().encode(secretKey), { currentDate: new Date(vendorNow) });
    expect(payload.nbf).toBe(vendorNow / 1000 - 5);
    expect(retryDelays).toEqual([]);
  });

  it('gives up after one fresh JWT is refused too, pointing at the clock', async () => {
    handle('post', createUrl, klingError('1004'));

    const error = await rejection(testProvider({ apiKey: keyPair }).doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(2);
    expect(error).toMatchObject({ status: 401, code: 1004, isRetryable: false, requestId: 'req-1004' });
    expect(error.message).toMatch(/JWT has expired: this computer's clock may be behind Kling's.*time synchronisation/);
    expectNoSecrets(error, await verifiedTokens());
  });

  it('does not sign anything again for an API key refused with 1004', async () => {
    handle('post', createUrl, klingError('1004'));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ code: 1004, isRetryable: false });
    expectNoSecrets(error);
  });

  it('keeps every key form and token out of an error, even when Kling echoes the Authorization header', async () => {
    handle('post', createUrl, (_call, request) =>
      HttpResponse.json({ code: 1002, message: `Authorization is invalid: ${request.headers.get('authorization')}`, request_id: 'req-echo' }, { status: 401 }),
    );

    const error = await rejection(testProvider({ apiKey: keyPair }).doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 401, code: 1002, isRetryable: false, neverAccepted: true });
    expect(error.message).toContain('Authorization is invalid: Bearer ***');
    expect(error.message).toMatch(/Kling refused the JWT signed with the access key and secret key of KLING_API_KEY/);
    expectNoSecrets(error, await verifiedTokens());
  });

  it('refuses a local sample file with a message to host it', async () => {
    const error = await rejection(testProvider().doCreateVoice(voiceRequest({ sample: sample('/project/samples/narrator.wav', 'file') }), testContext().context));

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/voices\.narrator\.sample: .*host the sample at an https URL/);
    expect(calls).toEqual([]);
  });

  it('fails with task_status_msg when the task fails', async () => {
    handle('post', createUrl, json(createSubmitted));
    handle('get', queryUrl(taskId), json(queryProcessing), json(queryFailed));
    const { context, recorded } = testContext();

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'failed', taskId, status: 'failed' });
    expect(error.message).toContain(`Kling task ${taskId} (voice clone of narrator) failed: ${queryFailed.data.task_status_msg}`);
    expect(recorded).toEqual([{ taskId }]);
    expectNoSecrets(error);
  });

  it('says to apply again when Kling forgets the task while it is polled', async () => {
    handle('post', createUrl, json(createSubmitted));
    handle('get', queryUrl(taskId), json(queryProcessing), klingError('taskNotFound'));
    const { context, recorded } = testContext();

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'failed', taskId });
    expect(error.message).toBe(`Kling no longer knows task ${taskId} (voice clone of narrator): run \`voxform apply\` again to create the voice anew`);
    expect(recorded).toEqual([{ taskId }]);
  });

  it('fails clearly when a succeeded task lists no voice', async () => {
    handle('post', createUrl, json(createSubmitted));
    handle('get', queryUrl(taskId), task(querySucceed, { task_result: { voices: [] } }));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(error.message).toMatch(/succeeded without a voice in task_result.voices/);
  });

  it('reads an error envelope in an HTTP 200 answer as the error it is', async () => {
    handle('post', createUrl, json(errors['1102'].body, 200));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 200, code: 1102, isRetryable: false, requestId: 'req-1102' });
    expect(error.message).toMatch(/resource pack is used up/);
  });

  it('retries a server error on the billable create (the external_task_id makes it idempotent) and looks the duplicate up', async () => {
    handle('post', createUrl, klingError('5000'), klingError('duplicateExternalTaskId'));
    handle('get', queryUrl(voiceId), json(queryProcessing));
    handle('get', queryUrl(taskId), json(querySucceed));
    const { context, recorded } = testContext();

    const voice = await testProvider().doCreateVoice(voiceRequest(), context);

    expect(voice).toEqual(createdVoice);
    expect(calls.map((call) => call.body)).toEqual([createBody, createBody, undefined, undefined]);
    expect(timeline).toEqual([
      'POST /v1/general/custom-voices',
      'POST /v1/general/custom-voices',
      `GET /v1/general/custom-voices/${voiceId}`,
      `recordTask ${taskId}`,
      `GET /v1/general/custom-voices/${taskId}`,
    ]);
    expect(recorded).toEqual([{ taskId }]);
  });

  it('moves on to the next external_task_id when the taken one belongs to a failed task', async () => {
    handle('post', createUrl, klingError('duplicateExternalTaskId'), json({ ...createSubmitted, data: { ...createSubmitted.data, task_id: '861234567000000002' } }));
    handle('get', queryUrl(voiceId), json(queryFailed));
    handle('get', queryUrl('861234567000000002'), task(querySucceed, { task_id: '861234567000000002' }));
    const { context, recorded } = testContext();

    const voice = await testProvider().doCreateVoice(voiceRequest(), context);

    expect(calls[2]!.body).toEqual({ voice_name: expect.stringMatching(/^narrator-[0-9a-z]{6}$/), voice_url: sampleUrl, external_task_id: `${voiceId}-2` });
    expect((calls[2]!.body as { voice_name: string }).voice_name).not.toBe(defaultName);
    expect(recorded).toEqual([{ taskId: '861234567000000002' }]);
    expect(voice.data).toMatchObject({ taskId: '861234567000000002', externalTaskId: `${voiceId}-2` });
  });

  it('moves on to the next external_task_id when Kling no longer shows the task that took it (a deleted voice)', async () => {
    handle('post', createUrl, klingError('duplicateExternalTaskId'), json(createSubmitted));
    handle('get', queryUrl(voiceId), klingError('taskNotFound'));
    handle('get', queryUrl(taskId), json(querySucceed));

    const voice = await testProvider().doCreateVoice(voiceRequest(), testContext().context);

    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /v1/general/custom-voices',
      `GET /v1/general/custom-voices/${voiceId}`,
      'POST /v1/general/custom-voices',
      `GET /v1/general/custom-voices/${taskId}`,
    ]);
    expect(voice.data).toMatchObject({ externalTaskId: `${voiceId}-2` });
  });

  it('moves on to the next external_task_id when the task that took it shows its voice deleted', async () => {
    handle('post', createUrl, klingError('duplicateExternalTaskId'), json(createSubmitted));
    handle('get', queryUrl(voiceId), task(querySucceed, { task_result: { voices: [{ ...klingVoice, status: 'deleted' }] } }));
    handle('get', queryUrl(taskId), json(querySucceed));

    const voice = await testProvider().doCreateVoice(voiceRequest(), testContext().context);

    expect(calls.filter((call) => call.method === 'POST').map((call) => (call.body as { external_task_id: string }).external_task_id)).toEqual([voiceId, `${voiceId}-2`]);
    expect(voice.remoteId).toBe(klingVoice.voice_id);
  });

  it('stops after 5 external_task_ids, with the duplicate error', async () => {
    handle('post', createUrl, klingError('duplicateExternalTaskId'));
    for (const suffix of ['', '-2', '-3', '-4', '-5']) handle('get', queryUrl(`${voiceId}${suffix}`), klingError('taskNotFound'));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls.filter((call) => call.method === 'POST').map((call) => (call.body as { external_task_id: string }).external_task_id)).toEqual([
      voiceId,
      `${voiceId}-2`,
      `${voiceId}-3`,
      `${voiceId}-4`,
      `${voiceId}-5`,
    ]);
    expect(error).toMatchObject({ code: 1201, isRetryable: false });
    expect(error.message).toContain('already exists');
  });

  it('fails at once when another voice has the voice_name, saying how to rename it', async () => {
    handle('post', createUrl, klingError('duplicateVoiceName'));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error.message).toMatch(/set the voice's options.voiceName to another name/);
  });

  it('waits out 1303 (all concurrent tasks of the resource pack taken) with a long backoff, then creates once', async () => {
    handle('post', createUrl, klingError('1303'), klingError('1303'), json(createSubmitted));
    handle('get', queryUrl(taskId), json(querySucceed));
    const rateLimits: string[] = [];
    const limiter = { reportRateLimit: () => void rateLimits.push('limit'), reportSuccess: () => {} };

    const voice = await testProvider({ limiter }).doCreateVoice(voiceRequest(), testContext().context);

    expect(voice.remoteId).toBe(klingVoice.voice_id);
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(3);
    expect(retryDelays).toEqual([10_000, 10_000]);
    expect(rateLimits).toEqual(['limit', 'limit']);
  });

  it('keeps waiting for a task slot after the HTTP client has used up its retries, honouring Retry-After', async () => {
    handle('post', createUrl, klingError('1303', { 'retry-after': '3' }), klingError('1303'), klingError('1303'), json(createSubmitted));
    handle('get', queryUrl(taskId), json(querySucceed));

    await testProvider({}, { retry: { retries: 0, rateLimitRetries: 0 } }).doCreateVoice(voiceRequest(), testContext().context);

    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(4);
    expect(retryDelays).toEqual([3_000, 10_000, 10_000]);
  });

  it('gives up on 1303 after concurrencyTimeoutMs, saying why', async () => {
    handle('post', createUrl, klingError('1303'));
    const provider = testProvider({}, { concurrencyTimeoutMs: 60_000, retry: { retries: 0, rateLimitRetries: 0, sleep: async (ms) => void (clock += ms) } });

    const error = await rejection(provider.doCreateVoice(voiceRequest(), testContext().context));

    // The first attempt, then one every 10 s until 60 s have passed.
    expect(calls).toHaveLength(7);
    expect(error).toMatchObject({ status: 429, code: 1303, isRateLimit: true, neverAccepted: true });
    expect(error.message).toMatch(/all concurrent tasks of the Kling resource pack are taken/);
    expectNoSecrets(error);
  });

  it.each(['1302', '5000', '5001', '5002'] as const)('retries %s and then creates once', async (code) => {
    handle('post', createUrl, klingError(code), json(createSubmitted));
    handle('get', queryUrl(taskId), json(querySucceed));

    const voice = await testProvider().doCreateVoice(voiceRequest(), testContext().context);

    expect(voice.remoteId).toBe(klingVoice.voice_id);
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(2);
  });

  it.each([
    ['1000', /Kling refused the API key: check KLING_API_KEY/],
    ['1001', /Kling refused the API key/],
    ['1002', /Kling refused the API key/],
    ['1003', /not valid yet \(nbf\).*clock skew/],
    ['1100', /problem with the account/],
    ['1101', /in arrears/],
    ['1102', /resource pack is used up/],
    ['1103', /may not use Kling's custom voices/],
    ['1200', /Kling refused the request: check the sample URL/],
    ['1201', /voice_name must be at most 20 characters.*check the sample URL/],
    ['1202', /does not know the requested resource/],
    ['1203', /does not know the requested resource/],
    ['1300', /content policy refused the sample/],
    ['1301', /content policy refused the sample/],
    ['1304', /IP whitelist/],
  ] as const)('fails at once on %s, saying what to do', async (code, advice) => {
    handle('post', createUrl, klingError(code));
    const rateLimits: string[] = [];
    const limiter = { reportRateLimit: () => void rateLimits.push('limit'), reportSuccess: () => {} };

    const error = await rejection(testProvider({ limiter }).doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: errors[code].status, code: Number(code), isRetryable: false, isRateLimit: false, requestId: `req-${code}` });
    expect(error.message).toMatch(advice);
    expect(rateLimits).toEqual([]);
    expectNoSecrets(error);
  });
});

describe('doResumeVoice', () => {
  it('polls the recorded task without creating again', async () => {
    handle('get', queryUrl(taskId), json(queryProcessing), json(querySucceed));
    const { context, recorded } = testContext();

    const voice = await testProvider().doResumeVoice!(voiceRequest(), { taskId, data: { voiceId } }, context);

    expect(voice).toEqual(createdVoice);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([`GET /v1/general/custom-voices/${taskId}`, `GET /v1/general/custom-voices/${taskId}`]);
    expect(recorded).toEqual([]);
  });

  it('finds a create interrupted before its task id was recorded by its external_task_id, records the task and waits for it', async () => {
    handle('get', queryUrl(voiceId), json(querySubmitted));
    handle('get', queryUrl(taskId), json(querySucceed));
    const { context, recorded } = testContext();

    const voice = await testProvider({ apiKey: keyPair }).doResumeVoice!(voiceRequest(), { data: { voiceId } }, context);

    expect(voice).toEqual(createdVoice);
    expect(timeline).toEqual([`GET /v1/general/custom-voices/${voiceId}`, `recordTask ${taskId}`, `GET /v1/general/custom-voices/${taskId}`]);
    expect(recorded).toEqual([{ taskId }]);
    expect(await verifiedTokens()).toHaveLength(1);
  });

  it('records the external_task_id it found even when Kling leaves task_info out', async () => {
    handle('get', queryUrl(voiceId), task(querySucceed, { task_info: {} }));

    const voice = await testProvider().doResumeVoice!(voiceRequest(), {}, testContext().context);

    expect(voice?.data).toMatchObject({ externalTaskId: voiceId });
  });

  it.each([
    ['failed', json(queryFailed)],
    ['deleted', task(querySucceed, { task_status: 'deleted' })],
  ])('returns nothing when the recorded task %s, so the engine creates the voice', async (_name, answer) => {
    handle('get', queryUrl(taskId), answer);

    expect(await testProvider().doResumeVoice!(voiceRequest(), { taskId }, testContext().context)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('returns nothing when the task fails while waiting', async () => {
    handle('get', queryUrl(taskId), json(queryProcessing), json(queryFailed));

    expect(await testProvider().doResumeVoice!(voiceRequest(), { taskId }, testContext().context)).toBeUndefined();
  });

  it.each([
    ['1201', klingError('taskNotFound')],
    ['1203', klingError('1203')],
    ['HTTP 404', json({ code: 404, message: 'not found' }, 404)],
  ])('returns nothing when Kling does not know the task (%s) by task id nor by external_task_id', async (_name, answer) => {
    handle('get', queryUrl(taskId), answer);
    handle('get', queryUrl(voiceId), answer);

    expect(await testProvider().doResumeVoice!(voiceRequest(), { taskId }, testContext().context)).toBeUndefined();
    expect(calls.map((call) => call.path)).toEqual([`/v1/general/custom-voices/${taskId}`, `/v1/general/custom-voices/${voiceId}`]);
  });

  it('does not mistake a refused key for a voice that never existed', async () => {
    handle('get', queryUrl(voiceId), klingError('1002'));

    const error = await rejection(testProvider().doResumeVoice!(voiceRequest(), {}, testContext().context));

    expect(error).toMatchObject({ code: 1002 });
    expectNoSecrets(error);
  });
});

describe('doCheckVoice', () => {
  it('finds the voice in its recorded task and reads Kling\'s clock', async () => {
    handle('get', queryUrl(taskId), json(querySucceed, 200, { date: vendorDate }));

    const check = await testProvider({ apiKey: keyPair }).doCheckVoice!({ remoteId: klingVoice.voice_id, data: { taskId } }, testContext().context);

    expect(check).toEqual({ status: 'exists', vendorTime: '2026-11-21T10:00:00.000Z' });
    expect(calls).toEqual([expect.objectContaining({ method: 'GET', path: `/v1/general/custom-voices/${taskId}`, body: undefined })]);
    await verifiedTokens();
  });

  it('reports a voice missing when Kling no longer knows its task, with the clock of that answer', async () => {
    handle('get', queryUrl(taskId), klingError('taskNotFound', { date: vendorDate }));

    const check = await testProvider().doCheckVoice!({ remoteId: klingVoice.voice_id, data: { taskId } }, testContext().context);

    expect(check).toEqual({ status: 'missing', vendorTime: '2026-11-21T10:00:00.000Z' });
  });

  it.each([
    ['the task', { task_status: 'deleted' }],
    ['the voice', { task_result: { voices: [{ ...klingVoice, status: 'deleted' }] } }],
    ['no such voice in the task', { task_result: { voices: [{ ...klingVoice, voice_id: '1' }] } }],
  ])('reports a voice missing when %s shows it deleted', async (_name, data) => {
    handle('get', queryUrl(taskId), task(querySucceed, data));

    const check = await testProvider().doCheckVoice!({ remoteId: klingVoice.voice_id, data: { taskId } }, testContext().context);

    expect(check.status).toBe('missing');
  });

  it('looks a voice recorded without a task up in the list of custom voices, page by page', async () => {
    const filler = Array.from({ length: 500 }, (_, index) => ({ ...listAnswer.data[0]!, task_id: String(index) }));
    handle('get', listUrl, json({ ...listAnswer, data: filler }, 200, { date: vendorDate }), json(listAnswer));

    const check = await testProvider().doCheckVoice!({ remoteId: klingVoice.voice_id }, testContext().context);

    expect(check).toEqual({ status: 'exists', vendorTime: '2026-11-21T10:00:00.000Z' });
    expect(calls.map((call) => call.path)).toEqual(['/v1/general/custom-voices?pageNum=1&pageSize=500', '/v1/general/custom-voices?pageNum=2&pageSize=500']);
  });

  it('reports a voice missing when the list does not hold it', async () => {
    handle('get', listUrl, json(listAnswer));

    expect(await testProvider().doCheckVoice!({ remoteId: '930801338000000999' }, testContext().context)).toEqual({ status: 'missing' });
    expect(calls).toHaveLength(1);
  });

  it('reports a refused key instead of hiding it', async () => {
    handle('get', queryUrl(taskId), klingError('1002', { date: vendorDate }));

    const error = await rejection(testProvider().doCheckVoice!({ remoteId: klingVoice.voice_id, data: { taskId } }, testContext().context));

    expect(error).toMatchObject({ status: 401, code: 1002 });
    expectNoSecrets(error);
  });
});

describe('doDeleteVoice', () => {
  it('deletes with delete-voices', async () => {
    handle('post', deleteUrl, json(deleteAnswer));

    await testProvider().doDeleteVoice!({ remoteId: klingVoice.voice_id, data: { taskId } }, testContext().context);

    expect(calls).toEqual([{ method: 'POST', path: '/v1/general/delete-voices', authorization: `Bearer ${apiKey}`, body: { voice_id: klingVoice.voice_id } }]);
  });

  it('accepts a voice that is already gone', async () => {
    handle('post', deleteUrl, klingError('voiceNotFound'));

    await testProvider().doDeleteVoice!({ remoteId: klingVoice.voice_id }, testContext().context);

    expect(calls).toHaveLength(1);
  });

  it('retries a server error', async () => {
    handle('post', deleteUrl, klingError('5001'), json(deleteAnswer));

    await testProvider().doDeleteVoice!({ remoteId: klingVoice.voice_id }, testContext().context);

    expect(calls).toHaveLength(2);
  });

  it('fails when the deletion task failed', async () => {
    handle('post', deleteUrl, json({ ...deleteAnswer, data: { ...deleteAnswer.data, task_status: 'failed', task_status_msg: 'voice in use' } }));

    const error = await rejection(testProvider().doDeleteVoice!({ remoteId: klingVoice.voice_id }, testContext().context));

    expect(error.message).toMatch(/could not delete voice 930801338081615883 .*voice in use/);
  });

  it('has nothing to delete without a remote id', async () => {
    await testProvider().doDeleteVoice!({}, testContext().context);

    expect(calls).toEqual([]);
  });
});
