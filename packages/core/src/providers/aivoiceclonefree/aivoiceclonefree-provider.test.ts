import { HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { json, useVendorServer, type Answer, recordingContext } from '../__fixtures__/vendor-server.js';
import type { HttpEvent } from '../../http/index.js';
import type { CreateVoiceRequest, ProviderSettings, SampleInput, SynthesizeRequest } from '../provider-v1.js';
import createTaskAnswer from './__fixtures__/create-task.json' with { type: 'json' };
import errors from './__fixtures__/errors.json' with { type: 'json' };
import resultAnswer from './__fixtures__/task-result.json' with { type: 'json' };
import completedAnswer from './__fixtures__/task-status-completed.json' with { type: 'json' };
import failedAnswer from './__fixtures__/task-status-failed.json' with { type: 'json' };
import pendingAnswer from './__fixtures__/task-status-pending.json' with { type: 'json' };
import processingAnswer from './__fixtures__/task-status-processing.json' with { type: 'json' };
import { createAiVoiceCloneFreeProvider, type AiVoiceCloneFreeProviderOptions } from './aivoiceclonefree-provider.js';

// Characters that change when URL- or JSON-encoded, so every encoded form of the key is checked too.
const apiKey = 'avcf-FAKE+KEY/7c41e9d2 b8a6=SECRET';
const baseUrl = 'https://aivoiceclonefree.test';
const taskId = createTaskAnswer.task_id;
const audioUrl = resultAnswer.audio_url;
const sampleUrl = 'https://samples.example.com/caller.mp3';
const sampleBytes = new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45]);
const mp3 = new Uint8Array([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfb, 0x90, 0x64]);

const createUrl = `${baseUrl}/api/instant/create-task`;
const statusUrl = `${baseUrl}/api/instant/task-status`;
const resultUrl = `${baseUrl}/api/instant/task-result`;

const { calls, timeline, handle } = useVendorServer();
const retryDelays: number[] = [];
const pollDelays: number[] = [];
const events: HttpEvent[] = [];

afterEach(() => {
  retryDelays.length = 0;
  pollDelays.length = 0;
  events.length = 0;
});

const audioFile = (): Answer => () => new HttpResponse(mp3.slice(), { headers: { 'content-type': 'audio/mpeg' } });

/** The happy path after create-task: pending, processing, completed, then the result and the audio. */
function completedTask() {
  handle('get', statusUrl, json(pendingAnswer), json(processingAnswer), json(completedAnswer));
  handle('get', resultUrl, json(resultAnswer));
  handle('get', audioUrl, audioFile());
}

/** A provider whose retry and poll waits are recorded instead of waited. */
function testProvider(overrides: Partial<ProviderSettings> = {}, options: AiVoiceCloneFreeProviderOptions = {}) {
  return createAiVoiceCloneFreeProvider(
    { apiKey, baseUrl, ...overrides },
    {
      onEvent: (event) => events.push(event),
      ...options,
      retry: { baseDelayMs: 1, random: () => 0, sleep: async (ms) => void retryDelays.push(ms), ...options.retry },
      poll: { intervalMs: 5, sleep: async (ms) => void pollDelays.push(ms), ...options.poll },
    },
  );
}

const testContext = () => recordingContext(timeline);

function fileSample(location = '/project/samples/caller.wav', format: string | null = 'wav'): SampleInput {
  return { source: 'file', location, ...(format ? { format } : {}), bytes: sampleBytes.length, read: async () => sampleBytes };
}

function urlSample(location = sampleUrl): SampleInput {
  return { source: 'url', location, format: 'mp3', read: () => Promise.reject(new Error('a URL sample is never read: the vendor downloads it')) };
}

function voiceRequest(overrides: Partial<CreateVoiceRequest> = {}): CreateVoiceRequest {
  return { name: 'caller', fingerprint: '9f2c1a7b3d4e'.padEnd(64, '0'), sample: fileSample(), options: {}, suggestedVoiceId: 'vx-caller-9f2c1a7b3d4e', ...overrides };
}

