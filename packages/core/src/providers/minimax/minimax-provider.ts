import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { engineTransport } from '../../http/engine-transport.js';
import {
  createHttpClient,
  pollTask,
  type FormFieldValue,
  type HttpClient,
  type HttpEvent,
  type PollTaskOptions,
  type RetrySettings,
  type TaskCheck,
} from '../../http/index.js';
import { headerTime } from '../../http/vendor-answers.js';
import { sampleFilePart } from '../../http/sample-file-part.js';
import type {
  CreateVoiceRequest,
  JsonValue,
  ProviderCallContext,
  ProviderSettings,
  ProviderV1,
  SampleInput,
  SynthesizeRequest,
  SynthesizeResult,
  TaskRecord,
  VoiceCheck,
  VoiceRecord,
} from '../provider-v1.js';
import { minimaxErrorHandling, type MinimaxErrorContext } from './minimax-errors.js';
import {
  minimaxDefaultModel,
  minimaxLanguageBoosts,
  minimaxLineOptionsSchema,
  minimaxSettingsSchema,
  minimaxVoiceOptionsSchema,
  type MinimaxLanguageBoost,
  type MinimaxLineOptions,
  type MinimaxVoiceOptions,
} from './minimax-options.js';
import {
  asyncQueryResponseSchema,
  asyncSpeechResponseSchema,
  cloneResponseSchema,
  retrieveResponseSchema,
  speechResponseSchema,
  uploadResponseSchema,
  voiceListResponseSchema,
  type AsyncQueryResponse,
  type AsyncSpeechResponse,
  type CloneResponse,
  type MinimaxId,
  type RetrieveResponse,
  type SpeechResponse,
  type UploadResponse,
  type VoiceListResponse,
} from './minimax-responses.js';
import { unwrapTarAudio } from './unwrap-tar-audio.js';

/** Global host (VENDORS.md §5.1). */
export const minimaxGlobalBaseUrl = 'https://api.minimax.io';
/** Mainland China host, for keys made on platform.minimaxi.com (§5.1). */
export const minimaxChinaBaseUrl = 'https://api.minimaxi.com';

const apiKeyEnv = 'MINIMAX_API_KEY';
const displayName = 'MiniMax';
/** t2a_v2 takes fewer than 10,000 characters (§5.4); longer text goes through t2a_async_v2 (≤ 50,000, §5.5). */
const maxSyncTextLength = 9_999;
const maxAsyncTextLength = 50_000;
const maxSampleBytes = 20 * 1024 * 1024;


/** Knobs of the adapter itself (the second argument of `createMinimaxProvider`); the defaults are the production ones, tests shorten the waits. */
export interface MinimaxProviderOptions {
  /** The fetch to call. Default: the global `fetch`, looked up at every call. */
  fetch?: typeof fetch;
  /** Retry timing of the HTTP client (tests use tiny delays). Default: the client's. */
  retry?: RetrySettings;
  /** Polling of async T2A tasks. Default: every 3 s growing to 15 s, for up to 30 min. */
  poll?: Pick<PollTaskOptions<unknown>, 'intervalMs' | 'maxIntervalMs' | 'backoffFactor' | 'timeoutMs' | 'sleep' | 'now'>;
  /** Receives the HTTP client's events (redacted). */
  onEvent?: (event: HttpEvent) => void;
}

/**
 * The MiniMax provider: voices are cloned with `files/upload` → `voice_clone` under the voice id the
 * engine chose; lines are spoken with `t2a_v2` (audio by URL), or `t2a_async_v2` + polling for text of
 * 10,000 characters and more. Unused cloned voices are deleted by MiniMax after 168 h.
 */
