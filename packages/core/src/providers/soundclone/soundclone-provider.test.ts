import { HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { json, useVendorServer, type Answer, recordingContext } from '../__fixtures__/vendor-server.js';
import type { CreateVoiceRequest, JsonValue, ProviderSettings, SampleInput, SynthesizeRequest } from '../provider-v1.js';
import audiosQueued from './__fixtures__/audios-queued.json' with { type: 'json' };
import clonesQueued from './__fixtures__/clones-queued.json' with { type: 'json' };
import errors from './__fixtures__/errors.json' with { type: 'json' };
import audioCompleted from './__fixtures__/result-audio-completed.json' with { type: 'json' };
import audioFailed from './__fixtures__/result-audio-failed.json' with { type: 'json' };
import audioProcessing from './__fixtures__/result-audio-processing.json' with { type: 'json' };
import cloneCompleted from './__fixtures__/result-clone-completed.json' with { type: 'json' };
import cloneFailed from './__fixtures__/result-clone-failed.json' with { type: 'json' };
import cloneProcessing from './__fixtures__/result-clone-processing.json' with { type: 'json' };
import { createSoundCloneProvider, type SoundCloneProviderOptions } from './soundclone-provider.js';

const apiKey = 'sc-FAKE-3e9d71a4c2b8-SECRET-KEY';
const baseUrl = 'https://soundclone.test/kyyReactApiServer';
const sampleUrl = 'https://samples.example.com/announcer.mp3';
const mp3 = new Uint8Array([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfb, 0x90, 0x64]);
const vendorDate = 'Sat, 21 Nov 2026 10:00:00 GMT';

const cloneId = clonesQueued.id;
const speechId = audiosQueued.id;
const modelId = cloneCompleted.modelId;
/** `created` of the clone task (2026-11-21T10:00:00Z) + 72 h. */
const cloneExpiresAt = '2026-11-24T10:00:00.000Z';
const defaultPreview = 'Hello, this is my new voice.';

const { calls, timeline, handle } = useVendorServer(({ method, url, path, search, authorization, contentType, body }) => ({
  method,
  url,
  path: path + search,
  authorization,
  contentType,
  body,
}));
const retryDelays: number[] = [];

afterEach(() => {
  retryDelays.length = 0;
});

/** The reseller's wrapping of every answer (VENDORS.md §2, S13). */
const enveloped = (body: unknown, status = 200, headers: Record<string, string> = {}): Answer => json({ code: 20000, msg: 'ok', data: body }, status, headers);
const vendorError = (name: keyof typeof errors, status: number, headers: Record<string, string> = {}): Answer => json(errors[name], status, headers);
const audioFile = (): Answer => () => new HttpResponse(mp3, { headers: { 'content-type': 'audio/mpeg' } });

const settings: ProviderSettings = { apiKey, baseUrl };

/** A provider whose retry and poll waits are recorded instead of waited. */
function testProvider(overrides: Partial<ProviderSettings> = {}, options: SoundCloneProviderOptions = {}) {
  return createSoundCloneProvider(
    { ...settings, ...overrides },
    {
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
    format: 'mp3',
    read: async () => {
      throw new Error('a SoundClone sample is never read: SoundClone downloads it');
    },
  };
}

function voiceRequest(overrides: Partial<CreateVoiceRequest> = {}): CreateVoiceRequest {
  return { name: 'announcer', fingerprint: '4c1d'.padEnd(64, '0'), sample: sample(sampleUrl), options: {}, suggestedVoiceId: 'vx-announcer-4c1d00000000', ...overrides };
}

const voiceData = { previewTaskId: cloneId, soundVersion: 'v1', language: 'English' };

function speechRequest(overrides: Partial<SynthesizeRequest> = {}, data: Record<string, JsonValue> = voiceData): SynthesizeRequest {
  return {
    text: 'Welcome to the show.',
    voice: { name: 'announcer', fingerprint: '4c1d'.padEnd(64, '0'), remoteId: modelId, expiresAt: cloneExpiresAt, data, options: {}, sample: sample(sampleUrl) },
    options: {},
    format: 'mp3',
    ...overrides,
  };
}

async function bytesOf(stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): Promise<number[]> {
  const chunks: number[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array>) chunks.push(...chunk);
  return chunks;
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

/** The key appears nowhere in the error: not in its message, not in what logs and --json print. */
function expectNoKey(error: Error) {
  expect(error.message).not.toContain(apiKey);
  expect(JSON.stringify(error)).not.toContain(apiKey);
  expect(String(error.stack)).not.toContain(apiKey);
}

const clonesUrl = `${baseUrl}/v1/soundCloning/clones`;
const audiosUrl = `${baseUrl}/v1/soundCloning/audios`;
const resultUrl = (id: string) => `${baseUrl}/v1/result/${id}`;
const resultPath = (id: string) => `/kyyReactApiServer/v1/result/${id}`;
const previewUrl = cloneCompleted.audioUrl;
const speechFile = audioCompleted.audioUrl;

describe('createSoundCloneProvider: description', () => {
  it('describes SoundClone with its documented limits and no generic voice lifetime', () => {
    const provider = createSoundCloneProvider({});
    expect(provider).toMatchObject({ specificationVersion: 'v1', id: 'soundclone', displayName: 'SoundClone' });
    expect(provider.capabilities).toEqual({
      persistentVoices: true,
      clientChosenVoiceIds: false,
      synthesis: true,
      maxTextLength: 9_999,
      sample: { sources: ['url'], formats: ['mp3', 'ogg', 'wav', 'm4a', 'aac'], minDurationMs: 15_000, maxDurationMs: 60_000 },
      outputFormats: ['mp3'],
      defaultConcurrency: 2,
      apiKeyEnv: 'SOUNDCLONE_API_KEY',
    });
    expect(provider.capabilities.unusedVoiceLifetimeMs).toBeUndefined();
    expect(provider.doDeleteVoice).toBeUndefined();
    expect(provider.settingsSchema).toBeUndefined();
  });

  it.each([
    ['baseUrl', { baseUrl: 'https://proxy.example.com/soundclone' }, 'https://proxy.example.com/soundclone/v1/result/t-1'],
    ['the documented base', {}, 'https://zcbservice.aizfw.cn/kyyReactApiServer/v1/result/t-1'],
  ])('calls %s', async (_name, hostSettings, expectedUrl) => {
    handle('get', expectedUrl, json(cloneCompleted, 200, { date: vendorDate }));
    const provider = createSoundCloneProvider({ apiKey, ...hostSettings }, { retry: { retries: 0, rateLimitRetries: 0 } });

    await provider.doCheckVoice!({ remoteId: modelId, data: { previewTaskId: 't-1' } }, testContext().context);

    expect(calls.map((call) => call.url)).toEqual([expectedUrl]);
    expect(calls[0]!.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('refuses every call without an API key, naming SOUNDCLONE_API_KEY, before sending anything', async () => {
    const provider = createSoundCloneProvider({ baseUrl });
    const { context } = testContext();
    const attempts = [
      provider.doCreateVoice(voiceRequest(), context),
      provider.doResumeVoice!(voiceRequest(), { taskId: cloneId }, context),
      provider.doCheckVoice!({ remoteId: modelId }, context),
      provider.doSynthesize(speechRequest(), context),
      provider.doResumeSynthesis!(speechRequest(), { taskId: speechId }, context),
    ];
    for (const attempt of attempts) {
      const error = await rejection(attempt);
      expect(UsageError.isInstance(error)).toBe(true);
      expect(error.message).toContain('SOUNDCLONE_API_KEY');
    }
    expect(calls).toEqual([]);
  });
});

describe('doCreateVoice', () => {
  it('clones from the sample URL, records the task, polls it queued → processing → completed and returns the modelId with its 3-day expiry', async () => {
    handle('post', clonesUrl, json(clonesQueued));
    handle('get', resultUrl(cloneId), json(clonesQueued), json(cloneProcessing), json(cloneCompleted));
    const { context, recorded, statuses } = testContext();

    const voice = await testProvider().doCreateVoice(voiceRequest(), context);

    expect(calls[0]).toEqual({
      method: 'POST',
      url: clonesUrl,
      path: '/kyyReactApiServer/v1/soundCloning/clones',
      authorization: `Bearer ${apiKey}`,
      contentType: 'application/json',
      body: { fileUrl: sampleUrl, contentText: defaultPreview, soundVersion: 'v1', language: 'auto' },
    });
    expect(timeline).toEqual([
      'POST /kyyReactApiServer/v1/soundCloning/clones',
      `recordTask ${cloneId}`,
      `GET ${resultPath(cloneId)}`,
      `GET ${resultPath(cloneId)}`,
      `GET ${resultPath(cloneId)}`,
    ]);
    expect(calls.slice(1).every((call) => call.method === 'GET' && call.authorization === `Bearer ${apiKey}` && call.body === undefined)).toBe(true);
    expect(recorded).toEqual([{ taskId: cloneId }]);
    expect(statuses).toEqual(['queued', 'processing', 'completed']);
    expect(voice).toEqual({
      remoteId: modelId,
      expiresAt: cloneExpiresAt,
      data: { previewTaskId: cloneId, soundVersion: 'v1', language: 'auto', previewAudioUrl: previewUrl },
      preview: { audio: { type: 'url', url: previewUrl }, format: 'mp3' },
    });
  });

  it('maps the voice\'s language onto SoundClone\'s list ignoring case', async () => {
    handle('post', clonesUrl, json(clonesQueued));
    handle('get', resultUrl(cloneId), json(cloneCompleted));

    const voice = await testProvider().doCreateVoice(voiceRequest({ language: 'english' }), testContext().context);

    expect(calls[0]!.body).toEqual({ fileUrl: sampleUrl, contentText: defaultPreview, soundVersion: 'v1', language: 'English' });
    expect(voice.data).toMatchObject({ soundVersion: 'v1', language: 'English' });
  });

  it('sends the options, which win over the voice\'s language', async () => {
    handle('post', clonesUrl, json(clonesQueued));
    handle('get', resultUrl(cloneId), json(cloneCompleted));

    const voice = await testProvider().doCreateVoice(
      voiceRequest({ language: 'English', options: { soundVersion: 'v2', language: 'Danish', previewText: 'Velkommen tilbage.' } }),
      testContext().context,
    );

    expect(calls[0]!.body).toEqual({ fileUrl: sampleUrl, contentText: 'Velkommen tilbage.', soundVersion: 'v2', language: 'Danish' });
    expect(voice.data).toMatchObject({ soundVersion: 'v2', language: 'Danish' });
  });

  it('sends auto for a voice language SoundClone does not list', async () => {
    handle('post', clonesUrl, json(clonesQueued));
    handle('get', resultUrl(cloneId), json(cloneCompleted));

    await testProvider().doCreateVoice(voiceRequest({ language: 'Klingon' }), testContext().context);

    expect(calls[0]!.body).toMatchObject({ language: 'auto', soundVersion: 'v1' });
  });

  it('picks soundVersion v2 for a voice language only v2 speaks when no version is chosen', async () => {
    handle('post', clonesUrl, json(clonesQueued));
    handle('get', resultUrl(cloneId), json(cloneCompleted));

    await testProvider().doCreateVoice(voiceRequest({ language: 'Swedish' }), testContext().context);

    expect(calls[0]!.body).toMatchObject({ language: 'Swedish', soundVersion: 'v2' });
  });

  it('refuses a v2-only voice language with soundVersion v1 before calling SoundClone', async () => {
    const error = await rejection(testProvider().doCreateVoice(voiceRequest({ language: 'Swedish', options: { soundVersion: 'v1' } }), testContext().context));

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/voices\.announcer\.options\.soundVersion: SoundClone speaks Swedish only with soundVersion v2, got v1/);
    expect(calls).toEqual([]);
  });

  it.each([
    ['a local file', sample('/project/samples/announcer.mp3', 'file'), /host the sample at an https URL/],
    ['a URL with Chinese characters', sample('https://samples.example.com/%E6%92%AD%E9%9F%B3%E5%91%98.mp3'), /Chinese characters/],
  ])('refuses %s as the sample before calling SoundClone', async (_name, refused, advice) => {
    const error = await rejection(testProvider().doCreateVoice(voiceRequest({ sample: refused }), testContext().context));

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(advice);
    expect(calls).toEqual([]);
  });

  it('fails with the task\'s error string when the clone task fails', async () => {
    handle('post', clonesUrl, json(clonesQueued));
    handle('get', resultUrl(cloneId), json(cloneProcessing), json(cloneFailed));
    const { context, recorded } = testContext();

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'failed', taskId: cloneId, status: 'failed' });
    expect(error.message).toContain(`SoundClone task ${cloneId} (voice clone) failed (status failed): "${cloneFailed.error}"`);
    expect(error.message).toMatch(/15–60 s of speech/);
    expect(recorded).toEqual([{ taskId: cloneId }]);
    expectNoKey(error);
  });

  it('fails clearly when a completed clone has no modelId', async () => {
    const { modelId: _, ...withoutModel } = cloneCompleted;
    handle('post', clonesUrl, json(clonesQueued));
    handle('get', resultUrl(cloneId), json(withoutModel));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/completed without a modelId: SoundClone's API may have changed/);
  });

  it('takes a create answer that is already completed without polling', async () => {
    handle('post', clonesUrl, json(cloneCompleted));
    const { context, recorded } = testContext();

    const voice = await testProvider().doCreateVoice(voiceRequest(), context);

    expect(voice.remoteId).toBe(modelId);
    expect(recorded).toEqual([{ taskId: cloneId }]);
    expect(calls).toHaveLength(1);
  });

  it('counts the expiry from the clock when SoundClone gives no created time', async () => {
    const { created: _created, ...noCreated } = cloneCompleted;
    const { created: _queuedCreated, ...queuedNoCreated } = clonesQueued;
    handle('post', clonesUrl, json(queuedNoCreated));
    handle('get', resultUrl(cloneId), json(noCreated));

    const voice = await testProvider({}, { now: () => Date.parse('2026-12-01T08:00:00Z') }).doCreateVoice(voiceRequest(), testContext().context);

    expect(voice.expiresAt).toBe('2026-12-04T08:00:00.000Z');
  });

  it('accepts the reseller envelope on the create and on every poll', async () => {
    handle('post', clonesUrl, enveloped(clonesQueued));
    handle('get', resultUrl(cloneId), enveloped(cloneProcessing), enveloped(cloneCompleted));
    const { context, recorded, statuses } = testContext();

    const voice = await testProvider().doCreateVoice(voiceRequest(), context);

    expect(voice).toMatchObject({ remoteId: modelId, expiresAt: cloneExpiresAt, data: { previewTaskId: cloneId } });
    expect(recorded).toEqual([{ taskId: cloneId }]);
    expect(statuses).toEqual(['queued', 'processing', 'completed']);
  });

  it('does not retry a 500 on clones: SoundClone may have accepted the billable task', async () => {
    handle('post', clonesUrl, vendorError('InternalServerError', 500));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 500, isRetryable: false });
    expect(error.message).toMatch(/Service temporarily unavailable.*Not retried: the request is billable/);
    expectNoKey(error);
  });

  it('does not retry a network error on clones', async () => {
    handle('post', clonesUrl, () => HttpResponse.error());

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ isRetryable: false });
    expectNoKey(error);
  });

  it('retries a 429 (SoundClone accepted nothing), honouring Retry-After and telling the limiter', async () => {
    handle('post', clonesUrl, vendorError('TooManyRequests', 429, { 'retry-after': '3' }), json(clonesQueued));
    handle('get', resultUrl(cloneId), json(cloneCompleted));
    const rateLimits: string[] = [];
    const limiter = { reportRateLimit: () => void rateLimits.push('limit'), reportSuccess: () => {} };

    const voice = await testProvider({ limiter }).doCreateVoice(voiceRequest(), testContext().context);

    expect(voice.remoteId).toBe(modelId);
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(2);
    expect(retryDelays).toEqual([3_000]);
    expect(rateLimits).toEqual(['limit']);
  });

  it('fails at once on 400 with SoundClone\'s message and what to check', async () => {
    handle('post', clonesUrl, vendorError('BadRequest', 400));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, isRetryable: false });
    expect(error.message).toContain(`"language 'Swedish' requires soundVersion 'v2'"`);
    expect(error.message).toMatch(/check the sample URL/);
    expectNoKey(error);
  });

  it.each([
    ['401', 'Unauthorized', 401],
    ['403', 'Forbidden', 403],
  ] as const)('fails at once on %s, naming SOUNDCLONE_API_KEY', async (_name, body, status) => {
    handle('post', clonesUrl, vendorError(body, status));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status, isRetryable: false, neverAccepted: true });
    expect(error.message).toMatch(/Authorization: Bearer <API key>.*SOUNDCLONE_API_KEY/);
    expectNoKey(error);
  });

  it('retries a 500 on the task query (reading is free)', async () => {
    handle('post', clonesUrl, json(clonesQueued));
    handle('get', resultUrl(cloneId), vendorError('InternalServerError', 500), vendorError('InternalServerError', 500), json(cloneCompleted));

    const voice = await testProvider().doCreateVoice(voiceRequest(), testContext().context);

    expect(voice.remoteId).toBe(modelId);
    expect(calls.filter((call) => call.method === 'GET')).toHaveLength(3);
    expect(retryDelays).toHaveLength(2);
  });
});

