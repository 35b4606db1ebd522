import { Ajv2020 } from 'ajv/dist/2020.js';
import { HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { json, useVendorServer, type Answer, recordingContext } from '../__fixtures__/vendor-server.js';
import type { CreateVoiceRequest, ProviderSettings, SampleInput, SynthesizeRequest } from '../provider-v1.js';
import cloneQueueing from './__fixtures__/audio-clone-queueing.json' with { type: 'json' };
import cloneSuccess from './__fixtures__/audio-clone-success.json' with { type: 'json' };
import ttsQueueing from './__fixtures__/audio-tts-queueing.json' with { type: 'json' };
import ttsSuccess from './__fixtures__/audio-tts-success.json' with { type: 'json' };
import errors from './__fixtures__/errors.json' with { type: 'json' };
import taskFailed from './__fixtures__/task-failed.json' with { type: 'json' };
import taskProcessing from './__fixtures__/task-processing.json' with { type: 'json' };
import taskSuccess from './__fixtures__/task-success.json' with { type: 'json' };
import { createViduProvider, type ViduProviderOptions } from './vidu-provider.js';

const apiKey = 'vidu-FAKE-7c41e9d2b8a6-SECRET-KEY';
const baseUrl = 'https://api.vidu.test';
const voiceId = 'vx-narrator-9f2c1a7b3d4e';
const sampleUrl = 'https://samples.example.com/narrator.wav';
const promptUrl = 'https://samples.example.com/narrator-short.wav';
const mp3 = new Uint8Array([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfb, 0x90, 0x64]);
const vendorDate = 'Sat, 21 Nov 2026 10:00:00 GMT';

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

const viduError = (code: keyof typeof errors, status: number, headers: Record<string, string> = {}): Answer => json(errors[code], status, headers);
const audioFile = (): Answer => () => new HttpResponse(mp3, { headers: { 'content-type': 'audio/mpeg' } });

const settings: ProviderSettings = { apiKey, baseUrl };

/** A provider whose retry and poll waits are recorded instead of waited. */
function testProvider(overrides: Partial<ProviderSettings> = {}, options: ViduProviderOptions = {}) {
  return createViduProvider(
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
    format: 'wav',
    read: async () => {
      throw new Error('a Vidu sample is never read: Vidu downloads it');
    },
  };
}

function voiceRequest(overrides: Partial<CreateVoiceRequest> = {}): CreateVoiceRequest {
  return { name: 'narrator', fingerprint: '9f2c1a7b3d4e'.padEnd(64, '0'), sample: sample(sampleUrl), options: {}, suggestedVoiceId: voiceId, ...overrides };
}

function speechRequest(overrides: Partial<SynthesizeRequest> = {}): SynthesizeRequest {
  return {
    text: 'It was a dark and stormy night.',
    voice: { name: 'narrator', fingerprint: '9f2c1a7b3d4e'.padEnd(64, '0'), remoteId: voiceId, options: {}, sample: sample(sampleUrl) },
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

const cloneUrl = `${baseUrl}/ent/v2/audio-clone`;
const ttsUrl = `${baseUrl}/ent/v2/audio-tts`;
const taskUrl = (id: string) => `${baseUrl}/ent/v2/tasks/${id}/creations`;
const defaultPreview = 'Hello, this is my new voice.';

describe('createViduProvider: description', () => {
  it('describes Vidu with its documented limits', () => {
    const provider = createViduProvider({});
    expect(provider).toMatchObject({ specificationVersion: 'v1', id: 'vidu', displayName: 'Vidu' });
    expect(provider.capabilities).toEqual({
      persistentVoices: true,
      clientChosenVoiceIds: true,
      synthesis: true,
      maxTextLength: 9_999,
      pronunciationDictionary: true,
      sample: {
        sources: ['url'],
        formats: ['mp3', 'm4a', 'wav'],
        minDurationMs: 10_000,
        maxDurationMs: 300_000,
        maxBytes: 20 * 1024 * 1024,
        prompt: { formats: ['mp3', 'm4a', 'wav'], maxDurationMs: 8_000, maxBytes: 20 * 1024 * 1024 },
      },
      unusedVoiceLifetimeMs: 168 * 3_600_000,
      outputFormats: ['mp3'],
      defaultConcurrency: 5,
      apiKeyEnv: 'VIDU_API_KEY',
    });
    expect(provider.doDeleteVoice).toBeUndefined();
  });

  it('has option schemas that compile in strict mode, document every field and check the documented ranges', () => {
    const provider = createViduProvider({});
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const voice = ajv.compile(provider.voiceOptionsSchema);
    const line = ajv.compile(provider.lineOptionsSchema);

    for (const schema of [provider.voiceOptionsSchema, provider.lineOptionsSchema]) {
      expect(schema.additionalProperties).toBe(false);
      for (const [name, field] of Object.entries(schema.properties as Record<string, { description?: string }>)) {
        expect(field.description, name).toMatch(/Default/);
      }
    }
    expect(voice({ previewText: 'Welcome back.', payload: 'chapter-1' })).toBe(true);
    expect(voice({ previewText: 'x'.repeat(1001) })).toBe(false);
    expect(voice({ need_noise_reduction: true })).toBe(false);
    expect(line({ speed: 2, volume: 10, pitch: -12, emotion: 'calm', pronunciation_dict_tone: ['omg/oh my god'], payload: 'p' })).toBe(true);
    expect(line({ speed: 2.5 })).toBe(false);
    expect(line({ volume: 1.5 })).toBe(false);
    expect(line({ pitch: 13 })).toBe(false);
    expect(line({ emotion: 'neutral' })).toBe(false);
  });

  it.each([
    ['baseUrl wins over region', { baseUrl: 'https://proxy.example.com/vidu', region: 'cn' as const }, 'https://proxy.example.com/vidu/ent/v2/tasks/1/creations'],
    ['region cn', { region: 'cn' as const }, 'https://api.vidu.cn/ent/v2/tasks/1/creations'],
    ['the default host', {}, 'https://api.vidu.com/ent/v2/tasks/1/creations'],
  ])('calls %s', async (_name, hostSettings, expectedUrl) => {
    handle('get', expectedUrl, json(taskSuccess, 200, { date: vendorDate }));
    const provider = createViduProvider({ apiKey, ...hostSettings }, { retry: { retries: 0, rateLimitRetries: 0 } });

    await provider.doCheckVoice!({ remoteId: voiceId, data: { taskId: '1' } }, testContext().context);

    expect(calls.map((call) => call.url)).toEqual([expectedUrl]);
  });

  it('refuses every call without an API key, naming VIDU_API_KEY, before sending anything', async () => {
    const provider = createViduProvider({ baseUrl });
    const { context } = testContext();
    const attempts = [
      provider.doCreateVoice(voiceRequest(), context),
      provider.doResumeVoice!(voiceRequest(), {}, context),
      provider.doCheckVoice!({ remoteId: voiceId }, context),
      provider.doSynthesize(speechRequest(), context),
      provider.doResumeSynthesis!(speechRequest(), { taskId: '1' }, context),
    ];
    for (const attempt of attempts) {
      const error = await rejection(attempt);
      expect(UsageError.isInstance(error)).toBe(true);
      expect(error.message).toContain('VIDU_API_KEY');
    }
    expect(calls).toEqual([]);
  });
});

describe('doCreateVoice', () => {
  it('clones with audio-clone and the engine\'s voice id; a success answer is the voice', async () => {
    handle('post', cloneUrl, json(cloneSuccess));
    const { context, recorded } = testContext();

    const voice = await testProvider().doCreateVoice(voiceRequest(), context);

    expect(calls).toEqual([
      {
        method: 'POST',
        url: cloneUrl,
        path: '/ent/v2/audio-clone',
        authorization: `Token ${apiKey}`,
        contentType: 'application/json',
        body: { audio_url: sampleUrl, voice_id: voiceId, text: defaultPreview },
      },
    ]);
    expect(voice).toEqual({ remoteId: voiceId, data: { taskId: cloneSuccess.task_id } });
    expect(recorded).toEqual([]);
  });

  it('sends the prompt sample with its transcript, the preview text and the payload', async () => {
    handle('post', cloneUrl, json(cloneSuccess));

    await testProvider().doCreateVoice(
      voiceRequest({
        prompt: { sample: sample(promptUrl), text: 'Welcome back.' },
        language: 'English',
        options: { previewText: 'Chapter one.', payload: 'book-7' },
      }),
      testContext().context,
    );

    expect(calls[0]!.body).toEqual({
      audio_url: sampleUrl,
      voice_id: voiceId,
      prompt_audio_url: promptUrl,
      prompt_text: 'Welcome back.',
      text: 'Chapter one.',
      payload: 'book-7',
    });
  });

  it('refuses a prompt transcript without final punctuation before calling Vidu', async () => {
    const error = await rejection(
      testProvider().doCreateVoice(voiceRequest({ prompt: { sample: sample(promptUrl), text: 'Welcome back' } }), testContext().context),
    );

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/voices\.narrator\.prompt\.text: .*punctuation/);
    expect(calls).toEqual([]);
  });

  it('accepts punctuation of any script at the end of the transcript', async () => {
    handle('post', cloneUrl, json(cloneSuccess));

    await testProvider().doCreateVoice(voiceRequest({ prompt: { sample: sample(promptUrl), text: '欢迎回来。' } }), testContext().context);

    expect(calls[0]!.body).toMatchObject({ prompt_text: '欢迎回来。' });
  });

  it('refuses a local sample file with a message to host it', async () => {
    const error = await rejection(testProvider().doCreateVoice(voiceRequest({ sample: sample('/project/samples/narrator.wav', 'file') }), testContext().context));

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/host the sample at an https URL/);
    expect(calls).toEqual([]);
  });

  it('records a queueing clone task before polling it to success', async () => {
    handle('post', cloneUrl, json(cloneQueueing));
    handle('get', taskUrl(cloneQueueing.task_id), json({ ...taskProcessing, id: cloneQueueing.task_id }), json({ ...taskSuccess, id: cloneQueueing.task_id }));
    const { context, recorded, statuses } = testContext();

    const voice = await testProvider().doCreateVoice(voiceRequest(), context);

    expect(voice).toEqual({ remoteId: voiceId, data: { taskId: cloneQueueing.task_id } });
    expect(recorded).toEqual([{ taskId: cloneQueueing.task_id }]);
    expect(timeline).toEqual([
      'POST /ent/v2/audio-clone',
      `recordTask ${cloneQueueing.task_id}`,
      `GET /ent/v2/tasks/${cloneQueueing.task_id}/creations`,
      `GET /ent/v2/tasks/${cloneQueueing.task_id}/creations`,
    ]);
    expect(calls[1]!).toMatchObject({ method: 'GET', authorization: `Token ${apiKey}`, body: undefined });
    expect(statuses).toEqual(['queueing', 'processing', 'success']);
  });

  it('fails with the err_code when the clone task fails', async () => {
    handle('post', cloneUrl, json(cloneQueueing));
    handle('get', taskUrl(cloneQueueing.task_id), json({ ...taskFailed, id: cloneQueueing.task_id, err_code: 'AuditSubmitIllegal' }));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error.message).toContain(`Vidu task ${cloneQueueing.task_id} (voice clone) failed (state failed, err_code AuditSubmitIllegal)`);
    expect(error.message).toMatch(/content moderation refused .*change it/);
  });

  it('retries a network error (the voice id makes the clone idempotent)', async () => {
    handle('post', cloneUrl, () => HttpResponse.error(), json(cloneSuccess));

    const voice = await testProvider().doCreateVoice(voiceRequest(), testContext().context);

    expect(voice.remoteId).toBe(voiceId);
    expect(calls.map((call) => call.body)).toEqual([calls[0]!.body, calls[0]!.body]);
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['409 Conflict', () => viduError('DuplicateConflict', 409)],
    ['400 FieldInvalid "voice_id duplicated"', () => viduError('DuplicateFieldInvalid', 400)],
  ])('reads %s on a retry of its own voice id as: the first attempt went through', async (_name, duplicate) => {
    handle('post', cloneUrl, viduError('InternalServiceFailure', 500), duplicate());

    const voice = await testProvider().doCreateVoice(voiceRequest(), testContext().context);

    expect(voice).toEqual({ remoteId: voiceId });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body).toMatchObject({ voice_id: voiceId });
  });

  it('does not retry 400 FieldInvalid and says what Vidu refused', async () => {
    handle('post', cloneUrl, viduError('FieldInvalid', 400));

    const error = await rejection(testProvider().doCreateVoice(voiceRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, code: 'FieldInvalid', isRetryable: false, requestId: errors.FieldInvalid.metadata.trace_id });
    expect(error.message).toContain('audio_url could not be downloaded: HTTP 404');
    expectNoKey(error);
  });
});

