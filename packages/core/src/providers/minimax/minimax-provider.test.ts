import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { useVendorServer } from '../__fixtures__/vendor-server.js';
import type { CreateVoiceRequest, ProviderCallContext, ProviderSettings, SampleInput, SynthesizeRequest, TaskRecord } from '../provider-v1.js';
import deleteVoiceAnswer from './__fixtures__/delete-voice.json' with { type: 'json' };
import retrieveAnswer from './__fixtures__/files-retrieve.json' with { type: 'json' };
import promptUploadAnswer from './__fixtures__/files-upload-prompt-audio.json' with { type: 'json' };
import uploadAnswer from './__fixtures__/files-upload-voice-clone.json' with { type: 'json' };
import getVoiceAnswer from './__fixtures__/get-voice.json' with { type: 'json' };
import processingAnswer from './__fixtures__/t2a-async-query-processing.json' with { type: 'json' };
import successAnswer from './__fixtures__/t2a-async-query-success.json' with { type: 'json' };
import asyncAnswer from './__fixtures__/t2a-async-v2.json' with { type: 'json' };
import hexAnswer from './__fixtures__/t2a-v2-hex.json' with { type: 'json' };
import urlAnswer from './__fixtures__/t2a-v2-url.json' with { type: 'json' };
import cloneAnswer from './__fixtures__/voice-clone.json' with { type: 'json' };
import { createMinimaxProvider, type MinimaxProviderOptions } from './minimax-provider.js';

const apiKey = 'mm-FAKE-KEY-7c1e9a40b2d35f68-do-not-leak';
const api = 'https://api.minimax.io';
const voiceId = 'vx-narrator-9f2c1a7b3d4e';
const fileId = uploadAnswer.file.file_id;
const sampleBytes = new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45]);
const promptBytes = new Uint8Array([0x52, 0x49, 0x46, 0x46, 9, 9]);
const audioBytes = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0x0f, 0xff, 0xfb]);
const audioUrl = urlAnswer.data.audio;
const downloadUrl = retrieveAnswer.file.download_url;
const success = { status_code: 0, status_msg: 'success' };

/** Vendor calls and adapter callbacks in the order they happened. */
const { calls, timeline, handle: on } = useVendorServer(({ method, url, path, authorization, json, form }) => ({ method, url: new URL(url), path, authorization, json, form }));

const json = (body: unknown, init: ResponseInit = {}) => HttpResponse.json(body as Record<string, unknown>, init);
const failure = (code: number, message: string, extra: Record<string, unknown> = {}) => json({ ...extra, base_resp: { status_code: code, status_msg: message } });
const audio = (bytes: Uint8Array = audioBytes) => new HttpResponse(bytes.slice(), { headers: { 'content-type': 'audio/mpeg' } });

function provider(settings: ProviderSettings = {}, providerOptions: MinimaxProviderOptions = {}) {
  const delays: number[] = [];
  const instance = createMinimaxProvider(
    { apiKey, ...settings },
    {
      retry: { baseDelayMs: 1, retries: 2, rateLimitRetries: 2, sleep: async (ms) => void delays.push(ms) },
      poll: { intervalMs: 1, sleep: async () => {} },
      ...providerOptions,
    },
  );
  return { provider: instance, delays };
}

function callContext() {
  const tasks: TaskRecord[] = [];
  const statuses: string[] = [];
  const context: ProviderCallContext = {
    signal: new AbortController().signal,
    recordTask: async (task) => {
      tasks.push(task);
      timeline.push('recordTask');
    },
    reportStatus: (status) => statuses.push(status),
  };
  return { context, tasks, statuses };
}

function fileSample(bytes: Uint8Array, location: string): SampleInput {
  return { source: 'file', location, format: 'wav', bytes: bytes.length, read: async () => bytes };
}

function urlSample(location: string): SampleInput {
  return { source: 'url', location, format: 'mp3', read: () => Promise.reject(new Error('URL samples are not read from disk')) };
}

function voiceRequest(overrides: Partial<CreateVoiceRequest> = {}): CreateVoiceRequest {
  return {
    name: 'narrator',
    fingerprint: `9f2c1a7b3d4e${'0'.repeat(52)}`,
    sample: fileSample(sampleBytes, '/project/samples/narrator.wav'),
    options: {},
    suggestedVoiceId: voiceId,
    ...overrides,
  };
}

function speechRequest(overrides: Partial<SynthesizeRequest> = {}): SynthesizeRequest {
  return {
    text: 'It was a dark and stormy night.',
    voice: {
      name: 'narrator',
      fingerprint: `9f2c1a7b3d4e${'0'.repeat(52)}`,
      remoteId: voiceId,
      data: { fileId },
      options: {},
      sample: fileSample(sampleBytes, '/project/samples/narrator.wav'),
    },
    options: {},
    format: 'mp3',
    ...overrides,
  };
}

async function bytesOf(source: unknown): Promise<Uint8Array> {
  const audioSource = source as { type: string; stream?: ReadableStream<Uint8Array>; bytes?: Uint8Array };
  if (audioSource.type === 'bytes') return audioSource.bytes!;
  expect(audioSource.type).toBe('stream');
  return new Uint8Array(await new Response(audioSource.stream!).arrayBuffer());
}