function speechRequest(overrides: { text?: string; sample?: SampleInput; voiceOptions?: SynthesizeRequest['voice']['options']; options?: SynthesizeRequest['options']; format?: 'mp3' | 'wav' } = {}): SynthesizeRequest {
  return {
    text: overrides.text ?? 'Hello? I am calling from a boat.',
    voice: { name: 'caller', fingerprint: '9f2c1a7b3d4e'.padEnd(64, '0'), options: overrides.voiceOptions ?? {}, sample: overrides.sample ?? fileSample() },
    options: overrides.options ?? {},
    format: overrides.format ?? 'mp3',
  };
}

async function bytesOf(source: unknown): Promise<number[]> {
  const audio = source as { type: string; stream: ReadableStream<Uint8Array> };
  expect(audio.type).toBe('stream');
  return [...new Uint8Array(await new Response(audio.stream).arrayBuffer())];
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

/** Every form the key takes on the wire: as is, URL-encoded (both ways) and JSON-escaped. */
const keyForms = [apiKey, encodeURIComponent(apiKey), new URLSearchParams({ k: apiKey }).toString().slice(2), JSON.stringify(apiKey).slice(1, -1)];

function expectNoKeyIn(text: string) {
  for (const form of keyForms) expect(text).not.toContain(form);
}

/** The key appears nowhere in the error: not in its message, its url, what logs and --json print, nor in any event. */
function expectNoKey(error: Error) {
  expectNoKeyIn(error.message);
  expectNoKeyIn(JSON.stringify(error));
  expectNoKeyIn(String(error.stack));
  if (ApiCallError.isInstance(error)) {
    expectNoKeyIn(error.url);
    expectNoKeyIn(String(error.responseBody));
  }
  expect(events.length).toBeGreaterThan(0);
  expectNoKeyIn(JSON.stringify(events));
}

describe('createAiVoiceCloneFreeProvider: description', () => {
  it('describes the legacy API with the emulator\'s choices for what VENDORS.md leaves UNKNOWN', () => {
    const provider = createAiVoiceCloneFreeProvider({});
    expect(provider).toMatchObject({ specificationVersion: 'v1', id: 'aivoiceclonefree', displayName: 'AI Voice Clone Free' });
    expect(provider.capabilities).toEqual({
      persistentVoices: false,
      clientChosenVoiceIds: false,
      synthesis: true,
      maxTextLength: 9_999,
      sample: { sources: ['file', 'url'], formats: ['wav', 'mp3', 'm4a'], minDurationMs: 5_000, maxDurationMs: 300_000, maxBytes: 20 * 1024 * 1024 },
      outputFormats: ['mp3'],
      defaultConcurrency: 2,
      apiKeyEnv: 'AIVOICECLONEFREE_API_KEY',
    });
    expect(provider.settingsSchema).toBeUndefined();
    // No voice is kept: nothing to check, delete or resume.
    expect(provider.doCheckVoice).toBeUndefined();
    expect(provider.doDeleteVoice).toBeUndefined();
    expect(provider.doResumeVoice).toBeUndefined();
  });

  it.each([
    ['the legacy host by default', {}, 'https://aivoiceclonefree.com/api/instant/task-status'],
    ['baseUrl (the emulator, a proxy) when given', { baseUrl: 'http://127.0.0.1:4010/aivoiceclonefree' }, 'http://127.0.0.1:4010/aivoiceclonefree/api/instant/task-status'],
  ])('calls %s', async (_name, hostSettings, expectedUrl) => {
    handle('get', expectedUrl, json(failedAnswer));
    const provider = createAiVoiceCloneFreeProvider({ apiKey, ...hostSettings }, { retry: { retries: 0 } });

    await provider.doResumeSynthesis!(speechRequest(), { taskId }, testContext().context);

    expect(calls.map((call) => call.url.split('?')[0])).toEqual([expectedUrl]);
  });

  it('refuses to synthesize without an API key, naming AIVOICECLONEFREE_API_KEY, before sending anything', async () => {
    const provider = createAiVoiceCloneFreeProvider({ baseUrl });
    const { context } = testContext();
    for (const attempt of [provider.doSynthesize(speechRequest(), context), provider.doResumeSynthesis!(speechRequest(), { taskId }, context)]) {
      const error = await rejection(attempt);
      expect(UsageError.isInstance(error)).toBe(true);
      expect(error.message).toContain('AIVOICECLONEFREE_API_KEY');
    }
    expect(calls).toEqual([]);
  });
});

describe('doCreateVoice', () => {
  it.each([
    ['a file sample', fileSample()],
    ['a URL sample', urlSample()],
    ['an m4a file without extension', fileSample('/project/samples/take-3', 'm4a')],
  ])('keeps nothing at the vendor for %s: no call, no key needed, an empty record', async (_name, sample) => {
    const { context, recorded } = testContext();

    const voice = await createAiVoiceCloneFreeProvider({ baseUrl }).doCreateVoice(voiceRequest({ sample, options: { model: 'v2', emotion_control: { mode: 'text', text: 'calm' } } }), context);

    expect(voice).toEqual({});
    expect(calls).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it.each([
    ['emotion_control with model v1', { options: { model: 'v1', emotion_control: { mode: 'text', text: 'calm' } } }, /voices\.caller\.options\.emotion_control: .*only with model v2.*remove emotion_control or set model: v2/],
    ['an unknown model', { options: { model: 'v2-emotion' } }, /voices\.caller\.options\.model: expected one of v1, v2, v-mul, got "v2-emotion"/],
    ['a sample URL that is not http(s)', { sample: { ...urlSample(), location: 'ftp://samples.example.com/caller.mp3' } }, /voices\.caller\.sample: .*must be an http\(s\) URL/],
    ['a FLAC sample', { sample: fileSample('/project/samples/caller.flac', 'flac') }, /voices\.caller\.sample: .*WAV, MP3 or M4A samples, got flac/],
  ])('refuses %s', async (_name, overrides, message) => {
    const error = await rejection(testProvider().doCreateVoice(voiceRequest(overrides as Partial<CreateVoiceRequest>), testContext().context));

    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(message);
  });
});

describe('doSynthesize', () => {
  it('uploads a file sample as multipart with every field, records the task before polling, then streams the audio without the key', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    completedTask();
    const { context, recorded, statuses } = testContext();

    const result = await testProvider().doSynthesize(
      speechRequest({
        text: 'Ça va? 燕少飞 on the boat.',
        voiceOptions: { model: 'v2', emotion_control: { mode: 'vector', vector: [0.8, 0, 0, 0, 0.3, 0, 0.2, 0.5] } },
        options: { speed_ratio: 1.25, pitch_ratio: -2.5, volume_ratio: 0.8 },
      }),
      context,
    );

    const create = calls[0]!;
    expect(create).toMatchObject({ method: 'POST', url: createUrl, path: '/api/instant/create-task', query: {} });
    expect(create.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(create.fields).toEqual({
      text: 'Ça va? 燕少飞 on the boat.',
      model: 'v2',
      speed_ratio: '1.25',
      pitch_ratio: '-2.5',
      volume_ratio: '0.8',
      emotion_control: '{"mode":"vector","vector":[0.8,0,0,0,0.3,0,0.2,0.5]}',
      // The legacy API takes the key as a form field (§1.1), not as a header.
      api_key: apiKey,
    });
    expect(create.files).toEqual([{ field: 'audio', filename: 'caller.wav', type: 'audio/wav', bytes: [...sampleBytes] }]);
    expect(create.headers.authorization).toBeUndefined();

    expect(timeline).toEqual([
      'POST /api/instant/create-task',
      `recordTask ${taskId}`,
      'GET /api/instant/task-status',
      'GET /api/instant/task-status',
      'GET /api/instant/task-status',
      'GET /api/instant/task-result',
      `GET ${new URL(audioUrl).pathname}`,
    ]);
    expect(recorded).toEqual([{ taskId }]);
    for (const call of calls.slice(1, 5)) {
      expect(call).toMatchObject({ method: 'GET', query: { task_id: taskId, api_key: apiKey }, contentType: null });
      expect(call.json).toBeUndefined();
    }
    expect(calls[4]!.path).toBe('/api/instant/task-result');
    // The download goes to the public storage link: no key in its url, its headers or a body.
    const fetchAudio = calls[5]!;
    expect(fetchAudio).toMatchObject({ method: 'GET', url: audioUrl, contentType: null });
    expectNoKeyIn(JSON.stringify(fetchAudio));
    expect(statuses).toEqual(['pending', 'processing', 'completed']);
    // The poll starts short and backs off.
    expect(pollDelays).toEqual([5, 7.5]);

    expect(result.format).toBe('mp3');
    // Code points: 燕少飞 counts 3, Ç 1.
    expect(result.billedCharacters).toBe(23);
    expect(await bytesOf(result.audio)).toEqual([...mp3]);
  });

  it('sends a URL sample as JSON with audio_url, numbers as numbers and emotion_control as an object', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    completedTask();

    await testProvider().doSynthesize(
      speechRequest({
        sample: urlSample(),
        voiceOptions: { emotion_control: { mode: 'reference', reference_audio_url: 'https://samples.example.com/angry.wav' } },
        options: { speed_ratio: 0.9, pitch_ratio: 3, volume_ratio: 1.5 },
      }),
      testContext().context,
    );

    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/instant/create-task', contentType: 'application/json' });
    expect(calls[0]!.json).toEqual({
      audio_url: sampleUrl,
      text: 'Hello? I am calling from a boat.',
      model: 'v2',
      speed_ratio: 0.9,
      pitch_ratio: 3,
      volume_ratio: 1.5,
      emotion_control: { mode: 'reference', reference_audio_url: 'https://samples.example.com/angry.wav' },
      api_key: apiKey,
    });
    expect(calls[0]!.files).toBeUndefined();
  });

  it('sends only the text, the model and the key when the voice and the line have no options', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    completedTask();

    await testProvider().doSynthesize(speechRequest({ sample: urlSample(), voiceOptions: { model: 'v-mul' } }), testContext().context);

    expect(calls[0]!.json).toEqual({ audio_url: sampleUrl, text: 'Hello? I am calling from a boat.', model: 'v-mul', api_key: apiKey });
  });

  it.each([
    ['an m4a sample without extension', fileSample('/project/samples/take-3', 'm4a'), 'take-3.m4a', 'audio/mp4'],
    ['an mp3 sample of unknown format', fileSample('/project/samples/caller.MP3', null), 'caller.MP3', 'audio/mpeg'],
  ])('names the file part of %s with the right extension and type', async (_name, sample, filename, type) => {
    handle('post', createUrl, json(createTaskAnswer));
    completedTask();

    await testProvider().doSynthesize(speechRequest({ sample }), testContext().context);

    expect(calls[0]!.files).toEqual([{ field: 'audio', filename, type, bytes: [...sampleBytes] }]);
  });

  it('asks task-result again while it answers 404 "not completed", then fetches the audio', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json(completedAnswer));
    handle('get', resultUrl, json(errors.legacy.notCompleted, 404), json(errors.legacy.notCompleted, 404), json(resultAnswer));
    handle('get', audioUrl, audioFile());

    const result = await testProvider().doSynthesize(speechRequest(), testContext().context);

    expect(calls.filter((call) => call.path === '/api/instant/task-result')).toHaveLength(3);
    expect(calls.filter((call) => call.path === '/api/instant/create-task')).toHaveLength(1);
    // Waits of the poll interval, doubled each time; the HTTP client itself does not retry a 404.
    expect(pollDelays).toEqual([5, 10]);
    expect(retryDelays).toEqual([]);
    expect(await bytesOf(result.audio)).toEqual([...mp3]);
  });

  it('gives up on a result that stays 404 after resultRetries more tries, saying why', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json(completedAnswer));
    handle('get', resultUrl, json(errors.legacy.notCompleted, 404));

    const error = await rejection(testProvider({}, { resultRetries: 2 }).doSynthesize(speechRequest(), testContext().context));

    expect(calls.filter((call) => call.path === '/api/instant/task-result')).toHaveLength(3);
    expect(error).toMatchObject({ status: 404, isRetryable: false });
    expect(error.message).toContain(`has no result for task ${taskId} (not finished yet, or the task is unknown)`);
    expectNoKey(error);
  });

  it('fails on 410 at once: the audio has expired, and says to render the line again', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json(completedAnswer));
    handle('get', resultUrl, json(errors.legacy.expired, 410));
    const { context, recorded } = testContext();

    const error = await rejection(testProvider().doSynthesize(speechRequest(), context));

    expect(calls.filter((call) => call.path === '/api/instant/task-result')).toHaveLength(1);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 410, isRetryable: false });
    expect(error.message).toMatch(/has expired.*run apply again to render the line anew/);
    // The task stays recorded: the next apply's resume finds it expired and renders the line again.
    expect(recorded).toEqual([{ taskId }]);
    expectNoKey(error);
  });

  it.each([
    ['failed, with the vendor\'s reason', failedAnswer, 'failed', /"invalid audio: the sample is 2\.1 s long, at least 5 s are needed".*run apply again to retry the line/],
    ['failed, without a reason', { task_id: taskId, status: 'FAILED' }, 'failed', /\(no reason given\)/],
    ['expired', { task_id: taskId, status: 'expired' }, 'expired', /keeps a result 24–48 h.*render the line anew/],
  ])('fails with a TaskError when the task ended %s', async (_name, answer, status, message) => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json(processingAnswer), json(answer));
    const { context, recorded, statuses } = testContext();

    const error = await rejection(testProvider().doSynthesize(speechRequest(), context));

    expect(TaskError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'failed', taskId, status, provider: 'AI Voice Clone Free' });
    expect(error.message).toMatch(`AI Voice Clone Free task ${taskId} ended ${status}`);
    expect(error.message).toMatch(message);
    expect(recorded).toEqual([{ taskId }]);
    expect(statuses).toEqual(['pending', 'processing', status]);
    expect(calls.some((call) => call.path === '/api/instant/task-result')).toBe(false);
    expectNoKey(error);
  });

  it('stops waiting after the poll timeout, keeping the task for the next apply', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json(processingAnswer));
    let clock = 0;
    const provider = testProvider({}, { poll: { intervalMs: 1_000, maxIntervalMs: 4_000, timeoutMs: 10_000, now: () => clock, sleep: async (ms) => void (clock += ms) } });

    const error = await rejection(provider.doSynthesize(speechRequest(), testContext().context));

    expect(error).toMatchObject({ reason: 'timeout', taskId, status: 'processing' });
    expect(error.message).toMatch(/still processing after 10 s.*run `voxform apply` again later to pick the task up/);
    // Checks at 0, 1, 2.5, 4.75, 8.75 s and a last one at the 10 s deadline.
    expect(calls.filter((call) => call.path === '/api/instant/task-status')).toHaveLength(6);
  });

  it('keeps polling through a status VENDORS.md does not list', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json({ task_id: taskId, status: 'queued' }), json({ ...completedAnswer, status: 'Completed' }));
    handle('get', resultUrl, json(resultAnswer));
    handle('get', audioUrl, audioFile());
    const { context, statuses } = testContext();

    await testProvider().doSynthesize(speechRequest(), context);

    expect(statuses).toEqual(['pending', 'queued', 'completed']);
  });

  it('tolerates a numeric task id and a result named audioUrl', async () => {
    handle('post', createUrl, json({ task_id: 42 }));
    handle('get', statusUrl, json({ task_id: 42, status: 'completed' }));
    handle('get', resultUrl, json({ audioUrl }));
    handle('get', audioUrl, audioFile());
    const { context, recorded } = testContext();

    const result = await testProvider().doSynthesize(speechRequest(), context);

    expect(recorded).toEqual([{ taskId: '42' }]);
    expect(calls[1]!.query).toEqual({ task_id: '42', api_key: apiKey });
    expect(await bytesOf(result.audio)).toEqual([...mp3]);
  });

  it('refuses emotion_control without model v2, and an output format other than mp3, before calling', async () => {
    const provider = testProvider();
    const refused = [
      provider.doSynthesize(speechRequest({ voiceOptions: { model: 'v1', emotion_control: { mode: 'text', text: 'calm' } } }), testContext().context),
      provider.doSynthesize(speechRequest({ format: 'wav' }), testContext().context),
    ];
    expect((await rejection(refused[0]!)).message).toMatch(/emotion_control.*only with model v2/);
    expect((await rejection(refused[1]!)).message).toMatch(/returns MP3 only, but wav was asked for/);
    expect(calls).toEqual([]);
  });

  it('reads an error answered with HTTP 200 as a refusal', async () => {
    handle('post', createUrl, json({ error: 'text is required' }));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(error).toMatchObject({ status: 200, isRetryable: false });
    expect(error.message).toContain('text is required');
    expect(calls).toHaveLength(1);
  });

  it('fails with an unexpected-response error when create-task answers without a task_id', async () => {
    handle('post', createUrl, json({ status: 'pending' }));
    const { context, recorded } = testContext();

    const error = await rejection(testProvider().doSynthesize(speechRequest(), context));

    expect(error.message).toMatch(/unexpected response .*missing task_id/);
    expect(recorded).toEqual([]);
  });
});