describe('doResumeVoice', () => {
  it('polls the recorded clone task without cloning again', async () => {
    handle('get', taskUrl('77'), json({ ...taskProcessing, id: '77' }), json({ ...taskSuccess, id: '77' }));

    const voice = await testProvider().doResumeVoice!(voiceRequest(), { taskId: '77', data: { voiceId } }, testContext().context);

    expect(voice).toEqual({ remoteId: voiceId, data: { taskId: '77' } });
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['GET /ent/v2/tasks/77/creations', 'GET /ent/v2/tasks/77/creations']);
  });

  it('returns nothing when the recorded clone task failed', async () => {
    handle('get', taskUrl('77'), json({ ...taskFailed, id: '77' }));

    expect(await testProvider().doResumeVoice!(voiceRequest(), { taskId: '77' }, testContext().context)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('without a task id, sends the clone again: a duplicate answer means the voice exists', async () => {
    handle('post', cloneUrl, viduError('DuplicateConflict', 409));

    const voice = await testProvider().doResumeVoice!(voiceRequest(), { data: { voiceId } }, testContext().context);

    expect(voice).toEqual({ remoteId: voiceId });
    expect(calls).toHaveLength(1);
    expect(calls[0]!).toMatchObject({ method: 'POST', path: '/ent/v2/audio-clone', authorization: `Token ${apiKey}`, body: { voice_id: voiceId, audio_url: sampleUrl } });
  });

  it('without a task id, sends the clone again: a success means it never existed and is now created once', async () => {
    handle('post', cloneUrl, json(cloneSuccess));

    const voice = await testProvider().doResumeVoice!(voiceRequest(), {}, testContext().context);

    expect(voice).toEqual({ remoteId: voiceId, data: { taskId: cloneSuccess.task_id } });
    expect(calls).toHaveLength(1);
  });

  it('falls back to the voice id when Vidu no longer knows the recorded task', async () => {
    handle('get', taskUrl('77'), viduError('TaskNotFound', 404));
    handle('post', cloneUrl, viduError('DuplicateFieldInvalid', 400));

    const voice = await testProvider().doResumeVoice!(voiceRequest(), { taskId: '77' }, testContext().context);

    expect(voice).toEqual({ remoteId: voiceId, data: { taskId: '77' } });
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['GET /ent/v2/tasks/77/creations', 'POST /ent/v2/audio-clone']);
  });

  it('returns nothing when Vidu refuses the clone (it accepted nothing), so the engine creates it and reports why', async () => {
    handle('post', cloneUrl, viduError('CreditInsufficient', 400));

    expect(await testProvider().doResumeVoice!(voiceRequest(), {}, testContext().context)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});

describe('doCheckVoice', () => {
  it('queries the recorded clone task only to learn Vidu\'s clock: the voice itself stays unknown', async () => {
    handle('get', taskUrl('77'), json({ ...taskSuccess, id: '77' }, 200, { date: vendorDate }));

    const check = await testProvider().doCheckVoice!({ remoteId: voiceId, data: { taskId: '77' } }, testContext().context);

    expect(check).toEqual({ status: 'unknown', vendorTime: '2026-11-21T10:00:00.000Z' });
    expect(calls).toEqual([expect.objectContaining({ method: 'GET', path: '/ent/v2/tasks/77/creations', authorization: `Token ${apiKey}`, body: undefined })]);
  });

  it('reads the clock from a 404 when no task was recorded', async () => {
    handle('get', taskUrl(voiceId), viduError('TaskNotFound', 404, { date: vendorDate }));

    const check = await testProvider().doCheckVoice!({ remoteId: voiceId }, testContext().context);

    expect(check).toEqual({ status: 'unknown', vendorTime: '2026-11-21T10:00:00.000Z' });
    expect(calls).toHaveLength(1);
  });

  it('reports a refused key instead of hiding it', async () => {
    handle('get', taskUrl('77'), viduError('Unauthorized', 401, { date: vendorDate }));

    const error = await rejection(testProvider().doCheckVoice!({ remoteId: voiceId, data: { taskId: '77' } }, testContext().context));

    expect(error).toMatchObject({ status: 401 });
    expectNoKey(error);
  });
});

describe('doSynthesize', () => {
  const cdnFile = ttsSuccess.file_url;
  const creationFile = taskSuccess.creations[0]!.url;

  it('speaks with audio-tts, records the task and streams file_url without sending the key there', async () => {
    handle('post', ttsUrl, json(ttsSuccess));
    handle('get', cdnFile, audioFile());
    const { context, recorded } = testContext();

    const result = await testProvider().doSynthesize(
      speechRequest({
        text: 'Ça va? 燕少飞 says omg.',
        options: { speed: 1.25, volume: 5, pitch: -3, emotion: 'happy', pronunciation_dict_tone: ['燕少飞/(yan4)(shao3)(fei1)', 'omg/oh my god'], payload: 'line-7' },
      }),
      context,
    );

    expect(calls[0]).toEqual({
      method: 'POST',
      url: ttsUrl,
      path: '/ent/v2/audio-tts',
      authorization: `Token ${apiKey}`,
      contentType: 'application/json',
      body: {
        text: 'Ça va? 燕少飞 says omg.',
        voice_setting_voice_id: voiceId,
        voice_setting_speed: 1.25,
        voice_setting_volume: 5,
        voice_setting_pitch: -3,
        voice_setting_emotion: 'happy',
        pronunciation_dict_tone: ['燕少飞/(yan4)(shao3)(fei1)', 'omg/oh my god'],
        payload: 'line-7',
      },
    });
    expect(calls[1]).toMatchObject({ method: 'GET', url: cdnFile, authorization: null });
    expect(recorded).toEqual([{ taskId: ttsSuccess.task_id }]);
    expect(result.format).toBe('mp3');
    expect(result.billedCharacters).toBe(20);
    expect(result.audio.type).toBe('stream');
    expect(await bytesOf((result.audio as { stream: ReadableStream<Uint8Array> }).stream)).toEqual([...mp3]);
  });

  it("sends the manifest's lexicon as pronunciation_dict_tone, with or without the options' own entries", async () => {
    handle('post', ttsUrl, json(ttsSuccess));
    handle('get', cdnFile, audioFile());
    handle('post', ttsUrl, json(ttsSuccess));
    handle('get', cdnFile, audioFile());

    await testProvider().doSynthesize(speechRequest({ text: 'Nguyen says omg.', lexicon: { Nguyen: 'Win' } }), testContext().context);
    await testProvider().doSynthesize(
      speechRequest({ text: 'Nguyen says omg.', options: { pronunciation_dict_tone: ['omg/oh my god'] }, lexicon: { Nguyen: 'Win' } }),
      testContext().context,
    );

    const bodies = calls.filter((call) => call.method === 'POST').map((call) => call.body);
    expect(bodies).toEqual([
      { text: 'Nguyen says omg.', voice_setting_voice_id: voiceId, pronunciation_dict_tone: ['Nguyen/Win'] },
      { text: 'Nguyen says omg.', voice_setting_voice_id: voiceId, pronunciation_dict_tone: ['omg/oh my god', 'Nguyen/Win'] },
    ]);
  });

  it('sends only the text and the voice id when the line has no options', async () => {
    handle('post', ttsUrl, json(ttsSuccess));
    handle('get', cdnFile, audioFile());

    await testProvider().doSynthesize(speechRequest(), testContext().context);

    expect(calls[0]!.body).toEqual({ text: 'It was a dark and stormy night.', voice_setting_voice_id: voiceId });
  });

  it('records a queueing task before polling it, reports each state and fetches creations[0].url', async () => {
    const id = ttsQueueing.task_id;
    handle('post', ttsUrl, json(ttsQueueing));
    handle('get', taskUrl(id), json({ ...taskProcessing, state: 'queueing' }), json(taskProcessing), json(taskProcessing), json(taskSuccess));
    handle('get', creationFile, audioFile());
    const { context, recorded, statuses } = testContext();

    const result = await testProvider().doSynthesize(speechRequest(), context);

    expect(recorded).toEqual([{ taskId: id }]);
    expect(timeline).toEqual([
      'POST /ent/v2/audio-tts',
      `recordTask ${id}`,
      ...Array(4).fill(`GET /ent/v2/tasks/${id}/creations`),
      `GET ${new URL(creationFile).pathname}`,
    ]);
    expect(calls.filter((call) => call.path.startsWith('/ent/')).every((call) => call.authorization === `Token ${apiKey}`)).toBe(true);
    expect(statuses).toEqual(['queueing', 'processing', 'success']);
    expect(await bytesOf((result.audio as { stream: ReadableStream<Uint8Array> }).stream)).toEqual([...mp3]);
  });

  it('also takes file_url from the task query (a documented alternative to creations)', async () => {
    const id = ttsQueueing.task_id;
    handle('post', ttsUrl, json(ttsQueueing));
    handle('get', taskUrl(id), json({ id, state: 'success', file_url: cdnFile }));
    handle('get', cdnFile, audioFile());

    const result = await testProvider().doSynthesize(speechRequest(), testContext().context);

    expect(result.audio.type).toBe('stream');
    expect(calls.at(-1)!.url).toBe(cdnFile);
  });

  it('fails with the err_code when the task fails', async () => {
    const id = ttsQueueing.task_id;
    handle('post', ttsUrl, json(ttsQueueing));
    handle('get', taskUrl(id), json(taskProcessing), json(taskFailed));
    const { context, recorded } = testContext();

    const error = await rejection(testProvider().doSynthesize(speechRequest(), context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'failed', taskId: id, status: 'failed' });
    expect(error.message).toContain('err_code CreationPolicyViolation');
    expect(error.message).toMatch(/change it/);
    expect(recorded).toEqual([{ taskId: id }]);
    expectNoKey(error);
  });

  it('does not retry a 500 on audio-tts: Vidu may have accepted the billable task', async () => {
    handle('post', ttsUrl, viduError('InternalServiceFailure', 500));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 500, code: 'InternalServiceFailure', isRetryable: false });
    expect(error.message).toMatch(/Not retried: the request is billable/);
    expectNoKey(error);
  });

  it('does not retry a network error on audio-tts', async () => {
    handle('post', ttsUrl, () => HttpResponse.error());

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ isRetryable: false });
  });

  it('waits out 429 QuotaExceeded (the organisation\'s 5 tasks) with a long backoff and succeeds', async () => {
    handle('post', ttsUrl, viduError('QuotaExceeded', 429), viduError('QuotaExceeded', 429), json(ttsSuccess));
    handle('get', cdnFile, audioFile());
    const rateLimits: string[] = [];
    const limiter = { reportRateLimit: () => void rateLimits.push('limit'), reportSuccess: () => {} };

    const result = await testProvider({ limiter }).doSynthesize(speechRequest(), testContext().context);

    expect(result.format).toBe('mp3');
    expect(calls.filter((call) => call.path === '/ent/v2/audio-tts')).toHaveLength(3);
    expect(retryDelays).toEqual([10_000, 10_000]);
    expect(rateLimits).toEqual(['limit', 'limit']);
  });

  it('honours Retry-After on QuotaExceeded', async () => {
    handle('post', ttsUrl, viduError('QuotaExceeded', 429, { 'retry-after': '3' }), json(ttsSuccess));
    handle('get', cdnFile, audioFile());

    await testProvider().doSynthesize(speechRequest(), testContext().context);

    expect(retryDelays).toEqual([3_000]);
  });

  it('keeps waiting for a task slot after the HTTP client has used up its retries', async () => {
    handle('post', ttsUrl, viduError('QuotaExceeded', 429), viduError('QuotaExceeded', 429), viduError('QuotaExceeded', 429), json(ttsSuccess));
    handle('get', cdnFile, audioFile());

    await testProvider({}, { retry: { retries: 0, rateLimitRetries: 0 } }).doSynthesize(speechRequest(), testContext().context);

    expect(calls.filter((call) => call.path === '/ent/v2/audio-tts')).toHaveLength(4);
    expect(retryDelays).toEqual([10_000, 10_000, 10_000]);
  });

  it('gives up on QuotaExceeded after quotaTimeoutMs, saying why', async () => {
    handle('post', ttsUrl, viduError('QuotaExceeded', 429));
    let clock = 0;
    const provider = testProvider(
      {},
      { quotaTimeoutMs: 60_000, retry: { retries: 0, rateLimitRetries: 0, now: () => clock, sleep: async (ms) => void (clock += ms) } },
    );

    const error = await rejection(provider.doSynthesize(speechRequest(), testContext().context));

    // The first attempt, then one every 10 s until 60 s have passed.
    expect(calls).toHaveLength(7);
    expect(error).toMatchObject({ status: 429, code: 'QuotaExceeded', isRateLimit: true, neverAccepted: true });
    expect(error.message).toMatch(/all 5 concurrent Vidu tasks of the organisation are taken.*run apply again/);
    expectNoKey(error);
  });

  it.each(['TooManyRequests', 'SystemThrottling'] as const)('retries 429 %s as a rate limit', async (code) => {
    handle('post', ttsUrl, viduError(code, 429), json(ttsSuccess));
    handle('get', cdnFile, audioFile());

    await testProvider().doSynthesize(speechRequest(), testContext().context);

    expect(calls.filter((call) => call.path === '/ent/v2/audio-tts')).toHaveLength(2);
  });

  it.each([
    ['Unauthorized', 401, /VIDU_API_KEY/],
    ['Forbidden', 403, /VIDU_API_KEY/],
  ] as const)('fails at once on %s, saying that Vidu wants "Token" and the key from VIDU_API_KEY', async (code, status, advice) => {
    handle('post', ttsUrl, viduError(code, status));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status, code, isRetryable: false });
    expect(error.message).toMatch(advice);
    expect(error.message).toMatch(/Authorization: Token <API key>/);
    expectNoKey(error);
  });

  it.each([
    ['CreditInsufficient', /top up/],
    ['FieldLacking', /field is missing or empty: voice_setting_voice_id/],
    ['CreationPolicyViolation', /content moderation refused/],
    ['TaskPromptPolicyViolation', /content moderation refused/],
    ['AuditSubmitIllegal', /content moderation refused/],
  ] as const)('fails at once on 400 %s with a message that says what to do', async (code, advice) => {
    handle('post', ttsUrl, viduError(code, 400));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 400, code, isRetryable: false, requestId: errors[code].metadata.trace_id });
    expect(error.message).toMatch(advice);
    expectNoKey(error);
  });

  it('says how to clone the voice again when Vidu no longer knows it', async () => {
    // The emulator's wording; Vidu's own is UNKNOWN (VENDORS.md §3.2), so any "voice … does not exist / not found" is read alike.
    handle('post', ttsUrl, json({ code: 400, reason: 'FieldInvalid', message: `voice_setting_voice_id ${voiceId} does not exist (cloned voices unused for 168 h are deleted)` }, 400));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(error).toMatchObject({ status: 400, code: 'FieldInvalid', isRetryable: false });
    expect(error.message).toMatch(/no longer exists at Vidu.*`voxform apply --refresh`.*`voxform apply --replace voice\.narrator`/);
  });

  it('fails when the task is gone while polling', async () => {
    const id = ttsQueueing.task_id;
    handle('post', ttsUrl, json(ttsQueueing));
    handle('get', taskUrl(id), viduError('TaskNotFound', 404));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(error).toMatchObject({ status: 404, code: 'TaskNotFound', isRetryable: false });
    expect(calls).toHaveLength(2);
  });
});

