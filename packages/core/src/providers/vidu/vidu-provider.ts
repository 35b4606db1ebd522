import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { engineTransport } from '../../http/engine-transport.js';
import { createHttpClient, type ParseError, type RetrySettings } from '../../http/create-http-client.js';
import { pollTask, type PollTaskOptions, type TaskCheck } from '../../http/poll-task.js';
import { sleep as defaultSleep } from '../../http/sleep.js';
import { retryWhileBusy } from '../../http/retry-while-busy.js';
import { headerTime, statusReporter, vendorId } from '../../http/vendor-answers.js';
import type {
  CreateVoiceRequest,
  JsonSchema,
  JsonValue,
  ProviderCallContext,
  ProviderCapabilities,
  ProviderSettings,
  ProviderV1,
  SynthesizeRequest,
  SynthesizeResult,
  TaskRecord,
  VoiceCheck,
  VoiceRecord,
} from '../provider-v1.js';
import {
  createViduErrorParser,
  defaultQuotaRetryDelayMs,
  isDuplicateVoiceError,
  isQuotaExceeded,
  isTaskNotFound,
  missingApiKeyError,
  viduApiKeyEnv,
  viduTaskFailure,
  withVoiceGoneAdvice,
} from './vidu-errors.js';
import { defaultPreviewText, viduLineOptionsSchema, viduVoiceOptionsSchema } from './vidu-options.js';

/** Vidu's documented hosts (VENDORS.md §3): `.cn` for mainland China, `.com` elsewhere. */
export const viduBaseUrls = { global: 'https://api.vidu.com', cn: 'https://api.vidu.cn' } as const;

const megabytes = 1024 * 1024;
const hourMs = 3_600_000;

/** What Vidu can do (VENDORS.md §3.1–3.5). */
export const viduCapabilities: ProviderCapabilities = {
  persistentVoices: true,
  clientChosenVoiceIds: true,
  synthesis: true,
  // audio-tts takes "< 10 000" characters.
  maxTextLength: 9_999,
  pronunciationDictionary: true,
  sample: {
    // audio-clone only takes `audio_url`: Vidu fetches the sample itself, there is no upload.
    sources: ['url'],
    formats: ['mp3', 'm4a', 'wav'],
    minDurationMs: 10_000,
    maxDurationMs: 300_000,
    maxBytes: 20 * megabytes,
    prompt: { formats: ['mp3', 'm4a', 'wav'], maxDurationMs: 8_000, maxBytes: 20 * megabytes },
  },
  unusedVoiceLifetimeMs: 168 * hourMs,
  outputFormats: ['mp3'],
  // The organisation runs 5 tasks at a time (§3.5); no request rate is documented.
  defaultConcurrency: 5,
  apiKeyEnv: viduApiKeyEnv,
};

/** How the adapter waits for Vidu tasks that are still `queueing` or `processing`. */
export type ViduPollSettings = Pick<PollTaskOptions<unknown>, 'intervalMs' | 'maxIntervalMs' | 'backoffFactor' | 'timeoutMs' | 'sleep' | 'now'>;

/** Knobs of the adapter itself; the defaults are the production ones, tests shorten the waits. */
export interface ViduProviderOptions {
  /** Retries of the HTTP client (delays, count, the sleep and clock). Default: the client's (4 retries from 1 s). */
  retry?: RetrySettings;
  /** Polling of queued tasks. Default: `pollTask`'s (every 2 s growing to 30 s, for at most 10 min). */
  poll?: ViduPollSettings;
  /** Wait after a 429 `QuotaExceeded` without `Retry-After`, in ms. Default 10 000. */
  quotaRetryDelayMs?: number;
  /**
   * How long a create call keeps waiting for one of the organisation's 5 task slots (429
   * `QuotaExceeded`, answered to every request beyond them) before giving up, in ms. Default 1 800 000.
   */
  quotaTimeoutMs?: number;
}