describe('doSynthesize: errors, retried or not', () => {
  it.each([
    ['400 (legacy body)', errors.legacy.missingAudio, 400, /audio \(a file\) or audio_url is required; check the sample/],
    ['401 (legacy body)', errors.legacy.invalidKey, 401, /invalid api_key; AI Voice Clone Free refused the API key: check AIVOICECLONEFREE_API_KEY/],
    ['401 missing_api_key (v2 body)', errors.v2.missingApiKey, 401, /code missing_api_key: .*AIVOICECLONEFREE_API_KEY/],
    ['402 (v2 body)', errors.v2.insufficientCredits, 402, /Insufficient credits.*too few credits: top it up/],
  ])('fails at once on create-task %s, saying what to do', async (_name, body, status, message) => {
    handle('post', createUrl, json(body, status));
    const { context, recorded } = testContext();

    const error = await rejection(testProvider().doSynthesize(speechRequest(), context));

    expect(calls).toHaveLength(1);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status, isRetryable: false, neverAccepted: true });
    expect(error.message).toMatch(message);
    expect(recorded).toEqual([]);
    expectNoKey(error);
  });

  it('retries create-task on 429 (the vendor accepted nothing), honouring Retry-After, and reports it to the limiter', async () => {
    handle('post', createUrl, json(errors.v2.rateLimit, 429, { 'retry-after': '2' }), json(createTaskAnswer));
    completedTask();
    const rateLimits: string[] = [];
    const limiter = { reportRateLimit: () => void rateLimits.push('limit'), reportSuccess: () => {} };

    const result = await testProvider({ limiter }).doSynthesize(speechRequest(), testContext().context);

    expect(result.format).toBe('mp3');
    expect(calls.filter((call) => call.path === '/api/instant/create-task')).toHaveLength(2);
    // The second attempt sends the whole multipart body again.
    expect(calls[1]!.files).toEqual(calls[0]!.files);
    expect(retryDelays).toEqual([2_000]);
    expect(rateLimits).toEqual(['limit']);
  });

  it('does not retry a 500 on create-task: the vendor may have accepted the billable task', async () => {
    handle('post', createUrl, json(errors.v2.serverError, 500));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 500, isRetryable: false });
    expect(error.message).toMatch(/Not retried: the request is billable/);
    expectNoKey(error);
  });

  it('does not retry a network error on create-task', async () => {
    handle('post', createUrl, () => HttpResponse.error());

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ isRetryable: false });
  });

  it.each([
    ['a 500', json(errors.v2.serverError, 500)],
    ['a 429', json(errors.v2.rateLimit, 429)],
    ['a network error', () => HttpResponse.error()],
  ])('retries %s on task-status (a read, safe to repeat)', async (_name, failure) => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, failure, json(completedAnswer));
    handle('get', resultUrl, json(resultAnswer));
    handle('get', audioUrl, audioFile());

    await testProvider().doSynthesize(speechRequest(), testContext().context);

    expect(calls.filter((call) => call.path === '/api/instant/task-status')).toHaveLength(2);
    expect(retryDelays).toHaveLength(1);
  });

  it('fails at once when task-status does not know the task (404)', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json(errors.legacy.taskNotFound, 404));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls.filter((call) => call.path === '/api/instant/task-status')).toHaveLength(1);
    expect(error).toMatchObject({ status: 404, isRetryable: false });
    expect(error.message).toContain(`does not know task ${taskId} (it is too old, or was made with another API key)`);
    expectNoKey(error);
  });

  it('retries a failed download of the audio', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json(completedAnswer));
    handle('get', resultUrl, json(resultAnswer));
    handle('get', audioUrl, () => new HttpResponse('busy', { status: 503 }), audioFile());

    const result = await testProvider().doSynthesize(speechRequest(), testContext().context);

    expect(await bytesOf(result.audio)).toEqual([...mp3]);
    expect(calls.filter((call) => call.url === audioUrl)).toHaveLength(2);
  });
});