export function createMinimaxProvider(settings: ProviderSettings = {}, providerOptions: MinimaxProviderOptions = {}): ProviderV1 {
  const baseUrl = settings.baseUrl ?? (settings.region === 'cn' ? minimaxChinaBaseUrl : minimaxGlobalBaseUrl);
  const apiKey = settings.apiKey;
  const groupId = settings.options?.groupId;
  const groupQuery = typeof groupId === 'string' && groupId !== '' ? { GroupId: groupId } : {};

  const requireApiKey = (): string => {
    if (!apiKey) {
      throw new UsageError(
        `MiniMax needs an API key: export ${apiKeyEnv}=… (a key from platform.minimax.io, or platform.minimaxi.com with \`region: cn\`), or name another variable with providers.minimax.apiKey: \${MY_VARIABLE}.`,
      );
    }
    return apiKey;
  };

  const shared = {
    provider: displayName,
    secrets: [apiKey],
    apiKeyEnv,
    ...engineTransport(settings, providerOptions.fetch),
    ...(providerOptions.retry ? { retry: providerOptions.retry } : {}),
  };
  /** A client of MiniMax's API; `onEvent` sees this client's events besides the one of the provider options. */
  const createApiClient = (onEvent?: (event: HttpEvent) => void): HttpClient =>
    createHttpClient({
      ...shared,
      baseUrl,
      headers: () => ({ authorization: `Bearer ${requireApiKey()}` }),
      ...(settings.limiter ? { limiter: settings.limiter } : {}),
      onEvent: (event) => {
        onEvent?.(event);
        providerOptions.onEvent?.(event);
      },
    });
  const api = createApiClient();
  // Sample and audio URLs live on other hosts (object storage with signed URLs): never send them the key.
  const downloads = createHttpClient({ ...shared, ...(providerOptions.onEvent ? { onEvent: providerOptions.onEvent } : {}) });

  async function readSample(sample: SampleInput, signal: AbortSignal): Promise<FormFieldValue> {
    const data = sample.source === 'file' ? await sample.read() : (await downloads.request({ path: sample.location, responseType: 'bytes', signal })).value;
    return sampleFilePart(sample, data);
  }

  async function upload(file: FormFieldValue, purpose: 'voice_clone' | 'prompt_audio', errors: MinimaxErrorContext, signal: AbortSignal): Promise<MinimaxId> {
    const { value } = await api.request<UploadResponse>({
      method: 'POST',
      path: '/v1/files/upload',
      query: groupQuery,
      form: { purpose, file },
      signal,
      validate: uploadResponseSchema,
      ...minimaxErrorHandling(errors),
    });
    return value.file.file_id;
  }

  /** Whether MiniMax lists `voiceId` among the account's cloned voices, and its clock when it answered. */
  async function lookUpVoice(voiceId: string, signal: AbortSignal): Promise<{ found: boolean; vendorTime?: string }> {
    const { value, headers } = await api.request<VoiceListResponse>({
      path: '/v1/get_voice',
      json: { voice_type: 'voice_cloning' },
      signal,
      validate: voiceListResponseSchema,
      ...minimaxErrorHandling({ operation: 'manage', voiceId }),
    });
    const found = (value.voice_cloning ?? []).some((voice) => voice.voice_id === voiceId);
    const vendorTime = headerTime(headers.get('date'));
    return { found, ...(vendorTime ? { vendorTime } : {}) };
  }

  async function download(url: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    return (await downloads.request({ path: url, responseType: 'stream', signal })).value;
  }

  /** Waits for an async T2A task, then fetches its audio. */
  async function finishAsyncSpeech(taskId: string, fileId: JsonValue | undefined, context: ProviderCallContext): Promise<ReadableStream<Uint8Array>> {
    const errors: MinimaxErrorContext = { operation: 'synthesis' };
    const outputFileId = await pollTask<MinimaxId>({
      provider: displayName,
      taskId,
      intervalMs: 3_000,
      maxIntervalMs: 15_000,
      timeoutMs: 30 * 60_000,
      ...providerOptions.poll,
      signal: context.signal,
      onStatus: (status) => context.reportStatus(status),
      check: async ({ signal }): Promise<TaskCheck<MinimaxId>> => {
        const { value } = await api.request<AsyncQueryResponse>({
          path: '/v1/query/t2a_async_query_v2',
          query: { task_id: taskId },
          ...(signal ? { signal } : {}),
          validate: asyncQueryResponseSchema,
          ...minimaxErrorHandling(errors),
        });
        // The documented enum is lower-case, the official example capitalised: compare ignoring case.
        const status = value.status.toLowerCase();
        if (status === 'success') {
          const output = value.file_id ?? (typeof fileId === 'number' || typeof fileId === 'string' ? fileId : undefined);
          if (output === undefined) return { status, done: true, error: 'MiniMax reported success without a file_id' };
          return { status, done: true, result: output };
        }
        if (status === 'failed') return { status, done: true, error: 'MiniMax could not render the text; run apply again to retry the line' };
        if (status === 'expired') return { status, done: true, error: 'the task expired at MiniMax before its audio was fetched' };
        return { status, done: false };
      },
    });
    const { value } = await api.request<RetrieveResponse>({
      path: '/v1/files/retrieve',
      query: { file_id: String(outputFileId) },
      signal: context.signal,
      validate: retrieveResponseSchema,
      ...minimaxErrorHandling(errors),
    });
    return unwrapTarAudio(await download(value.file.download_url, context.signal));
  }

  async function synthesizeShortText(request: SynthesizeRequest, voiceId: string, context: ProviderCallContext): Promise<SynthesizeResult> {
    const options = request.options as MinimaxLineOptions;
    const { value } = await api.request<SpeechResponse>({
      path: '/v1/t2a_v2',
      query: groupQuery,
      json: {
        model: options.model ?? minimaxDefaultModel,
        text: request.text,
        stream: false,
        voice_setting: definedFields({
          voice_id: voiceId,
          speed: options.speed,
          vol: options.vol,
          pitch: options.pitch,
          emotion: options.emotion,
          text_normalization: options.text_normalization,
        }),
        audio_setting: definedFields({ format: request.format, sample_rate: options.sample_rate, bitrate: options.bitrate, channel: 1 }),
        output_format: 'url',
        ...sharedSpeechFields(request),
      },
      billable: true,
      signal: context.signal,
      validate: speechResponseSchema,
      ...minimaxErrorHandling({ operation: 'synthesis', voiceId, voiceName: request.voice.name }),
    });
    const billedCharacters = characterCount(value.extra_info?.usage_characters);
    const audio = value.data.audio.trim();
    const billed = billedCharacters === undefined ? {} : { billedCharacters };
    if (/^https?:\/\//i.test(audio)) {
      // Recorded before the download, so a crash from here on resumes by downloading, not by paying again.
      await context.recordTask({ data: { audioUrl: audio } });
      return { audio: { type: 'stream', stream: await download(audio, context.signal) }, format: request.format, ...billed };
    }
    // MiniMax's default output_format is hex: accepted in case `output_format: "url"` is ignored.
    return { audio: { type: 'bytes', bytes: hexToBytes(audio) }, format: request.format, ...billed };
  }

  async function synthesizeLongText(request: SynthesizeRequest, voiceId: string, context: ProviderCallContext): Promise<SynthesizeResult> {
    const options = request.options as MinimaxLineOptions;
    const { value } = await api.request<AsyncSpeechResponse>({
      path: '/v1/t2a_async_v2',
      json: {
        model: options.model ?? minimaxDefaultModel,
        text: request.text,
        // The async API names two fields differently from t2a_v2 (§5.5).
        voice_setting: definedFields({
          voice_id: voiceId,
          speed: options.speed,
          vol: options.vol,
          pitch: options.pitch,
          emotion: options.emotion,
          english_normalization: options.text_normalization,
        }),
        audio_setting: definedFields({ format: request.format, audio_sample_rate: options.sample_rate, bitrate: options.bitrate, channel: 1 }),
        ...sharedSpeechFields(request),
      },
      billable: true,
      signal: context.signal,
      validate: asyncSpeechResponseSchema,
      ...minimaxErrorHandling({ operation: 'synthesis', voiceId, voiceName: request.voice.name }),
    });
    const taskId = String(value.task_id);
    await context.recordTask({ taskId, ...(value.file_id === undefined ? {} : { data: { fileId: value.file_id } }) });
    const stream = await finishAsyncSpeech(taskId, value.file_id, context);
    const billedCharacters = characterCount(value.usage_characters);
    return { audio: { type: 'stream', stream }, format: request.format, ...(billedCharacters === undefined ? {} : { billedCharacters }) };
  }

  return {
    specificationVersion: 'v1',
    id: 'minimax',
    displayName,
    capabilities: {
      persistentVoices: true,
      clientChosenVoiceIds: true,
      synthesis: true,
      maxTextLength: maxAsyncTextLength,
      pronunciationDictionary: true,
      sample: {
        sources: ['file', 'url'],
        formats: ['mp3', 'm4a', 'wav'],
        minDurationMs: 10_000,
        maxDurationMs: 300_000,
        maxBytes: maxSampleBytes,
        prompt: { formats: ['mp3', 'm4a', 'wav'], maxDurationMs: 8_000, maxBytes: maxSampleBytes },
      },
      unusedVoiceLifetimeMs: 168 * 3_600_000,
      outputFormats: ['mp3', 'wav'],
      defaultConcurrency: 4,
      defaultRequestsPerMinute: 60,
      apiKeyEnv,
    },
    voiceOptionsSchema: minimaxVoiceOptionsSchema,
    lineOptionsSchema: minimaxLineOptionsSchema,
    settingsSchema: minimaxSettingsSchema,

    async doCreateVoice(request: CreateVoiceRequest, context: ProviderCallContext): Promise<VoiceRecord> {
      requireApiKey();
      const voiceId = request.suggestedVoiceId;
      const errors: MinimaxErrorContext = { operation: 'clone', voiceId, voiceName: request.name };
      const fileId = await upload(await readSample(request.sample, context.signal), 'voice_clone', errors, context.signal);
      const promptFileId = request.prompt
        ? await upload(await readSample(request.prompt.sample, context.signal), 'prompt_audio', errors, context.signal)
        : undefined;
      await context.recordTask({ data: { voiceId, fileId } });

      const options = request.options as MinimaxVoiceOptions;
      const languageBoost = options.language_boost ?? languageBoostOf(request.language);
      const body = {
        file_id: fileId,
        voice_id: voiceId,
        ...(promptFileId === undefined ? {} : { clone_prompt: { prompt_audio: promptFileId, prompt_text: request.prompt!.text } }),
        ...(options.preview ? { text: options.preview.text, model: options.preview.model ?? minimaxDefaultModel } : {}),
        ...definedFields({
          language_boost: languageBoost,
          text_validation: options.text_validation,
          accuracy: options.accuracy,
          need_noise_reduction: options.need_noise_reduction,
          need_volume_normalization: options.need_volume_normalization,
          aigc_watermark: options.aigc_watermark,
        }),
      };
      // A client of its own, to know whether a duplicate answer came to a retry of this very request.
      let attempt = 0;
      const client = createApiClient((event) => {
        if (event.type === 'request-start') attempt = event.attempt;
      });
      try {
        await client.request<CloneResponse>({
          path: '/v1/voice_clone',
          json: body,
          billable: true,
          // The voice id is ours: a second clone cannot make a second voice, it gets 2039.
          idempotent: true,
          signal: context.signal,
          validate: cloneResponseSchema,
          ...minimaxErrorHandling(errors),
        });
      } catch (error) {
        // 2039 on a retry: the attempt that failed on the way back created the voice. get_voice confirms
        // it is live, not a deleted voice whose id is still taken.
        const duplicateOfOurs = ApiCallError.isInstance(error) && error.code === 2039 && attempt > 1;
        if (!duplicateOfOurs || !(await lookUpVoice(voiceId, context.signal)).found) throw error;
      }
      return { remoteId: voiceId, data: { fileId } };
    },

    async doResumeVoice(request: CreateVoiceRequest, task: TaskRecord, context: ProviderCallContext): Promise<VoiceRecord | undefined> {
      requireApiKey();
      const voiceId = request.suggestedVoiceId;
      if (!(await lookUpVoice(voiceId, context.signal)).found) return undefined;
      const fileId = task.data?.fileId;
      return { remoteId: voiceId, ...(fileId === undefined ? {} : { data: { fileId } }) };
    },

    async doCheckVoice(voice: VoiceRecord, context: ProviderCallContext): Promise<VoiceCheck> {
      requireApiKey();
      if (!voice.remoteId) return { status: 'missing' };
      const { found, vendorTime } = await lookUpVoice(voice.remoteId, context.signal);
      return { status: found ? 'exists' : 'missing', ...(vendorTime ? { vendorTime } : {}) };
    },

    async doDeleteVoice(voice: VoiceRecord, context: ProviderCallContext): Promise<void> {
      requireApiKey();
      if (!voice.remoteId) return;
      try {
        await api.request({
          path: '/v1/delete_voice',
          json: { voice_type: 'voice_cloning', voice_id: voice.remoteId },
          responseType: 'none',
          signal: context.signal,
          ...minimaxErrorHandling({ operation: 'manage', voiceId: voice.remoteId }),
        });
      } catch (error) {
        // Already gone (deleted, or expired unused): what was asked for is true.
        if (ApiCallError.isInstance(error) && (error.code === 2042 || error.code === 2054)) return;
        throw error;
      }
    },

    async doSynthesize(request: SynthesizeRequest, context: ProviderCallContext): Promise<SynthesizeResult> {
      requireApiKey();
      const voiceId = remoteIdOf(request);
      return [...request.text].length <= maxSyncTextLength
        ? synthesizeShortText(request, voiceId, context)
        : synthesizeLongText(request, voiceId, context);
    },

    async doResumeSynthesis(request: SynthesizeRequest, task: TaskRecord, context: ProviderCallContext): Promise<SynthesizeResult | undefined> {
      requireApiKey();
      const audioUrl = task.data?.audioUrl;
      try {
        if (typeof audioUrl === 'string' && audioUrl !== '') {
          return { audio: { type: 'stream', stream: await download(audioUrl, context.signal) }, format: request.format };
        }
        if (task.taskId) {
          const stream = await finishAsyncSpeech(task.taskId, task.data?.fileId, context);
          return { audio: { type: 'stream', stream }, format: request.format };
        }
      } catch (error) {
        if (isLostWork(error)) return undefined;
        throw error;
      }
      return undefined;
    },
  };
}