describe('doResumeVoice', () => {
  it('polls the recorded clone task without cloning again', async () => {
    handle('get', resultUrl(cloneId), json(cloneProcessing), json(cloneCompleted));
    const { context, recorded } = testContext();

    const voice = await testProvider().doResumeVoice!(voiceRequest({ language: 'English' }), { taskId: cloneId }, context);

    expect(voice).toEqual({
      remoteId: modelId,
      expiresAt: cloneExpiresAt,
      data: { previewTaskId: cloneId, soundVersion: 'v1', language: 'English', previewAudioUrl: previewUrl },
      preview: { audio: { type: 'url', url: previewUrl }, format: 'mp3' },
    });
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([`GET ${resultPath(cloneId)}`, `GET ${resultPath(cloneId)}`]);
    expect(recorded).toEqual([]);
  });

  it('accepts the reseller envelope', async () => {
    handle('get', resultUrl(cloneId), enveloped(cloneCompleted));

    expect(await testProvider().doResumeVoice!(voiceRequest(), { taskId: cloneId }, testContext().context)).toMatchObject({ remoteId: modelId });
  });

  it.each([
    ['failed', json(cloneFailed)],
    ['unknown to SoundClone (404)', vendorError('TaskNotFound', 404)],
    ['unknown to SoundClone (envelope)', json(errors.EnvelopeTaskNotFound)],
  ])('returns nothing when the recorded task %s, so the engine clones again', async (_name, answer) => {
    handle('get', resultUrl(cloneId), answer);

    expect(await testProvider().doResumeVoice!(voiceRequest(), { taskId: cloneId }, testContext().context)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('returns nothing without a recorded task id (SoundClone has no way to look a voice up)', async () => {
    expect(await testProvider().doResumeVoice!(voiceRequest(), {}, testContext().context)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('keeps the pending entry (throws) when SoundClone refuses the key', async () => {
    handle('get', resultUrl(cloneId), vendorError('Unauthorized', 401));

    const error = await rejection(testProvider().doResumeVoice!(voiceRequest(), { taskId: cloneId }, testContext().context));

    expect(error).toMatchObject({ status: 401 });
    expectNoKey(error);
  });
});

describe('doCheckVoice', () => {
  const voice = { remoteId: modelId, data: voiceData };

  it('reports a voice whose preview task completed with its modelId as existing, with SoundClone\'s clock', async () => {
    handle('get', resultUrl(cloneId), json(cloneCompleted, 200, { date: vendorDate }));

    const check = await testProvider().doCheckVoice!(voice, testContext().context);

    expect(check).toEqual({ status: 'exists', vendorTime: '2026-11-21T10:00:00.000Z' });
    expect(calls).toEqual([expect.objectContaining({ method: 'GET', path: resultPath(cloneId), authorization: `Bearer ${apiKey}`, body: undefined })]);
  });

  it.each([
    ['a 404', vendorError('TaskNotFound', 404, { date: vendorDate })],
    ['an envelope saying so', json(errors.EnvelopeTaskNotFound, 200, { date: vendorDate })],
  ])('reports the voice missing when SoundClone no longer knows its preview task (%s)', async (_name, answer) => {
    handle('get', resultUrl(cloneId), answer);

    expect(await testProvider().doCheckVoice!(voice, testContext().context)).toEqual({ status: 'missing', vendorTime: '2026-11-21T10:00:00.000Z' });
  });

  it('reports a failed preview task as missing and another modelId as unknown', async () => {
    handle('get', resultUrl(cloneId), json(cloneFailed, 200, { date: vendorDate }), json({ ...cloneCompleted, modelId: 'another' }, 200, { date: vendorDate }));
    const provider = testProvider();

    expect(await provider.doCheckVoice!(voice, testContext().context)).toEqual({ status: 'missing', vendorTime: '2026-11-21T10:00:00.000Z' });
    expect(await provider.doCheckVoice!(voice, testContext().context)).toEqual({ status: 'unknown', vendorTime: '2026-11-21T10:00:00.000Z' });
  });

  it('accepts the reseller envelope', async () => {
    handle('get', resultUrl(cloneId), enveloped(cloneCompleted, 200, { date: vendorDate }));

    expect(await testProvider().doCheckVoice!(voice, testContext().context)).toEqual({ status: 'exists', vendorTime: '2026-11-21T10:00:00.000Z' });
  });

  it('without a recorded task, learns only SoundClone\'s clock from one cheap query', async () => {
    handle('get', resultUrl('voxform-clock'), vendorError('NoHandler', 404, { date: vendorDate }));

    const check = await testProvider().doCheckVoice!({ remoteId: modelId }, testContext().context);

    expect(check).toEqual({ status: 'unknown', vendorTime: '2026-11-21T10:00:00.000Z' });
    expect(calls).toEqual([expect.objectContaining({ method: 'GET', path: resultPath('voxform-clock'), authorization: `Bearer ${apiKey}` })]);
  });

  it.each([
    ['with a recorded task', voice, resultUrl(cloneId)],
    ['without', { remoteId: modelId }, resultUrl('voxform-clock')],
  ])('reports a refused key instead of hiding it (%s)', async (_name, checked, url) => {
    handle('get', url, vendorError('Unauthorized', 401, { date: vendorDate }));

    const error = await rejection(testProvider().doCheckVoice!(checked, testContext().context));

    expect(error).toMatchObject({ status: 401 });
    expect(error.message).toContain('SOUNDCLONE_API_KEY');
    expectNoKey(error);
  });
});

describe('doSynthesize', () => {
  it('speaks with audios, records the task, polls it to completion and streams the audio without sending the key there', async () => {
    handle('post', audiosUrl, json(audiosQueued));
    handle('get', resultUrl(speechId), json(audiosQueued), json(audioProcessing), json(audioCompleted));
    handle('get', speechFile, audioFile());
    const { context, recorded, statuses } = testContext();

    const result = await testProvider().doSynthesize(
      speechRequest({
        text: 'Ça va?<#0.5#> 燕少飞 says hi 🎙.',
        options: { emotion: 'happy', speed: 1.25, vol: 2.5, pitch: -3, subtitleEnable: true, subtitleType: 'word' },
      }),
      context,
    );

    expect(calls[0]).toEqual({
      method: 'POST',
      url: audiosUrl,
      path: '/kyyReactApiServer/v1/soundCloning/audios',
      authorization: `Bearer ${apiKey}`,
      contentType: 'application/json',
      body: {
        modelId,
        contentText: 'Ça va?<#0.5#> 燕少飞 says hi 🎙.',
        soundVersion: 'v1',
        language: 'English',
        emotion: 'happy',
        speed: 1.25,
        vol: 2.5,
        pitch: -3,
        subtitleEnable: true,
        subtitleType: 'word',
      },
    });
    expect(timeline).toEqual([
      'POST /kyyReactApiServer/v1/soundCloning/audios',
      `recordTask ${speechId}`,
      ...Array(3).fill(`GET ${resultPath(speechId)}`),
      `GET ${new URL(speechFile).pathname}`,
    ]);
    expect(calls.filter((call) => call.path.startsWith('/kyyReactApiServer/')).every((call) => call.authorization === `Bearer ${apiKey}`)).toBe(true);
    expect(calls.at(-1)).toMatchObject({ method: 'GET', url: speechFile, authorization: null });
    expect(recorded).toEqual([{ taskId: speechId }]);
    expect(statuses).toEqual(['queued', 'processing', 'completed']);
    // 21 code points: the <#0.5#> marker is not billed; the emoji is one code point (two UTF-16 units).
    expect(result).toMatchObject({ format: 'mp3', billedCharacters: 21, voice: { expiresAt: null }, audio: { type: 'stream' } });
    expect(await bytesOf((result.audio as { stream: ReadableStream<Uint8Array> }).stream)).toEqual([...mp3]);
  });

  it('sends only the voice\'s version and language when the line has no options; sentence subtitles send no subtitleType', async () => {
    handle('post', audiosUrl, json(audiosQueued));
    handle('get', resultUrl(speechId), json(audioCompleted));
    handle('get', speechFile, audioFile());

    await testProvider().doSynthesize(speechRequest({}, { ...voiceData, soundVersion: 'v2', language: 'Danish' }), testContext().context);
    await testProvider().doSynthesize(speechRequest({ options: { subtitleEnable: true, subtitleType: 'sentence' } }), testContext().context);

    const bodies = calls.filter((call) => call.method === 'POST').map((call) => call.body);
    expect(bodies).toEqual([
      { modelId, contentText: 'Welcome to the show.', soundVersion: 'v2', language: 'Danish' },
      { modelId, contentText: 'Welcome to the show.', soundVersion: 'v1', language: 'English', subtitleEnable: true },
    ]);
  });

  it('falls back to the voice\'s options and language when voices.lock recorded neither', async () => {
    handle('post', audiosUrl, json(audiosQueued));
    handle('get', resultUrl(speechId), json(audioCompleted));
    handle('get', speechFile, audioFile());
    const request = speechRequest({}, { previewTaskId: cloneId });
    request.voice.language = 'Swedish';

    await testProvider().doSynthesize(request, testContext().context);

    expect(calls[0]!.body).toMatchObject({ soundVersion: 'v2', language: 'Swedish' });
  });

  it('accepts the reseller envelope on the create and on every poll', async () => {
    handle('post', audiosUrl, enveloped(audiosQueued));
    handle('get', resultUrl(speechId), enveloped(audioProcessing), enveloped(audioCompleted));
    handle('get', speechFile, audioFile());
    const { context, recorded } = testContext();

    const result = await testProvider().doSynthesize(speechRequest(), context);

    expect(recorded).toEqual([{ taskId: speechId }]);
    expect(result).toMatchObject({ format: 'mp3', voice: { expiresAt: null } });
    expect(await bytesOf((result.audio as { stream: ReadableStream<Uint8Array> }).stream)).toEqual([...mp3]);
  });

  it('refuses a voice without a modelId before calling SoundClone', async () => {
    const request = speechRequest();
    delete request.voice.remoteId;

    const error = await rejection(testProvider().doSynthesize(request, testContext().context));

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/no SoundClone modelId.*--replace voice\.announcer/);
    expect(calls).toEqual([]);
  });

  it('fails with the task\'s error string when the task fails', async () => {
    handle('post', audiosUrl, json(audiosQueued));
    handle('get', resultUrl(speechId), json(audioProcessing), json(audioFailed));
    const { context, recorded } = testContext();

    const error = await rejection(testProvider().doSynthesize(speechRequest(), context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'failed', taskId: speechId, status: 'failed' });
    expect(error.message).toContain(`SoundClone task ${speechId} (speech) failed (status failed): "audio generation failed"; run apply again`);
    expect(recorded).toEqual([{ taskId: speechId }]);
    expectNoKey(error);
  });

  it('fails clearly when a completed task has no audioUrl', async () => {
    const { audioUrl: _, ...withoutAudio } = audioCompleted;
    handle('post', audiosUrl, json(audiosQueued));
    handle('get', resultUrl(speechId), json(withoutAudio));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(error.message).toMatch(/completed without an audioUrl/);
  });

  it.each([
    ['400 "not found"', vendorError('ModelNotFound', 400)],
    ['400 "has expired"', vendorError('ModelExpired', 400)],
    ['an envelope in a 200 answer', json(errors.EnvelopeModelExpired)],
  ])('explains an expired or unknown modelId (%s) and does not retry', async (_name, answer) => {
    handle('post', audiosUrl, answer);

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: false });
    expect(error.message).toContain(`the SoundClone voice ${modelId} (voice announcer) has expired or is unknown to SoundClone`);
    expect(error.message).toMatch(/within 3 days.*voxform apply --refresh/);
    expectNoKey(error);
  });

  it('explains an expired modelId reported by the task itself', async () => {
    handle('post', audiosUrl, json(audiosQueued));
    handle('get', resultUrl(speechId), json({ ...audioFailed, error: 'modelId expired' }));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/"modelId expired"; the SoundClone voice .* has expired/);
  });

  it('does not retry a 500 on audios: SoundClone may have accepted the billable task', async () => {
    handle('post', audiosUrl, vendorError('InternalServerError', 500));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 500, isRetryable: false });
    expect(error.message).toMatch(/Not retried: the request is billable/);
    expectNoKey(error);
  });

  it('does not retry a network error on audios', async () => {
    handle('post', audiosUrl, () => HttpResponse.error());

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ isRetryable: false });
  });

  it('retries 429 until SoundClone accepts the task', async () => {
    handle('post', audiosUrl, vendorError('TooManyRequests', 429), vendorError('TooManyRequests', 429), json(audiosQueued));
    handle('get', resultUrl(speechId), json(audioCompleted));
    handle('get', speechFile, audioFile());

    const result = await testProvider().doSynthesize(speechRequest(), testContext().context);

    expect(result.format).toBe('mp3');
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(3);
    expect(retryDelays).toHaveLength(2);
  });

  it('gives up on 429 after the rate-limit retries, as a rate limit', async () => {
    handle('post', audiosUrl, vendorError('TooManyRequests', 429));

    const error = await rejection(testProvider({}, { retry: { rateLimitRetries: 2 } }).doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(3);
    expect(error).toMatchObject({ status: 429, isRateLimit: true, neverAccepted: true });
    expect(error.message).toMatch(/rate-limiting/);
    expectNoKey(error);
  });

  it.each([
    ['401', 'Unauthorized', 401],
    ['403', 'Forbidden', 403],
  ] as const)('fails at once on %s, naming SOUNDCLONE_API_KEY', async (_name, body, status) => {
    handle('post', audiosUrl, vendorError(body, status));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status, isRetryable: false });
    expect(error.message).toContain('SOUNDCLONE_API_KEY');
    expectNoKey(error);
  });

  it('fails at once on a refusal in the reseller envelope, quoting its msg', async () => {
    handle('post', audiosUrl, json(errors.EnvelopeRefused));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ code: 40001, isRetryable: false });
    expect(error.message).toContain('"contentText must be shorter than 10000 characters"');
    expectNoKey(error);
  });

  it('fails when the task is gone while polling', async () => {
    handle('post', audiosUrl, json(audiosQueued));
    handle('get', resultUrl(speechId), vendorError('TaskNotFound', 404));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(error).toMatchObject({ status: 404, isRetryable: false });
    expect(error.message).toContain(`SoundClone does not know the task ${speechId}`);
    expect(calls).toHaveLength(2);
  });
});