/** What the create calls and the task query answer, reduced to what the adapter reads. */
interface ViduTaskAnswer {
  taskId?: string;
  /** `created`, `queueing`, `processing`, `success` or `failed` (§3.3). */
  state: string;
  /** Set by the task query when the task failed. */
  errorCode?: string;
  /** The audio: `creations[0].url` of the task query, or `file_url` of audio-tts. */
  audioUrl?: string;
}

type JsonObject = { [key: string]: unknown };

/** The one field every create answer and task query has; the others are optional and read leniently. */
const taskAnswerSchema: JsonSchema = {
  type: 'object',
  required: ['state'],
  properties: { state: { type: 'string', minLength: 1 } },
};

// Anything else (`created`, `queueing`, `processing`, or a state VENDORS.md does not list) is still running.
const failedStates = new Set(['failed', 'cancelled', 'canceled']);

/**
 * The Vidu adapter (VENDORS.md §3): `POST /ent/v2/audio-clone` with the engine's voice id,
 * `POST /ent/v2/audio-tts`, and `GET /ent/v2/tasks/{id}/creations` for tasks that are not finished at
 * once. Audio comes back as a stream downloaded from Vidu's `file_url` / `creations[0].url`.
 */
export function createViduProvider(settings: ProviderSettings, options: ViduProviderOptions = {}): ProviderV1 {
  const apiKey = settings.apiKey;
  const baseUrl = settings.baseUrl ?? (settings.region === 'cn' ? viduBaseUrls.cn : viduBaseUrls.global);
  const quotaRetryDelayMs = options.quotaRetryDelayMs ?? defaultQuotaRetryDelayMs;
  const quotaTimeoutMs = options.quotaTimeoutMs ?? 1_800_000;
  const sleep = options.retry?.sleep ?? defaultSleep;
  const now = options.retry?.now ?? Date.now;
  const parseError = createViduErrorParser({ quotaRetryDelayMs });

  const api = createHttpClient({
    provider: 'Vidu',
    baseUrl,
    headers: apiKey ? { authorization: `Token ${apiKey}` } : {},
    secrets: [apiKey],
    apiKeyEnv: viduApiKeyEnv,
    parseError,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(settings.limiter ? { limiter: settings.limiter } : {}),
    ...engineTransport(settings),
  });
  // Audio URLs point at Vidu's storage, not at its API: they get no Authorization header (the key must not
  // travel to another host) and their answers do not feed the API's rate limiter.
  const downloads = createHttpClient({
    provider: 'Vidu',
    secrets: [apiKey],
    ...(options.retry ? { retry: options.retry } : {}),
    ...engineTransport(settings),
  });

  function requireApiKey(): void {
    if (!apiKey) throw missingApiKeyError();
  }

  /** Vidu's org has 5 task slots; a create refused with QuotaExceeded waits for one (see retryWhileBusy). */
  const untilSlotFree = <T>(send: () => Promise<T>, signal: AbortSignal) =>
    retryWhileBusy(send, { isBusy: isQuotaExceeded, retryDelayMs: quotaRetryDelayMs, timeoutMs: quotaTimeoutMs, signal, sleep, now });

  async function submitClone(body: JsonObject, signal: AbortSignal): Promise<ViduTaskAnswer> {
    const { value } = await untilSlotFree(
      // Idempotent: the voice id is ours, so a second attempt after a lost answer is refused as a duplicate instead of cloning twice.
      () => api.request({ path: '/ent/v2/audio-clone', json: body, billable: true, idempotent: true, validate: taskAnswerSchema, signal }),
      signal,
    );
    return readTaskAnswer(value as JsonObject);
  }

  async function queryTask(taskId: string, signal: AbortSignal | undefined): Promise<ViduTaskAnswer> {
    const { value } = await api.request({
      path: `/ent/v2/tasks/${encodeURIComponent(taskId)}/creations`,
      validate: taskAnswerSchema,
      ...(signal ? { signal } : {}),
    });
    return readTaskAnswer(value as JsonObject);
  }

  /** Polls a task until it succeeded (resolves with its answer) or failed (rejects with a TaskError). */
  function waitForTask(taskId: string, work: 'voice clone' | 'speech', context: ProviderCallContext, report: (status: string) => void): Promise<ViduTaskAnswer> {
    return pollTask({
      provider: 'Vidu',
      taskId,
      ...options.poll,
      signal: context.signal,
      onStatus: report,
      check: async ({ signal }) => interpret(await queryTask(taskId, signal), taskId, work),
    });
  }

  function interpret(answer: ViduTaskAnswer, taskId: string, work: 'voice clone' | 'speech'): TaskCheck<ViduTaskAnswer> {
    const status = answer.state;
    if (failedStates.has(status)) return { status, done: true, error: viduTaskFailure({ taskId, state: status, errorCode: answer.errorCode, work }) };
    if (status !== 'success') return { status, done: false };
    if (work === 'speech' && !answer.audioUrl) {
      const message = `Vidu task ${taskId} succeeded without an audio URL (neither creations[0].url nor file_url): Vidu's API may have changed, please report this`;
      return { status, done: true, error: new TaskError({ reason: 'failed', provider: 'Vidu', taskId, status, message }) };
    }
    return { status, done: true, result: answer };
  }

  /** The answer of a create call: finished (or failed) at once, or a task to record and wait for. */
  async function settle(answer: ViduTaskAnswer, work: 'voice clone' | 'speech', context: ProviderCallContext, recorded: boolean): Promise<ViduTaskAnswer> {
    if (answer.state === 'success' && (work === 'voice clone' || answer.audioUrl)) return answer;
    if (failedStates.has(answer.state)) throw viduTaskFailure({ taskId: answer.taskId, state: answer.state, errorCode: answer.errorCode, work });
    if (answer.taskId === undefined) {
      throw new TaskError({
        reason: 'failed',
        provider: 'Vidu',
        status: answer.state,
        message: `Vidu answered the ${work} with state ${answer.state} but no task_id, so voxform cannot wait for it: Vidu's API may have changed, please report this`,
      });
    }
    if (!recorded) await context.recordTask({ taskId: answer.taskId });
    const report = statusReporter(context);
    report(answer.state);
    return waitForTask(answer.taskId, work, context, report);
  }

  async function download(audioUrl: string, request: SynthesizeRequest, signal: AbortSignal): Promise<SynthesizeResult> {
    const { value: stream } = await downloads.request({ path: audioUrl, responseType: 'stream', signal });
    return { audio: { type: 'stream', stream }, format: 'mp3', billedCharacters: [...request.text].length };
  }

  async function createVoice(request: CreateVoiceRequest, context: ProviderCallContext): Promise<VoiceRecord> {
    const voiceId = request.suggestedVoiceId;
    const body = cloneBody(request);
    let answer: ViduTaskAnswer;
    try {
      answer = await submitClone(body, context.signal);
    } catch (error) {
      // The id embeds the voice's fingerprint and is never reused for another voice, so a duplicate
      // means an earlier attempt of this very create (a retry after a lost answer, a crashed apply) got through.
      if (isDuplicateVoiceError(error)) return voiceRecord(voiceId, undefined);
      throw error;
    }
    const done = await settle(answer, 'voice clone', context, false);
    return voiceRecord(voiceId, done.taskId ?? answer.taskId);
  }

  return {
    specificationVersion: 'v1',
    id: 'vidu',
    displayName: 'Vidu',
    capabilities: viduCapabilities,
    voiceOptionsSchema: viduVoiceOptionsSchema,
    lineOptionsSchema: viduLineOptionsSchema,

    async doCreateVoice(request, context) {
      requireApiKey();
      return createVoice(request, context);
    },

    async doResumeVoice(request, task, context) {
      requireApiKey();
      const voiceId = request.suggestedVoiceId;
      if (task.taskId) {
        try {
          await waitForTask(task.taskId, 'voice clone', context, statusReporter(context));
          return voiceRecord(voiceId, task.taskId);
        } catch (error) {
          if (TaskError.isInstance(error) && error.reason === 'failed') return undefined;
          // Vidu forgot the task: whether the voice exists is then learnt from its id, below.
          if (!isTaskNotFound(error)) throw error;
        }
      }
      // Vidu has no way to look a voice up, but its ids are unique: sending the same audio-clone again
      // answers "duplicate" when the interrupted create went through (nothing is cloned or billed twice),
      // and clones the voice when it never reached Vidu, which is then its first and only charge.
      let body: JsonObject;
      try {
        body = cloneBody(request);
      } catch {
        return undefined; // Refused before sending: the interrupted create cannot have reached Vidu either.
      }
      try {
        const answer = await submitClone(body, context.signal);
        const done = await settle(answer, 'voice clone', context, false);
        return voiceRecord(voiceId, done.taskId ?? answer.taskId);
      } catch (error) {
        if (isDuplicateVoiceError(error)) return voiceRecord(voiceId, task.taskId);
        if (TaskError.isInstance(error) && error.reason === 'failed') return undefined;
        // Refused (bad key, credits, a field): Vidu accepted nothing, so the normal create runs and reports it.
        if (ApiCallError.isInstance(error) && !error.isRetryable && error.status !== undefined && error.status >= 400 && error.status < 500) return undefined;
        throw error;
      }
    },

    async doCheckVoice(voice, context): Promise<VoiceCheck> {
      requireApiKey();
      // Vidu cannot look a voice up. One authenticated query (of the voice's clone task, or of an id that
      // is no task, which answers 404) still gives Vidu's clock, so the plan can tell an expired voice.
      const taskId = typeof voice.data?.taskId === 'string' ? voice.data.taskId : undefined;
      let date: string | null = null;
      const keepDate: ParseError = (body, status, headers) => {
        date = headers.get('date') ?? date;
        return parseError(body, status, headers);
      };
      try {
        const result = await api.request({
          path: `/ent/v2/tasks/${encodeURIComponent(taskId ?? voice.remoteId ?? 'voxform-clock')}/creations`,
          responseType: 'none',
          parseError: keepDate,
          signal: context.signal,
        });
        date = result.headers.get('date');
      } catch (error) {
        if (!ApiCallError.isInstance(error) || error.status === undefined || error.status === 401 || error.status === 403 || date === null) throw error;
      }
      const vendorTime = headerTime(date);
      return { status: 'unknown', ...(vendorTime ? { vendorTime } : {}) };
    },

    async doSynthesize(request, context) {
      requireApiKey();
      const body = ttsBody(request);
      const { value } = await untilSlotFree(
        () =>
          api.request({ path: '/ent/v2/audio-tts', json: body, billable: true, validate: taskAnswerSchema, parseError: withVoiceGoneAdvice(parseError, request.voice.name), signal: context.signal }),
        context.signal,
      );
      const answer = readTaskAnswer(value as JsonObject);
      // Recorded before anything else: even a finished task is worth resuming if the download breaks.
      if (answer.taskId !== undefined) await context.recordTask({ taskId: answer.taskId });
      const done = await settle(answer, 'speech', context, true);
      return download(done.audioUrl!, request, context.signal);
    },

    async doResumeSynthesis(request, task, context) {
      requireApiKey();
      if (!task.taskId) return undefined;
      let done: ViduTaskAnswer;
      try {
        done = await waitForTask(task.taskId, 'speech', context, statusReporter(context));
      } catch (error) {
        // A failed or forgotten task produced nothing to fetch: the engine renders the line again.
        if (isTaskNotFound(error) || (TaskError.isInstance(error) && error.reason === 'failed')) return undefined;
        throw error;
      }
      try {
        return await download(done.audioUrl!, request, context.signal);
      } catch (error) {
        // The audio link has expired (Vidu keeps it 24 h): the audio is gone, so the line is rendered again.
        if (ApiCallError.isInstance(error) && (error.status === 403 || error.status === 404 || error.status === 410)) return undefined;
        throw error;
      }
    },
  };
}