describe('doResumeSynthesis', () => {
  it('polls the recorded task and returns its audio without a new audio-tts call', async () => {
    handle('get', taskUrl('88'), json({ ...taskProcessing, id: '88' }), json({ ...taskSuccess, id: '88' }));
    handle('get', taskSuccess.creations[0]!.url, audioFile());
    const { context, recorded } = testContext();

    const result = await testProvider().doResumeSynthesis!(speechRequest(), { taskId: '88' }, context);

    expect(result).toMatchObject({ format: 'mp3', audio: { type: 'stream' } });
    expect(await bytesOf((result!.audio as { stream: ReadableStream<Uint8Array> }).stream)).toEqual([...mp3]);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'GET /ent/v2/tasks/88/creations',
      'GET /ent/v2/tasks/88/creations',
      `GET ${new URL(taskSuccess.creations[0]!.url).pathname}`,
    ]);
    expect(recorded).toEqual([]);
  });

  it('returns nothing without a recorded task id', async () => {
    expect(await testProvider().doResumeSynthesis!(speechRequest(), {}, testContext().context)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it.each([
    ['failed', json(taskFailed)],
    ['unknown to Vidu', viduError('TaskNotFound', 404)],
  ])('returns nothing when the recorded task %s (nothing to fetch: the line is rendered again)', async (_name, answer) => {
    handle('get', taskUrl('88'), answer);

    expect(await testProvider().doResumeSynthesis!(speechRequest(), { taskId: '88' }, testContext().context)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('returns nothing when the finished task\'s audio link has expired', async () => {
    handle('get', taskUrl('88'), json(taskSuccess));
    handle('get', taskSuccess.creations[0]!.url, () => new HttpResponse('expired', { status: 403 }));

    expect(await testProvider().doResumeSynthesis!(speechRequest(), { taskId: '88' }, testContext().context)).toBeUndefined();
  });
});