describe('doResumeSynthesis', () => {
  it('polls the recorded task and returns its audio without a new audios call', async () => {
    handle('get', resultUrl(speechId), json(audioProcessing), json(audioCompleted));
    handle('get', speechFile, audioFile());
    const { context, recorded } = testContext();

    const result = await testProvider().doResumeSynthesis!(speechRequest(), { taskId: speechId }, context);

    expect(result).toMatchObject({ format: 'mp3', audio: { type: 'stream' }, billedCharacters: 20, voice: { expiresAt: null } });
    expect(await bytesOf((result!.audio as { stream: ReadableStream<Uint8Array> }).stream)).toEqual([...mp3]);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([`GET ${resultPath(speechId)}`, `GET ${resultPath(speechId)}`, `GET ${new URL(speechFile).pathname}`]);
    expect(calls.at(-1)!.authorization).toBeNull();
    expect(recorded).toEqual([]);
  });

  it('accepts the reseller envelope', async () => {
    handle('get', resultUrl(speechId), enveloped(audioCompleted));
    handle('get', speechFile, audioFile());

    expect(await testProvider().doResumeSynthesis!(speechRequest(), { taskId: speechId }, testContext().context)).toMatchObject({ format: 'mp3' });
  });

  it('returns nothing without a recorded task id', async () => {
    expect(await testProvider().doResumeSynthesis!(speechRequest(), {}, testContext().context)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it.each([
    ['failed', json(audioFailed)],
    ['unknown to SoundClone', vendorError('TaskNotFound', 404)],
  ])('returns nothing when the recorded task %s (nothing to fetch: the line is rendered again)', async (_name, answer) => {
    handle('get', resultUrl(speechId), answer);

    expect(await testProvider().doResumeSynthesis!(speechRequest(), { taskId: speechId }, testContext().context)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('returns nothing when the finished task\'s audio link has lapsed', async () => {
    handle('get', resultUrl(speechId), json(audioCompleted));
    handle('get', speechFile, () => new HttpResponse('expired', { status: 403 }));

    expect(await testProvider().doResumeSynthesis!(speechRequest(), { taskId: speechId }, testContext().context)).toBeUndefined();
  });
});