async function fileBytes(value: FormDataEntryValue | null): Promise<Uint8Array> {
  expect(value).toBeInstanceOf(Blob);
  return new Uint8Array(await (value as Blob).arrayBuffer());
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

function expectNoKey(error: unknown) {
  expect(JSON.stringify(error)).not.toContain(apiKey);
  expect((error as Error).message).not.toContain(apiKey);
  expect(String((error as Error).stack)).not.toContain(apiKey);
}

describe('createMinimaxProvider', () => {
  it('describes MiniMax', () => {
    const { provider: minimax } = provider();
    expect(minimax.specificationVersion).toBe('v1');
    expect(minimax.id).toBe('minimax');
    expect(minimax.displayName).toBe('MiniMax');
    expect(minimax.capabilities).toEqual({
      persistentVoices: true,
      clientChosenVoiceIds: true,
      synthesis: true,
      maxTextLength: 50_000,
      pronunciationDictionary: true,
      sample: {
        sources: ['file', 'url'],
        formats: ['mp3', 'm4a', 'wav'],
        minDurationMs: 10_000,
        maxDurationMs: 300_000,
        maxBytes: 20 * 1024 * 1024,
        prompt: { formats: ['mp3', 'm4a', 'wav'], maxDurationMs: 8_000, maxBytes: 20 * 1024 * 1024 },
      },
      unusedVoiceLifetimeMs: 168 * 3_600_000,
      outputFormats: ['mp3', 'wav'],
      defaultConcurrency: 4,
      defaultRequestsPerMinute: 60,
      apiKeyEnv: 'MINIMAX_API_KEY',
    });
  });

  it('can be described without an API key, but refuses to call MiniMax without one', async () => {
    const minimax = createMinimaxProvider({});
    expect(minimax.voiceOptionsSchema).toBeTypeOf('object');
    const { context } = callContext();

    for (const call of [
      () => minimax.doCreateVoice(voiceRequest(), context),
      () => minimax.doSynthesize(speechRequest(), context),
      () => minimax.doCheckVoice!({ remoteId: voiceId }, context),
      () => minimax.doDeleteVoice!({ remoteId: voiceId }, context),
      () => minimax.doResumeVoice!(voiceRequest(), {}, context),
      () => minimax.doResumeSynthesis!(speechRequest(), { data: { audioUrl } }, context),
    ]) {
      const error = await rejection(call());
      expect(UsageError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('MINIMAX_API_KEY');
    }
    expect(calls).toHaveLength(0);
  });

  it('uses the CN host for region cn, and an explicit baseUrl over both', async () => {
    for (const [settings, host] of [
      [{ region: 'cn' as const }, 'https://api.minimaxi.com'],
      [{ region: 'cn' as const, baseUrl: 'http://127.0.0.1:4010/minimax' }, 'http://127.0.0.1:4010/minimax'],
    ] as const) {
      on('post', `${host}/v1/get_voice`, () => json(getVoiceAnswer));
      const { context } = callContext();
      await provider(settings).provider.doCheckVoice!({ remoteId: voiceId }, context);
    }
    expect(calls.map((call) => call.url.href)).toEqual(['https://api.minimaxi.com/v1/get_voice', 'http://127.0.0.1:4010/minimax/v1/get_voice']);
  });
});

describe('doCreateVoice', () => {
  it('uploads the sample, records the upload, then clones under the id the engine chose', async () => {
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}/v1/voice_clone`, () => json(cloneAnswer));
    const { context, tasks } = callContext();

    const record = await provider().provider.doCreateVoice(voiceRequest(), context);

    expect(record).toEqual({ remoteId: voiceId, data: { fileId: 301425807183112 } });
    expect(timeline).toEqual(['POST /v1/files/upload', 'recordTask', 'POST /v1/voice_clone']);
    expect(tasks).toEqual([{ data: { voiceId, fileId: 301425807183112 } }]);

    const [uploadCall, cloneCall] = calls;
    expect(uploadCall!.method).toBe('POST');
    expect(uploadCall!.url.search).toBe('');
    expect(uploadCall!.authorization).toBe(`Bearer ${apiKey}`);
    expect([...uploadCall!.form!.keys()]).toEqual(['purpose', 'file']);
    expect(uploadCall!.form!.get('purpose')).toBe('voice_clone');
    const file = uploadCall!.form!.get('file') as File;
    expect(file.name).toBe('narrator.wav');
    expect(file.type).toBe('audio/wav');
    expect(await fileBytes(file)).toEqual(sampleBytes);

    expect(cloneCall!.authorization).toBe(`Bearer ${apiKey}`);
    expect(cloneCall!.json).toEqual({ file_id: 301425807183112, voice_id: voiceId });
  });

  it('uploads the prompt with purpose prompt_audio and sends every voice option', async () => {
    on('post', `${api}/v1/files/upload`, (call) => json(call === 1 ? uploadAnswer : promptUploadAnswer));
    on('post', `${api}/v1/voice_clone`, () => json({ ...cloneAnswer, demo_audio: 'https://cdn.minimax.test/demo.mp3' }));
    const { context, tasks } = callContext();
    const request = voiceRequest({
      prompt: { sample: fileSample(promptBytes, '/project/samples/narrator-short.wav'), text: 'Welcome back.' },
      language: 'english',
      options: {
        need_noise_reduction: true,
        need_volume_normalization: true,
        accuracy: 0.8,
        text_validation: 'The lighthouse stood at the edge of the world.',
        aigc_watermark: false,
        preview: { text: 'Hello from the new voice.' },
      },
    });

    const record = await provider().provider.doCreateVoice(request, context);

    expect(record).toEqual({ remoteId: voiceId, data: { fileId: 301425807183112 } });
    expect(timeline).toEqual(['POST /v1/files/upload', 'POST /v1/files/upload', 'recordTask', 'POST /v1/voice_clone']);
    expect(tasks).toEqual([{ data: { voiceId, fileId: 301425807183112 } }]);
    expect(calls[1]!.form!.get('purpose')).toBe('prompt_audio');
    expect((calls[1]!.form!.get('file') as File).name).toBe('narrator-short.wav');
    expect(await fileBytes(calls[1]!.form!.get('file'))).toEqual(promptBytes);
    expect(calls[2]!.json).toEqual({
      file_id: 301425807183112,
      voice_id: voiceId,
      clone_prompt: { prompt_audio: 301425807183113, prompt_text: 'Welcome back.' },
      text: 'Hello from the new voice.',
      model: 'speech-2.8-hd',
      // The voice's `language` names a language_boost value (ignoring case).
      language_boost: 'English',
      text_validation: 'The lighthouse stood at the edge of the world.',
      accuracy: 0.8,
      need_noise_reduction: true,
      need_volume_normalization: true,
      aigc_watermark: false,
    });
  });

  it('downloads a URL sample without the API key, then uploads its bytes', async () => {
    const sampleUrl = 'https://samples.example.test/voices/villain%20take2.mp3?token=abc';
    on('get', 'https://samples.example.test/voices/*', () => audio(sampleBytes));
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}/v1/voice_clone`, () => json(cloneAnswer));
    const { context } = callContext();

    const record = await provider().provider.doCreateVoice(voiceRequest({ sample: urlSample(sampleUrl), language: 'Klingon' }), context);

    expect(record.remoteId).toBe(voiceId);
    expect(timeline).toEqual(['GET /voices/villain%20take2.mp3', 'POST /v1/files/upload', 'recordTask', 'POST /v1/voice_clone']);
    expect(calls[0]!.url.href).toBe(sampleUrl);
    expect(calls[0]!.authorization).toBeNull();
    const file = calls[1]!.form!.get('file') as File;
    expect(file.name).toBe('villain take2.mp3');
    expect(file.type).toBe('audio/mpeg');
    expect(await fileBytes(file)).toEqual(sampleBytes);
    // A language that is not a language_boost value is not sent.
    expect(calls[2]!.json).toEqual({ file_id: 301425807183112, voice_id: voiceId });
  });

  it('sends GroupId on files/upload when providers.minimax.options.groupId is set', async () => {
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}/v1/voice_clone`, () => json(cloneAnswer));
    const { context } = callContext();

    await provider({ options: { groupId: '1987687468056449719' } }).provider.doCreateVoice(voiceRequest(), context);

    expect(calls[0]!.url.searchParams.get('GroupId')).toBe('1987687468056449719');
    expect(calls[1]!.url.search).toBe('');
  });

  it('retries voice_clone after a network error, and takes a 2039 on the retry as its own voice once get_voice lists it', async () => {
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}/v1/voice_clone`, (call) => (call === 1 ? HttpResponse.error() : failure(2039, 'voice clone voice id duplicate')));
    on('post', `${api}/v1/get_voice`, () => json(getVoiceAnswer));
    const { context } = callContext();

    const record = await provider().provider.doCreateVoice(voiceRequest(), context);

    expect(record).toEqual({ remoteId: voiceId, data: { fileId: 301425807183112 } });
    expect(timeline).toEqual(['POST /v1/files/upload', 'recordTask', 'POST /v1/voice_clone', 'POST /v1/voice_clone', 'POST /v1/get_voice']);
    expect(calls[1]!.json).toEqual({ file_id: 301425807183112, voice_id: voiceId });
    expect(calls[2]!.json).toEqual(calls[1]!.json);
    expect(calls[3]!.json).toEqual({ voice_type: 'voice_cloning' });
  });

  it('fails on a 2039 to a retry when get_voice does not list the voice (a deleted voice keeps its id)', async () => {
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}/v1/voice_clone`, (call) => (call === 1 ? HttpResponse.error() : failure(2039, 'voice clone voice id duplicate')));
    on('post', `${api}/v1/get_voice`, () => json({ voice_cloning: [], base_resp: success }));
    const { context } = callContext();

    const error = await rejection(provider().provider.doCreateVoice(voiceRequest(), context));

    expect(ApiCallError.isInstance(error) && error.code).toBe(2039);
    expect(timeline.filter((entry) => entry === 'POST /v1/get_voice')).toHaveLength(1);
  });

  it('refuses a 2039 on the first attempt and says how to clone under a new id', async () => {
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}/v1/voice_clone`, () => failure(2039, 'voice clone voice id duplicate'));
    const { context } = callContext();

    const error = (await rejection(provider().provider.doCreateVoice(voiceRequest(), context))) as ApiCallError;

    expect(error.code).toBe(2039);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('voice clone voice id duplicate');
    expect(error.message).toContain(`voice_id ${voiceId} is already taken`);
    expect(error.message).toContain('voxform apply --replace voice.narrator');
    expect(timeline).toEqual(['POST /v1/files/upload', 'recordTask', 'POST /v1/voice_clone']);
  });

  it('retries voice_clone after a 500 (the voice id makes it idempotent)', async () => {
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}/v1/voice_clone`, (call) => (call === 1 ? failure(1024, 'internal error') : json(cloneAnswer)));
    const { context } = callContext();

    expect((await provider().provider.doCreateVoice(voiceRequest(), context)).remoteId).toBe(voiceId);
    expect(timeline.filter((entry) => entry === 'POST /v1/voice_clone')).toHaveLength(2);
  });
});

describe('doResumeVoice', () => {
  it('returns the voice when get_voice lists the recorded id', async () => {
    on('post', `${api}/v1/get_voice`, () => json(getVoiceAnswer));
    const { context } = callContext();

    const record = await provider().provider.doResumeVoice!(voiceRequest(), { data: { voiceId, fileId } }, context);

    expect(record).toEqual({ remoteId: voiceId, data: { fileId } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/v1/get_voice', authorization: `Bearer ${apiKey}`, json: { voice_type: 'voice_cloning' } });
  });

  it('returns undefined when MiniMax does not know the id, so the engine clones it', async () => {
    on('post', `${api}/v1/get_voice`, () => json({ base_resp: success }));
    const { context } = callContext();

    expect(await provider().provider.doResumeVoice!(voiceRequest({ suggestedVoiceId: 'vx-narrator-000000000000' }), {}, context)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});

describe('doCheckVoice', () => {
  it('reports an existing voice with the vendor clock from the Date header', async () => {
    on('post', `${api}/v1/get_voice`, () => json(getVoiceAnswer, { headers: { date: 'Sat, 21 Nov 2026 10:05:00 GMT' } }));
    const { context } = callContext();

    expect(await provider().provider.doCheckVoice!({ remoteId: voiceId }, context)).toEqual({ status: 'exists', vendorTime: '2026-11-21T10:05:00.000Z' });
    expect(calls[0]!.json).toEqual({ voice_type: 'voice_cloning' });
  });

  it('reports a voice that is not listed as missing', async () => {
    on('post', `${api}/v1/get_voice`, () => json({ voice_cloning: null, base_resp: success }, { headers: { date: 'Mon, 30 Nov 2026 08:00:00 GMT' } }));
    const { context } = callContext();

    expect(await provider().provider.doCheckVoice!({ remoteId: 'vx-gone-123456789abc' }, context)).toEqual({ status: 'missing', vendorTime: '2026-11-30T08:00:00.000Z' });
  });
});

describe('doDeleteVoice', () => {
  it('deletes the cloned voice', async () => {
    on('post', `${api}/v1/delete_voice`, () => json(deleteVoiceAnswer));
    const { context } = callContext();

    await provider().provider.doDeleteVoice!({ remoteId: voiceId, data: { fileId } }, context);

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/v1/delete_voice', authorization: `Bearer ${apiKey}`, json: { voice_type: 'voice_cloning', voice_id: voiceId } });
  });

  it('accepts a voice that is already gone', async () => {
    on('post', `${api}/v1/delete_voice`, () => failure(2042, `voice_id ${voiceId} does not exist`));
    const { context } = callContext();

    await expect(provider().provider.doDeleteVoice!({ remoteId: voiceId }, context)).resolves.toBeUndefined();
  });
});

describe('doSynthesize', () => {
  it('asks t2a_v2 for a URL, records it, then streams the audio from it without the API key', async () => {
    on('post', `${api}/v1/t2a_v2`, () => json(urlAnswer));
    on('get', audioUrl.split('?')[0]!, () => audio());
    const { context, tasks } = callContext();

    const result = await provider().provider.doSynthesize(speechRequest(), context);

    expect(result.format).toBe('mp3');
    expect(result.billedCharacters).toBe(31);
    expect(result.audio.type).toBe('stream');
    expect(await bytesOf(result.audio)).toEqual(audioBytes);
    expect(tasks).toEqual([{ data: { audioUrl } }]);
    expect(timeline).toEqual(['POST /v1/t2a_v2', 'recordTask', `GET ${new URL(audioUrl).pathname}`]);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/v1/t2a_v2', authorization: `Bearer ${apiKey}` });
    expect(calls[0]!.url.search).toBe('');
    expect(calls[0]!.json).toEqual({
      model: 'speech-2.8-hd',
      text: 'It was a dark and stormy night.',
      stream: false,
      voice_setting: { voice_id: voiceId },
      audio_setting: { format: 'mp3', channel: 1 },
      output_format: 'url',
    });
    expect(calls[1]!.url.href).toBe(audioUrl);
    expect(calls[1]!.authorization).toBeNull();
  });

  it('maps every line option, and sends GroupId when set', async () => {
    on('post', `${api}/v1/t2a_v2`, () => json(urlAnswer));
    on('get', audioUrl.split('?')[0]!, () => audio());
    const { context } = callContext();
    const request = speechRequest({
      format: 'wav',
      options: {
        model: 'speech-02-turbo',
        speed: 1.2,
        vol: 3,
        pitch: -2,
        emotion: 'whisper',
        language_boost: null,
        text_normalization: true,
        pronunciation_dict: { tone: ['omg/oh my god'] },
        voice_modify: { pitch: 10, intensity: -5, timbre: 0, sound_effects: 'robotic' },
        sample_rate: 44100,
        bitrate: 256000,
      },
    });
    request.voice.options = { language_boost: 'Chinese,Yue' };

    const result = await provider({ options: { groupId: '1987687468056449719' } }).provider.doSynthesize(request, context);

    expect(result.format).toBe('wav');
    await bytesOf(result.audio);
    expect(calls[0]!.url.searchParams.get('GroupId')).toBe('1987687468056449719');
    expect(calls[0]!.json).toEqual({
      model: 'speech-02-turbo',
      text: 'It was a dark and stormy night.',
      stream: false,
      voice_setting: { voice_id: voiceId, speed: 1.2, vol: 3, pitch: -2, emotion: 'whisper', text_normalization: true },
      audio_setting: { format: 'wav', sample_rate: 44100, bitrate: 256000, channel: 1 },
      output_format: 'url',
      language_boost: 'Chinese,Yue',
      pronunciation_dict: { tone: ['omg/oh my god'] },
      voice_modify: { pitch: 10, intensity: -5, timbre: 0, sound_effects: 'robotic' },
    });
  });

  it("sends the manifest's lexicon as pronunciation_dict, after the options' own entries", async () => {
    on('post', `${api}/v1/t2a_v2`, () => json(urlAnswer));
    on('get', audioUrl.split('?')[0]!, () => audio());
    const request = speechRequest({
      text: 'Nguyen said omg.',
      options: { pronunciation_dict: { tone: ['omg/oh my god'] } },
      lexicon: { Nguyen: 'Win', '燕少飞': '(yan4)(shao3)(fei1)' },
    });

    await bytesOf((await provider().provider.doSynthesize(request, callContext().context)).audio);

    const body = calls[0]!.json as Record<string, unknown>;
    expect(body.text).toBe('Nguyen said omg.');
    expect(body.pronunciation_dict).toEqual({ tone: ['omg/oh my god', 'Nguyen/Win', '燕少飞/(yan4)(shao3)(fei1)'] });
  });

  it('accepts hex audio when MiniMax ignores output_format', async () => {
    on('post', `${api}/v1/t2a_v2`, () => json(hexAnswer));
    const { context, tasks } = callContext();

    const result = await provider().provider.doSynthesize(speechRequest({ voice: { ...speechRequest().voice, language: 'Japanese' } }), context);

    expect(result.audio).toEqual({ type: 'bytes', bytes: new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0x0f, 0xff, 0xfb, 0x90, 0x64, 0, 0, 0]) });
    expect(result.billedCharacters).toBe(26);
    expect(tasks).toEqual([]);
    expect(calls).toHaveLength(1);
    expect((calls[0]!.json as Record<string, unknown>).language_boost).toBe('Japanese');
  });

  it('refuses audio that is neither a URL nor hex, naming the field', async () => {
    on('post', `${api}/v1/t2a_v2`, () => json({ ...hexAnswer, data: { audio: 'not audio', status: 2 } }));
    const { context } = callContext();

    const error = (await rejection(provider().provider.doSynthesize(speechRequest(), context))) as ApiCallError;

    expect(error.message).toContain('unexpected response from MiniMax POST /v1/t2a_v2: data.audio');
    expect(calls).toHaveLength(1);
  });

  it('sends 10,000 characters and more through t2a_async_v2, recording the task id before polling', async () => {
    const text = 'word '.repeat(2_400).trim() + ' and a few more words to pass ten thousand';
    expect([...text].length).toBeGreaterThanOrEqual(10_000);
    on('post', `${api}/v1/t2a_async_v2`, () => json(asyncAnswer));
    on('get', `${api}/v1/query/t2a_async_query_v2`, (call) => json(call < 3 ? processingAnswer : successAnswer));
    on('get', `${api}/v1/files/retrieve`, () => json(retrieveAnswer));
    on('get', downloadUrl.split('?')[0]!, () => audio());
    const { context, tasks, statuses } = callContext();
    const request = speechRequest({ text, options: { text_normalization: true, sample_rate: 24000, speed: 0.9 } });

    const result = await provider().provider.doSynthesize(request, context);

    expect(await bytesOf(result.audio)).toEqual(audioBytes);
    expect(result).toMatchObject({ format: 'mp3', billedCharacters: 12000 });
    expect(tasks).toEqual([{ taskId: '95157322514444', data: { fileId: 95157322514496 } }]);
    expect(statuses).toEqual(['processing', 'success']);
    expect(timeline).toEqual([
      'POST /v1/t2a_async_v2',
      'recordTask',
      'GET /v1/query/t2a_async_query_v2',
      'GET /v1/query/t2a_async_query_v2',
      'GET /v1/query/t2a_async_query_v2',
      'GET /v1/files/retrieve',
      `GET ${new URL(downloadUrl).pathname}`,
    ]);
    expect(calls[0]!.json).toEqual({
      model: 'speech-2.8-hd',
      text,
      voice_setting: { voice_id: voiceId, speed: 0.9, english_normalization: true },
      audio_setting: { format: 'mp3', audio_sample_rate: 24000, channel: 1 },
    });
    expect(calls[1]!.url.searchParams.get('task_id')).toBe('95157322514444');
    expect(calls.slice(1, 5).every((call) => call.authorization === `Bearer ${apiKey}`)).toBe(true);
    expect(calls[4]!.url.searchParams.get('file_id')).toBe('95157322514496');
    expect(calls[5]!.url.href).toBe(downloadUrl);
    expect(calls[5]!.authorization).toBeNull();
  });

  it('unpacks the audio when the async result is a tar archive', async () => {
    on('post', `${api}/v1/t2a_async_v2`, () => json(asyncAnswer));
    on('get', `${api}/v1/query/t2a_async_query_v2`, () => json({ ...successAnswer, status: 'success' }));
    on('get', `${api}/v1/files/retrieve`, () => json(retrieveAnswer));
    on('get', downloadUrl.split('?')[0]!, () => new HttpResponse(tarOf([['95157322514444.json', new TextEncoder().encode('{"extra":1}')], ['95157322514444.mp3', audioBytes]])));
    const { context } = callContext();

    const result = await provider().provider.doSynthesize(speechRequest({ text: 'x'.repeat(12_000) }), context);

    expect(await bytesOf(result.audio)).toEqual(audioBytes);
  });

  it('fails with a TaskError when the async task fails', async () => {
    on('post', `${api}/v1/t2a_async_v2`, () => json(asyncAnswer));
    on('get', `${api}/v1/query/t2a_async_query_v2`, () => json({ ...successAnswer, status: 'Failed' }));
    const { context, tasks } = callContext();

    const error = await rejection(provider().provider.doSynthesize(speechRequest({ text: 'x'.repeat(12_000) }), context));

    expect(TaskError.isInstance(error) && error.reason).toBe('failed');
    expect((error as Error).message).toContain('MiniMax task 95157322514444 failed');
    expect(tasks).toHaveLength(1);
  });

  it('uses t2a_v2 up to 9,999 characters', async () => {
    on('post', `${api}/v1/t2a_v2`, () => json(hexAnswer));
    const { context } = callContext();

    await provider().provider.doSynthesize(speechRequest({ text: '字'.repeat(9_999) }), context);

    expect(timeline).toEqual(['POST /v1/t2a_v2']);
  });
});

describe('doResumeSynthesis', () => {
  it('downloads a recorded audio URL without calling t2a again', async () => {
    on('get', audioUrl.split('?')[0]!, () => audio());
    const { context } = callContext();

    const result = await provider().provider.doResumeSynthesis!(speechRequest(), { data: { audioUrl } }, context);

    expect(result?.format).toBe('mp3');
    expect(await bytesOf(result!.audio)).toEqual(audioBytes);
    expect(timeline).toEqual([`GET ${new URL(audioUrl).pathname}`]);
  });

  it.each([403, 404, 410])('returns undefined when the recorded URL answers %i (expired)', async (status) => {
    on('get', audioUrl.split('?')[0]!, () => new HttpResponse('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', { status }));
    const { context } = callContext();

    expect(await provider().provider.doResumeSynthesis!(speechRequest(), { data: { audioUrl } }, context)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('goes on polling a recorded async task', async () => {
    on('get', `${api}/v1/query/t2a_async_query_v2`, (call) => json(call === 1 ? processingAnswer : successAnswer));
    on('get', `${api}/v1/files/retrieve`, () => json(retrieveAnswer));
    on('get', downloadUrl.split('?')[0]!, () => audio());
    const { context, statuses } = callContext();

    const result = await provider().provider.doResumeSynthesis!(speechRequest({ text: 'x'.repeat(12_000) }), { taskId: '95157322514444', data: { fileId: 95157322514496 } }, context);

    expect(await bytesOf(result!.audio)).toEqual(audioBytes);
    expect(statuses).toEqual(['processing', 'success']);
    expect(timeline).toEqual(['GET /v1/query/t2a_async_query_v2', 'GET /v1/query/t2a_async_query_v2', 'GET /v1/files/retrieve', `GET ${new URL(downloadUrl).pathname}`]);
    expect(calls[0]!.url.searchParams.get('task_id')).toBe('95157322514444');
  });

  it('uses the recorded file id when the query answer has none', async () => {
    on('get', `${api}/v1/query/t2a_async_query_v2`, () => json({ task_id: 95157322514444, status: 'Success', base_resp: success }));
    on('get', `${api}/v1/files/retrieve`, () => json(retrieveAnswer));
    on('get', downloadUrl.split('?')[0]!, () => audio());
    const { context } = callContext();

    await provider().provider.doResumeSynthesis!(speechRequest(), { taskId: '95157322514444', data: { fileId: 95157322514496 } }, context);

    expect(calls[1]!.url.searchParams.get('file_id')).toBe('95157322514496');
  });

  it.each(['Failed', 'expired'])('returns undefined for a task that is %s', async (status) => {
    on('get', `${api}/v1/query/t2a_async_query_v2`, () => json({ ...successAnswer, status }));
    const { context } = callContext();

    expect(await provider().provider.doResumeSynthesis!(speechRequest(), { taskId: '95157322514444' }, context)).toBeUndefined();
  });

  it('returns undefined for a task MiniMax does not know', async () => {
    on('get', `${api}/v1/query/t2a_async_query_v2`, () => failure(2013, 'invalid params, task_id 1 not found'));
    const { context } = callContext();

    expect(await provider().provider.doResumeSynthesis!(speechRequest(), { taskId: '1' }, context)).toBeUndefined();
  });

  it('keeps the task for the next apply when MiniMax cannot be asked (a wrong key)', async () => {
    on('get', `${api}/v1/query/t2a_async_query_v2`, () => failure(1004, 'login fail'));
    const { context } = callContext();

    const error = await rejection(provider().provider.doResumeSynthesis!(speechRequest(), { taskId: '95157322514444' }, context));

    expect(ApiCallError.isInstance(error) && error.code).toBe(1004);
  });

  it('returns undefined when nothing was recorded', async () => {
    const { context } = callContext();

    expect(await provider().provider.doResumeSynthesis!(speechRequest(), {}, context)).toBeUndefined();
    expect(calls).toHaveLength(0);
  });
});

describe('errors', () => {
  it.each([
    [1002, 'rate limit exceeded(RPM)'],
    [1039, 'rate limit exceeded(TPM)'],
    [1041, 'conn limit'],
  ])('retries t2a_v2 after %i (a rate limit proves MiniMax did not accept it) and slows the provider down', async (code, message) => {
    on('post', `${api}/v1/t2a_v2`, (call) => (call === 1 ? failure(code, message) : json(hexAnswer)));
    const reports: string[] = [];
    const limiter = { reportRateLimit: () => reports.push('rate-limit'), reportSuccess: () => reports.push('success') };
    const { context } = callContext();

    const result = await provider({ limiter }).provider.doSynthesize(speechRequest(), context);

    expect(result.billedCharacters).toBe(26);
    expect(calls).toHaveLength(2);
    expect(reports).toEqual(['rate-limit', 'success']);
  });

  it('gives up on a rate limit after the retries, saying what to change', async () => {
    on('post', `${api}/v1/get_voice`, () => failure(1002, 'rate limit exceeded(RPM)'));
    const { context } = callContext();

    const error = (await rejection(provider().provider.doCheckVoice!({ remoteId: voiceId }, context))) as ApiCallError;

    expect(calls).toHaveLength(3);
    expect(error).toMatchObject({ code: 1002, isRateLimit: true, isRetryable: true, neverAccepted: true });
    expect(error.message).toContain('requests-per-minute');
    expect(error.message).toContain('requestsPerMinute');
  });

  it.each([1000, 1001, 1024, 1033])('retries %i on a call that costs nothing', async (code) => {
    on('post', `${api}/v1/get_voice`, (call) => (call === 1 ? failure(code, 'internal error') : json(getVoiceAnswer)));
    const { context } = callContext();

    expect((await provider().provider.doCheckVoice!({ remoteId: voiceId }, context)).status).toBe('exists');
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['a 500', () => json({ base_resp: { status_code: 1024, status_msg: 'internal error' } }, { status: 500 })],
    ['a 1000 in a 200', () => failure(1000, 'unknown error')],
    ['a 502 without a body', () => new HttpResponse(null, { status: 502 })],
  ])('does not retry t2a_v2 after %s: it is billable and has no client id', async (_what, answer) => {
    on('post', `${api}/v1/t2a_v2`, answer);
    const { context } = callContext();

    const error = (await rejection(provider().provider.doSynthesize(speechRequest(), context))) as ApiCallError;

    expect(calls).toHaveLength(1);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('Not retried: the request is billable');
  });

  it('does not retry t2a_v2 after a network error', async () => {
    on('post', `${api}/v1/t2a_v2`, () => HttpResponse.error());
    const { context } = callContext();

    const error = (await rejection(provider().provider.doSynthesize(speechRequest(), context))) as ApiCallError;

    expect(calls).toHaveLength(1);
    expect(error.isRetryable).toBe(false);
  });

  it.each([
    // code, call, what the message must say
    [1004, 'synthesis', 'check MINIMAX_API_KEY'],
    [2049, 'clone', 'region: cn'],
    [1008, 'synthesis', 'balance'],
    [1026, 'synthesis', "flagged the line's text as sensitive content: reword it"],
    [1026, 'clone', "flagged the voice's preview text or prompt transcript as sensitive"],
    [1027, 'synthesis', 'generated audio as sensitive'],
    [1042, 'synthesis', 'invisible or illegal characters'],
    [1043, 'clone', '`text_validation`'],
    [1044, 'clone', '`prompt.text` the exact transcript'],
    [2013, 'synthesis', "check the line's options"],
    [2013, 'clone', "check the voice's options"],
    [20132, 'clone', '10 s to 5 min'],
    [2037, 'clone', 'sample is too short or too long'],
    [2038, 'clone', 'complete the real-name (identity) verification'],
    [2048, 'clone', 'shorter than 8 s'],
    [2042, 'synthesis', `voice ${voiceId} no longer exists at MiniMax (unused cloned voices are deleted after 168 h): run \`voxform apply --refresh\` to clone it again (or \`voxform apply --replace voice.narrator\`)`],
    [2054, 'synthesis', 'run `voxform apply --refresh` to clone it again'],
    [99999, 'synthesis', 'something new'],
  ] as const)('fails at once on %i (%s) and says what to do', async (code, operation, advice) => {
    const vendorMessage = code === 99999 ? 'something new' : `vendor explanation ${code}`;
    const path = operation === 'clone' ? '/v1/voice_clone' : '/v1/t2a_v2';
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}${path}`, () => failure(code, vendorMessage, { trace_id: `trace-${code}` }));
    const { context } = callContext();
    const minimax = provider().provider;

    const error = (await rejection(operation === 'clone' ? minimax.doCreateVoice(voiceRequest(), context) : minimax.doSynthesize(speechRequest(), context))) as ApiCallError;

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(calls.filter((call) => call.path === path)).toHaveLength(1);
    expect(error.code).toBe(code);
    expect(error.isRetryable).toBe(false);
    expect(error.status).toBe(200);
    expect(error.requestId).toBe(`trace-${code}`);
    expect(error.message).toContain(vendorMessage);
    expect(error.message).toContain(advice);
    expectNoKey(error);
  });

  it('reads the request id from the Trace-Id header', async () => {
    on('post', `${api}/v1/get_voice`, () => HttpResponse.json({ base_resp: { status_code: 2013, status_msg: 'invalid params' } }, { headers: { 'Trace-Id': 'header-trace-1' } }));
    const { context } = callContext();

    const error = (await rejection(provider().provider.doCheckVoice!({ remoteId: voiceId }, context))) as ApiCallError;

    expect(error.requestId).toBe('header-trace-1');
    expect(error.message).toContain('[request id header-trace-1]');
  });

  it('never shows the API key, even when MiniMax echoes it', async () => {
    on('post', `${api}/v1/files/upload`, () => json(uploadAnswer));
    on('post', `${api}/v1/voice_clone`, () => failure(2049, `invalid api key: Bearer ${apiKey}`, { echo: apiKey }));
    const { context } = callContext();

    const error = (await rejection(provider().provider.doCreateVoice(voiceRequest(), context))) as ApiCallError;

    expect(error.code).toBe(2049);
    expect(error.message).toContain('invalid api key: Bearer ***');
    expectNoKey(error);
    expect(error.responseBody).not.toContain(apiKey);
  });

  it('retries an upload after a 1024 and a network error', async () => {
    on('post', `${api}/v1/files/upload`, (call) => (call === 1 ? failure(1024, 'internal error') : call === 2 ? HttpResponse.error() : json(uploadAnswer)));
    on('post', `${api}/v1/voice_clone`, () => json(cloneAnswer));
    const { context } = callContext();
    const { provider: minimax, delays } = provider();

    await minimax.doCreateVoice(voiceRequest(), context);

    expect(timeline).toEqual(['POST /v1/files/upload', 'POST /v1/files/upload', 'POST /v1/files/upload', 'recordTask', 'POST /v1/voice_clone']);
    expect(delays).toHaveLength(2);
    // Every attempt rebuilds the multipart body.
    expect(await fileBytes(calls[2]!.form!.get('file'))).toEqual(sampleBytes);
  });
});

/** A POSIX tar archive holding `entries`. */
function tarOf(entries: Array<[string, Uint8Array]>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of entries) {
    const header = new Uint8Array(512);
    const write = (offset: number, text: string) => header.set(new TextEncoder().encode(text), offset);
    write(0, name);
    write(100, '0000644\0');
    write(108, '0000000\0');
    write(116, '0000000\0');
    write(124, `${data.length.toString(8).padStart(11, '0')}\0`);
    write(136, '00000000000\0');
    write(156, '0');
    write(257, 'ustar\0');
    write(263, '00');
    write(148, '        ');
    const sum = header.reduce((total, byte) => total + byte, 0);
    write(148, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header);
    const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
    body.set(data);
    blocks.push(body);
  }
  blocks.push(new Uint8Array(1024));
  const archive = new Uint8Array(blocks.reduce((total, block) => total + block.length, 0));
  let offset = 0;
  for (const block of blocks) {
    archive.set(block, offset);
    offset += block.length;
  }
  return archive;
}