/** The body of `POST /ent/v2/audio-clone`; refuses what Vidu would refuse before anything is sent. */
function cloneBody(request: CreateVoiceRequest): JsonObject {
  if (request.sample.source !== 'url') {
    throw new UsageError(
      `voices.${request.name}.sample: Vidu clones from a URL it downloads itself, not from a local file: host the sample at an https URL and put that URL in voices.yaml.`,
    );
  }
  const options = request.options;
  const body: JsonObject = { audio_url: request.sample.location, voice_id: request.suggestedVoiceId };
  if (request.prompt) {
    if (request.prompt.sample.source !== 'url') {
      throw new UsageError(
        `voices.${request.name}.prompt.sample: Vidu takes the prompt sample as a URL, not as a local file: host it at an https URL and put that URL in voices.yaml.`,
      );
    }
    const text = request.prompt.text.trim();
    // Vidu requires the transcript to end with punctuation (§3.1): refused here, before a call is made.
    if (!/\p{P}$/u.test(text)) {
      throw new UsageError(
        `voices.${request.name}.prompt.text: Vidu wants the prompt's transcript to end with a punctuation mark, got ${JSON.stringify(text.slice(-20))}: add the full stop (or ?, !, 。) the speaker ends on.`,
      );
    }
    body.prompt_audio_url = request.prompt.sample.location;
    body.prompt_text = text;
  }
  body.text = stringOption(options, 'previewText') ?? defaultPreviewText;
  const payload = stringOption(options, 'payload');
  if (payload !== undefined) body.payload = payload;
  return body;
}