/**
 * The recorded work cannot be picked up any more, so the line is rendered afresh: the audio URL expired
 * (object storage answers 403 or 404 once a signed URL lapses), the task failed or expired, or MiniMax no
 * longer knows the task or file. Anything else (network, rate limit, a wrong key) may pass: it is thrown,
 * and the pending entry waits for the next apply.
 */
function isLostWork(error: unknown): boolean {
  if (TaskError.isInstance(error)) return error.reason === 'failed';
  if (!ApiCallError.isInstance(error)) return false;
  if (error.status === 403 || error.status === 404 || error.status === 410) return true;
  return error.code === 2013 || error.code === 20132;
}

function remoteIdOf(request: SynthesizeRequest): string {
  const voiceId = request.voice.remoteId;
  if (!voiceId) {
    throw new UsageError(
      `voice ${request.voice.name} has no MiniMax voice id in voices.lock: run \`voxform apply --replace voice.${request.voice.name}\` to clone it again.`,
    );
  }
  return voiceId;
}

/** Fields t2a_v2 and t2a_async_v2 share. */
function sharedSpeechFields(request: SynthesizeRequest): Record<string, unknown> {
  const options = request.options as MinimaxLineOptions;
  const voiceOptions = request.voice.options as MinimaxVoiceOptions;
  // The options' own entries first, then the manifest's lexicon as MiniMax's "original/replacement".
  const tone = [...(options.pronunciation_dict?.tone ?? []), ...Object.entries(request.lexicon ?? {}).map(([word, replacement]) => `${word}/${replacement}`)];
  const modify = definedFields({ ...options.voice_modify });
  return definedFields({
    language_boost: options.language_boost ?? voiceOptions.language_boost ?? languageBoostOf(request.voice.language),
    pronunciation_dict: tone.length > 0 ? { tone } : undefined,
    voice_modify: Object.keys(modify).length > 0 ? modify : undefined,
  });
}

/** The voice's `language` as a `language_boost` value, when it names one (ignoring case). */
function languageBoostOf(language: string | undefined): MinimaxLanguageBoost | undefined {
  if (!language) return undefined;
  const wanted = language.trim().toLowerCase();
  return minimaxLanguageBoosts.find((value) => value.toLowerCase() === wanted);
}

/** `record` without its undefined and null fields (MiniMax's defaults apply to what is not sent). */
function definedFields<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined && value !== null)) as Partial<T>;
}

function characterCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