describe('the API key travels in bodies and query strings, and is redacted everywhere', () => {
  /** An answer that quotes the request back, key and all, as a careless vendor might. */
  const echo =
    (status: number): Answer =>
    async (_call, request) => {
      const body = request.method === 'POST' ? await request.text() : '';
      return HttpResponse.json({ error: `invalid api_key ${apiKey} for ${request.url}`, api_key: apiKey, received: body }, { status });
    };

  it('on create-task with the key in a multipart body', async () => {
    handle('post', createUrl, echo(401));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls[0]!.fields!.api_key).toBe(apiKey);
    expectNoKey(error);
    expect(error.message).toContain('invalid api_key ***');
    expect((error as ApiCallError).responseBody).toContain('"api_key":"***"');
    expect((error as ApiCallError).url).toBe(createUrl);
  });

  it('on create-task with the key in a JSON body', async () => {
    handle('post', createUrl, echo(400));

    const error = await rejection(testProvider().doSynthesize(speechRequest({ sample: urlSample() }), testContext().context));

    expect((calls[0]!.json as { api_key: string }).api_key).toBe(apiKey);
    expectNoKey(error);
    expect((error as ApiCallError).responseBody).toContain('***');
  });

  it('on task-status with the key in the query, in the error and in every retry event', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, echo(503), echo(503), echo(401));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls[1]!.query.api_key).toBe(apiKey);
    expectNoKey(error);
    expect(error).toMatchObject({ status: 401, url: `${statusUrl}?task_id=${taskId}&api_key=***` });
    expect(error.message).toContain(`GET ${statusUrl}?task_id=${taskId}&api_key=*** failed`);
    const statusEvents = events.filter((event) => event.url.startsWith(statusUrl));
    expect(statusEvents.map((event) => event.type)).toEqual(['request-start', 'request-end', 'request-retry', 'request-start', 'request-end', 'request-retry', 'request-start', 'request-end']);
    for (const event of statusEvents) expect(event.url).toBe(`${statusUrl}?task_id=${taskId}&api_key=***`);
  });

  it('on task-result with the key in the query (410)', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    handle('get', statusUrl, json(completedAnswer));
    handle('get', resultUrl, echo(410));

    const error = await rejection(testProvider().doSynthesize(speechRequest(), testContext().context));

    expect(calls.at(-1)!.query.api_key).toBe(apiKey);
    expectNoKey(error);
    expect(error).toMatchObject({ status: 410, url: `${resultUrl}?task_id=${taskId}&api_key=***` });
  });

  it('in the events of a successful run too', async () => {
    handle('post', createUrl, json(createTaskAnswer));
    completedTask();

    await testProvider().doSynthesize(speechRequest(), testContext().context);

    expectNoKeyIn(JSON.stringify(events));
    expect(events.filter((event) => event.url.includes('api_key=***'))).toHaveLength(2 * 4);
  });
});