/** The body of `POST /ent/v2/audio-tts`: options left out are not sent, so Vidu applies its defaults. */
function ttsBody(request: SynthesizeRequest): JsonObject {
  const voiceId = request.voice.remoteId;
  if (!voiceId) {
    throw new UsageError(`voice ${request.voice.name} has no Vidu voice id in voices.lock: run voxform apply without --target so that the voice is created first.`);
  }
  const options = request.options;
  const body: JsonObject = { text: request.text, voice_setting_voice_id: voiceId };
  const fields: Array<[string, JsonValue | undefined]> = [
    ['voice_setting_speed', options.speed],
    ['voice_setting_volume', options.volume],
    ['voice_setting_pitch', options.pitch],
    ['voice_setting_emotion', options.emotion],
    ['pronunciation_dict_tone', pronunciationDictionary(options.pronunciation_dict_tone, request.lexicon)],
    ['payload', options.payload],
  ];
  for (const [field, value] of fields) if (value !== undefined && value !== null) body[field] = value;
  return body;
}

/** The options' own `pronunciation_dict_tone`, then the manifest's lexicon as `word/replacement`. */
function pronunciationDictionary(fromOptions: JsonValue | undefined, lexicon: Record<string, string> | undefined): JsonValue | undefined {
  const entries = Object.entries(lexicon ?? {}).map(([word, replacement]) => `${word}/${replacement}`);
  if (entries.length === 0) return fromOptions;
  return [...(Array.isArray(fromOptions) ? fromOptions : []), ...entries];
}

function readTaskAnswer(body: JsonObject): ViduTaskAnswer {
  const taskId = vendorId(body.task_id) ?? vendorId(body.id);
  const errorCode = typeof body.err_code === 'string' && body.err_code !== '' ? body.err_code : undefined;
  const creations = Array.isArray(body.creations) ? body.creations : [];
  const first: unknown = creations[0];
  const creationUrl = typeof first === 'object' && first !== null ? nonEmpty((first as JsonObject).url) : undefined;
  const audioUrl = creationUrl ?? nonEmpty(body.file_url);
  return {
    state: String(body.state),
    ...(taskId === undefined ? {} : { taskId }),
    ...(errorCode === undefined ? {} : { errorCode }),
    ...(audioUrl === undefined ? {} : { audioUrl }),
  };
}

function voiceRecord(voiceId: string, taskId: string | undefined): VoiceRecord {
  return { remoteId: voiceId, ...(taskId === undefined ? {} : { data: { taskId } }) };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function stringOption(options: Record<string, JsonValue>, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