describe('doResumeSynthesis', () => {
  it('polls the recorded task and returns its audio without a new create-task', async () => {
    completedTask();
    const { context, recorded, statuses } = testContext();

    const result = await testProvider().doResumeSynthesis!(speechRequest(), { taskId }, context);

    expect(result).toMatchObject({ format: 'mp3', billedCharacters: 32 });
    expect(await bytesOf(result!.audio)).toEqual([...mp3]);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'GET /api/instant/task-status',
      'GET /api/instant/task-status',
      'GET /api/instant/task-status',
      'GET /api/instant/task-result',
      `GET ${new URL(audioUrl).pathname}`,
    ]);
    expect(calls[0]!.query).toEqual({ task_id: taskId, api_key: apiKey });
    expect(recorded).toEqual([]);
    expect(statuses).toEqual(['pending', 'processing', 'completed']);
  });

  it('returns nothing without a recorded task id', async () => {
    expect(await testProvider().doResumeSynthesis!(speechRequest(), {}, testContext().context)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it.each([
    ['the task failed', () => handle('get', statusUrl, json(failedAnswer))],
    ['the vendor no longer knows the task (404)', () => handle('get', statusUrl, json(errors.legacy.taskNotFound, 404))],
    [
      'its result has expired (410)',
      () => {
        handle('get', statusUrl, json(completedAnswer));
        handle('get', resultUrl, json(errors.legacy.expired, 410));
      },
    ],
    [
      'its result never appears (404)',
      () => {
        handle('get', statusUrl, json(completedAnswer));
        handle('get', resultUrl, json(errors.legacy.notCompleted, 404));
      },
    ],
    [
      'the audio link has lapsed (403)',
      () => {
        handle('get', statusUrl, json(completedAnswer));
        handle('get', resultUrl, json(resultAnswer));
        handle('get', audioUrl, () => new HttpResponse('<Error>AccessDenied</Error>', { status: 403 }));
      },
    ],
  ])('returns nothing when %s, so the engine renders the line again', async (_name, setUp) => {
    setUp();

    expect(await testProvider().doResumeSynthesis!(speechRequest(), { taskId }, testContext().context)).toBeUndefined();
    expect(calls.some((call) => call.path === '/api/instant/create-task')).toBe(false);
  });

  it('throws a refused key instead of dropping the task', async () => {
    handle('get', statusUrl, json(errors.legacy.invalidKey, 401));

    const error = await rejection(testProvider().doResumeSynthesis!(speechRequest(), { taskId }, testContext().context));

    expect(error).toMatchObject({ status: 401 });
    expectNoKey(error);
  });

  it('throws a timeout: the task may still finish, so it stays pending', async () => {
    handle('get', statusUrl, json(processingAnswer));
    let clock = 0;
    const provider = testProvider({}, { poll: { timeoutMs: 1_000, intervalMs: 400, now: () => clock, sleep: async (ms) => void (clock += ms) } });

    const error = await rejection(provider.doResumeSynthesis!(speechRequest(), { taskId }, testContext().context));

    expect(error).toMatchObject({ reason: 'timeout', taskId });
  });
});
