import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { engineTransport } from '../../http/engine-transport.js';
import { createHttpClient, type CheckSuccess, type ParseError, type RetrySettings } from '../../http/create-http-client.js';
import { pollTask, type PollTaskOptions, type TaskCheck } from '../../http/poll-task.js';
import { headerTime, statusReporter, vendorId } from '../../http/vendor-answers.js';
import type {
  AudioFormat,
  CreateVoiceRequest,
  JsonSchema,
  JsonValue,
  ProviderCallContext,
  ProviderCapabilities,
  ProviderSettings,
  ProviderV1,
  SynthesizeRequest,
  SynthesizeResult,
  VoiceCheck,
  VoiceRecord,
} from '../provider-v1.js';
import {
  isTaskNotFound,
  missingApiKeyError,
  soundCloneApiKeyEnv,
  soundCloneErrorHandling,
  soundCloneTaskFailure,
  unwrapEnvelope,
  type SoundCloneErrorContext,
} from './soundclone-errors.js';
import {
  needsSoundVersion2,
  soundCloneDefaultPreviewText,
  soundCloneLanguageOf,
  soundCloneLineOptionsSchema,
  soundCloneVoiceOptionsSchema,
  type SoundCloneLineOptions,
  type SoundCloneVoiceOptions,
} from './soundclone-options.js';

/** SoundClone's documented base (VENDORS.md §2); a reseller or the emulator comes in through `baseUrl`. */
export const soundCloneBaseUrl = 'https://zcbservice.aizfw.cn/kyyReactApiServer';

const displayName = 'SoundClone';
const hourMs = 3_600_000;
/** An unused modelId is valid for 3 days; its first use in `/audios` makes it permanent (§2.4). */
const unusedModelLifetimeMs = 72 * hourMs;

/** What SoundClone can do (VENDORS.md §2.1–2.4). */
export const soundCloneCapabilities: ProviderCapabilities = {
  persistentVoices: true,
  // SoundClone names the voice (`modelId`) when the preview task completes.
  clientChosenVoiceIds: false,
  synthesis: true,
  // audios takes `contentText` "< 10 000" characters.
  maxTextLength: 9_999,
  sample: {
    // clones only takes `fileUrl`, a network URL SoundClone downloads; there is no upload.
    sources: ['url'],
    formats: ['mp3', 'ogg', 'wav', 'm4a', 'aac'],
    minDurationMs: 15_000,
    maxDurationMs: 60_000,
  },
  // Not the generic "unused for N hours, pushed forward by each use" rule: a modelId expires 3 days after
  // it was made unless a line uses it, and is permanent from then on. doCreateVoice returns that expiry,
  // doSynthesize says `voice: { expiresAt: null }`.
  outputFormats: ['mp3'],
  // Rate and concurrency limits are UNKNOWN (§2.4): two tasks at a time is a guess on the safe side; the
  // adaptive limiter lowers it further on 429s. No request rate is assumed.
  defaultConcurrency: 2,
  apiKeyEnv: soundCloneApiKeyEnv,
};

/** How the adapter waits for SoundClone tasks that are `queued` or `processing`. */
export type SoundClonePollSettings = Pick<PollTaskOptions<unknown>, 'intervalMs' | 'maxIntervalMs' | 'backoffFactor' | 'timeoutMs' | 'sleep' | 'now'>;

/** Knobs of the adapter itself (the second argument of `createSoundCloneProvider`); the defaults are the production ones, tests shorten the waits. */
export interface SoundCloneProviderOptions {
  /** Retries of the HTTP client (delays, count, the sleep and clock). Default: the client's (4 retries from 1 s). */
  retry?: RetrySettings;
  /** Polling of tasks. Default: every 5 s growing to 10 s (SoundClone's guidance, §2.2), for at most 30 min. */
  poll?: SoundClonePollSettings;
  /** Clock in ms, for a voice's expiry when SoundClone's task gives no `created` time. Default `Date.now`. */
  now?: () => number;
}

/** A task object of clones, audios or result/{id} (§2.1–2.3), reduced to what the adapter reads. */
interface SoundCloneTask {
  taskId?: string;
  /** Lower-cased: `queued`, `processing`, `completed`, `failed`; empty when the answer had none. */
  status: string;
  modelId?: string;
  audioUrl?: string;
  /** `created` (unix seconds) in ms. */
  createdMs?: number;
  /** The task's `error` string, set when it failed. */
  error?: string;
}

type JsonObject = { [key: string]: unknown };
type Work = 'voice clone' | 'speech';

const idSchema = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] };

/** A create answer needs its task id (`id`; `taskId` tolerated); the rest is read leniently. */
const createdTaskSchema = {
  type: 'object',
  properties: { id: idSchema, taskId: idSchema, status: { type: 'string' } },
  anyOf: [
    { required: ['id'], properties: { id: true } },
    { required: ['taskId'], properties: { taskId: true } },
  ],
};

/** A task query needs its status. */
const queriedTaskSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', minLength: 1 } },
};

/** `schema`, directly or inside the reseller's `{code: 20000, msg, data}` (an envelope error never gets here: `checkSuccess` throws it). */
function enveloped(schema: JsonSchema): JsonSchema {
  return {
    type: 'object',
    if: { type: 'object', required: ['code', 'data'], properties: { code: true, data: true } },
    then: { type: 'object', required: ['data'], properties: { data: schema } },
    else: schema,
  };
}

const createdAnswerSchema = enveloped(createdTaskSchema);
const queriedAnswerSchema = enveloped(queriedTaskSchema);

// Documented: queued, processing, completed, failed (§2.2). Any other word is read as still running.
const completedStatuses = new Set(['completed', 'complete', 'success', 'succeeded']);
const failedStatuses = new Set(['failed', 'failure', 'error', 'cancelled', 'canceled']);

/**
 * The SoundClone adapter (VENDORS.md §2): `POST /v1/soundCloning/clones` makes a preview task whose
 * result carries the voice's `modelId`, `POST /v1/soundCloning/audios` speaks a line with it, and both
 * kinds of task are polled with `GET /v1/result/{id}`. Audio comes back as a stream downloaded from the
 * task's `audioUrl`. A modelId lives 3 days until a line uses it, then forever.
 */
export function createSoundCloneProvider(settings: ProviderSettings = {}, providerOptions: SoundCloneProviderOptions = {}): ProviderV1 {
  const apiKey = settings.apiKey;
  const baseUrl = settings.baseUrl ?? soundCloneBaseUrl;
  const now = providerOptions.now ?? Date.now;

  const api = createHttpClient({
    provider: displayName,
    baseUrl,
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    secrets: [apiKey],
    apiKeyEnv: soundCloneApiKeyEnv,
    ...(providerOptions.retry ? { retry: providerOptions.retry } : {}),
    ...(settings.limiter ? { limiter: settings.limiter } : {}),
    ...engineTransport(settings),
  });
  // Audio URLs point at SoundClone's storage, not at its API: they get no Authorization header (the key
  // must not travel to another host) and their answers do not feed the API's rate limiter.
  const downloads = createHttpClient({
    provider: displayName,
    secrets: [apiKey],
    ...(providerOptions.retry ? { retry: providerOptions.retry } : {}),
    ...engineTransport(settings),
  });

  function requireApiKey(): void {
    if (!apiKey) throw missingApiKeyError();
  }

  /** Sends a billable create (clones or audios). Not idempotent: SoundClone names the task, so only errors proving it accepted nothing are retried. */
  async function submit(path: string, body: JsonObject, errors: SoundCloneErrorContext, signal: AbortSignal): Promise<SoundCloneTask & { taskId: string }> {
    const { value } = await api.request({ path, json: body, billable: true, validate: createdAnswerSchema, signal, ...soundCloneErrorHandling(errors) });
    const task = readTask(unwrapEnvelope(value));
    return { ...task, taskId: task.taskId! };
  }

  async function queryTask(taskId: string, signal: AbortSignal | undefined, handling: { parseError: ParseError; checkSuccess: CheckSuccess }) {
    const result = await api.request({
      path: `/v1/result/${encodeURIComponent(taskId)}`,
      validate: queriedAnswerSchema,
      ...handling,
      ...(signal ? { signal } : {}),
    });
    return { task: readTask(unwrapEnvelope(result.value)), headers: result.headers };
  }

  /** Polls a task until it completed (resolves with it) or failed (rejects with a TaskError). */
  function waitForTask(taskId: string, work: Work, context: ProviderCallContext, report: (status: string) => void, voice: VoiceNames = {}): Promise<SoundCloneTask> {
    const handling = soundCloneErrorHandling({ operation: 'query', taskId });
    return pollTask({
      provider: displayName,
      taskId,
      intervalMs: 5_000,
      maxIntervalMs: 10_000,
      backoffFactor: 1.5,
      timeoutMs: 30 * 60_000,
      ...providerOptions.poll,
      signal: context.signal,
      onStatus: report,
      check: async ({ signal }) => interpret((await queryTask(taskId, signal, handling)).task, taskId, work, voice),
    });
  }

  /** The answer of a create call: finished (or failed) at once, or a task to wait for. */
  async function settle(answer: SoundCloneTask & { taskId: string }, work: Work, context: ProviderCallContext, voice: VoiceNames): Promise<SoundCloneTask> {
    const report = statusReporter(context);
    if (answer.status !== '') {
      report(answer.status);
      const check = interpret(answer, answer.taskId, work, voice);
      if (check.done) {
        if (check.error !== undefined) throw check.error;
        return check.result!;
      }
    }
    return waitForTask(answer.taskId, work, context, report, voice);
  }

  async function download(audioUrl: string, request: SynthesizeRequest, signal: AbortSignal): Promise<SynthesizeResult> {
    const { value: stream } = await downloads.request({ path: audioUrl, responseType: 'stream', signal });
    // The first use of a modelId makes it permanent (§2.4): the engine drops the voice's expiry.
    return { audio: { type: 'stream', stream }, format: 'mp3', billedCharacters: billedCharacterCount(request.text), voice: { expiresAt: null } };
  }

  function voiceRecord(task: SoundCloneTask, taskId: string, voice: ResolvedVoice, fallbackCreatedMs: number): VoiceRecord {
    const createdMs = task.createdMs ?? fallbackCreatedMs;
    const previewFormat = task.audioUrl === undefined ? undefined : audioFormatOf(task.audioUrl);
    return {
      remoteId: task.modelId!,
      // Counted from the task's creation, a little before the modelId was made: on the safe side.
      expiresAt: new Date(createdMs + unusedModelLifetimeMs).toISOString(),
      data: {
        previewTaskId: taskId,
        soundVersion: voice.soundVersion,
        language: voice.language,
        ...(task.audioUrl === undefined ? {} : { previewAudioUrl: task.audioUrl }),
      },
      ...(task.audioUrl === undefined || previewFormat === undefined ? {} : { preview: { audio: { type: 'url', url: task.audioUrl }, format: previewFormat } }),
    };
  }

  return {
    specificationVersion: 'v1',
    id: 'soundclone',
    displayName,
    capabilities: soundCloneCapabilities,
    voiceOptionsSchema: soundCloneVoiceOptionsSchema,
    lineOptionsSchema: soundCloneLineOptionsSchema,

    async doCreateVoice(request, context) {
      requireApiKey();
      const voice = resolveVoice(request);
      const body: JsonObject = {
        fileUrl: request.sample.location,
        contentText: voice.previewText,
        soundVersion: voice.soundVersion,
        language: voice.language,
      };
      const sentAt = now();
      const answer = await submit('/v1/soundCloning/clones', body, { operation: 'clone', voiceName: request.name }, context.signal);
      // Recorded before anything else: a crash from here on resumes by polling, never by cloning again.
      await context.recordTask({ taskId: answer.taskId });
      const done = await settle(answer, 'voice clone', context, { voiceName: request.name });
      return voiceRecord(done, answer.taskId, voice, answer.createdMs ?? sentAt);
    },

    async doResumeVoice(request, task, context) {
      requireApiKey();
      if (!task.taskId) return undefined;
      const voice = resolveVoice(request);
      let done: SoundCloneTask;
      try {
        done = await waitForTask(task.taskId, 'voice clone', context, statusReporter(context), { voiceName: request.name });
      } catch (error) {
        // Failed (refunded), or forgotten by SoundClone: there is no voice to keep, so the engine clones it again.
        if (isTaskNotFound(error) || (TaskError.isInstance(error) && error.reason === 'failed')) return undefined;
        throw error;
      }
      return voiceRecord(done, task.taskId, voice, now());
    },

    async doCheckVoice(voice, context): Promise<VoiceCheck> {
      requireApiKey();
      // SoundClone documents no way to look a modelId up: the voice's preview task is the next best
      // witness. Every answer, even a 404, gives SoundClone's clock from its Date header.
      const taskId = stringOf(voice.data?.previewTaskId);
      let date: string | null = null;
      const handling = soundCloneErrorHandling({ operation: 'query', ...(taskId ? { taskId } : {}) });
      const keepDate = {
        parseError: ((body, status, headers) => {
          date = headers.get('date') ?? date;
          return handling.parseError(body, status, headers);
        }) satisfies ParseError,
        checkSuccess: ((body, headers) => {
          date = headers.get('date') ?? date;
          return handling.checkSuccess(body, headers);
        }) satisfies CheckSuccess,
      };
      const withTime = (status: VoiceCheck['status']): VoiceCheck => {
        const vendorTime = headerTime(date);
        return { status, ...(vendorTime ? { vendorTime } : {}) };
      };

      if (!taskId) {
        // Nothing recorded to ask about: one cheap query of an id that is no task, for the clock only.
        try {
          const result = await api.request({ path: '/v1/result/voxform-clock', responseType: 'none', signal: context.signal, ...keepDate });
          date = result.headers.get('date') ?? date;
        } catch (error) {
          if (!isTaskNotFound(error) || date === null) throw error;
        }
        return withTime('unknown');
      }
      try {
        const { task, headers } = await queryTask(taskId, context.signal, keepDate);
        date = headers.get('date') ?? date;
        if (completedStatuses.has(task.status)) {
          return withTime(task.modelId === undefined || voice.remoteId === undefined || task.modelId === voice.remoteId ? 'exists' : 'unknown');
        }
        return withTime(failedStatuses.has(task.status) ? 'missing' : 'unknown');
      } catch (error) {
        if (isTaskNotFound(error)) return withTime('missing');
        throw error;
      }
    },

    async doSynthesize(request, context) {
      requireApiKey();
      const modelId = modelIdOf(request);
      const voiceNames = { modelId, voiceName: request.voice.name };
      const answer = await submit('/v1/soundCloning/audios', audiosBody(request, modelId), { operation: 'synthesis', ...voiceNames }, context.signal);
      // Recorded before anything else: even a finished task is worth resuming if the download breaks.
      await context.recordTask({ taskId: answer.taskId });
      const done = await settle(answer, 'speech', context, voiceNames);
      return download(done.audioUrl!, request, context.signal);
    },

    async doResumeSynthesis(request, task, context) {
      requireApiKey();
      if (!task.taskId) return undefined;
      let done: SoundCloneTask;
      try {
        done = await waitForTask(task.taskId, 'speech', context, statusReporter(context), { ...(request.voice.remoteId ? { modelId: request.voice.remoteId } : {}), voiceName: request.voice.name });
      } catch (error) {
        // A failed or forgotten task produced nothing to fetch: the engine renders the line again.
        if (isTaskNotFound(error) || (TaskError.isInstance(error) && error.reason === 'failed')) return undefined;
        throw error;
      }
      try {
        return await download(done.audioUrl!, request, context.signal);
      } catch (error) {
        // The audio link has lapsed (its lifetime is UNKNOWN): the audio is gone, so the line is rendered again.
        if (ApiCallError.isInstance(error) && (error.status === 403 || error.status === 404 || error.status === 410)) return undefined;
        throw error;
      }
    },
  };
}

interface VoiceNames {
  modelId?: string;
  voiceName?: string;
}

interface ResolvedVoice {
  soundVersion: 'v1' | 'v2';
  language: string;
  previewText: string;
}

function interpret(task: SoundCloneTask, taskId: string, work: Work, voice: VoiceNames): TaskCheck<SoundCloneTask> {
  const status = task.status;
  if (failedStatuses.has(status)) return { status, done: true, error: soundCloneTaskFailure({ taskId, status, error: task.error, work, ...voice }) };
  if (!completedStatuses.has(status)) return { status, done: false };
  const missing = work === 'voice clone' ? (task.modelId === undefined ? 'a modelId' : undefined) : task.audioUrl === undefined ? 'an audioUrl' : undefined;
  if (missing) {
    const message = `SoundClone task ${taskId} (${work}) completed without ${missing}: SoundClone's API may have changed, please report this`;
    return { status, done: true, error: new TaskError({ reason: 'failed', provider: displayName, taskId, status, message }) };
  }
  return { status, done: true, result: task };
}

/**
 * The clone's settings: the options, else the manifest's `language` when SoundClone has it, else `auto`;
 * `v2` when that language needs it and no version was chosen. Refuses what SoundClone would refuse,
 * before anything is sent.
 */
function resolveVoice(request: CreateVoiceRequest): ResolvedVoice {
  if (request.sample.source !== 'url') {
    throw new UsageError(
      `voices.${request.name}.sample: SoundClone clones from a URL it downloads itself, not from a local file: host the sample at an https URL and put that URL in voices.yaml.`,
    );
  }
  // §2.1: "no Chinese characters in the URL".
  if (/[\u3400-\u9fff\uf900-\ufaff]/.test(safeDecode(request.sample.location))) {
    throw new UsageError(`voices.${request.name}.sample: SoundClone refuses sample URLs with Chinese characters: rename the file (or its folder) with Latin letters.`);
  }
  const options = request.options as SoundCloneVoiceOptions;
  const { soundVersion, language } = voiceSettingsOf(options, request.language);
  if (needsSoundVersion2(language) && soundVersion !== 'v2') {
    throw new UsageError(
      `voices.${request.name}.options.soundVersion: SoundClone speaks ${language} only with soundVersion v2, got ${soundVersion}: set \`soundVersion: v2\`, or choose another language.`,
    );
  }
  return { soundVersion, language, previewText: options.previewText ?? soundCloneDefaultPreviewText };
}

function voiceSettingsOf(options: SoundCloneVoiceOptions, manifestLanguage: string | undefined): { soundVersion: 'v1' | 'v2'; language: string } {
  const language = options.language ?? soundCloneLanguageOf(manifestLanguage) ?? 'auto';
  const soundVersion = options.soundVersion ?? (needsSoundVersion2(language) ? 'v2' : 'v1');
  return { soundVersion, language };
}

/** The body of `POST /v1/soundCloning/audios`: the voice's version and language, and only the line options given. */
function audiosBody(request: SynthesizeRequest, modelId: string): JsonObject {
  const recorded = request.voice.data ?? {};
  const fallback = voiceSettingsOf(request.voice.options as SoundCloneVoiceOptions, request.voice.language);
  const options = request.options as SoundCloneLineOptions;
  const body: JsonObject = {
    modelId,
    contentText: request.text,
    soundVersion: stringOf(recorded.soundVersion) ?? fallback.soundVersion,
    language: stringOf(recorded.language) ?? fallback.language,
  };
  const fields: Array<[string, JsonValue | undefined]> = [
    ['emotion', options.emotion],
    ['speed', options.speed],
    ['vol', options.vol],
    ['pitch', options.pitch],
    ['subtitleEnable', options.subtitleEnable],
  ];
  for (const [field, value] of fields) if (value !== undefined && value !== null) body[field] = value;
  // `sentence` is SoundClone's default, asked for by leaving the field out (§2.3).
  if (options.subtitleType === 'word') body.subtitleType = 'word';
  return body;
}

function modelIdOf(request: SynthesizeRequest): string {
  const modelId = request.voice.remoteId;
  if (!modelId) {
    throw new UsageError(
      `voice ${request.voice.name} has no SoundClone modelId in voices.lock: run \`voxform apply --replace voice.${request.voice.name}\` to clone it again.`,
    );
  }
  return modelId;
}

/** What SoundClone bills: Unicode code points, `<#x#>` pause markers excluded (§2.4). */
export function billedCharacterCount(text: string): number {
  return [...text.replace(/<#[0-9.]+#>/g, '')].length;
}

function readTask(body: unknown): SoundCloneTask {
  const record: JsonObject = typeof body === 'object' && body !== null ? (body as JsonObject) : {};
  const taskId = vendorId(record.id) ?? vendorId(record.taskId);
  const modelId = vendorId(record.modelId);
  const audioUrl = stringOf(record.audioUrl);
  const createdMs = timeOf(record.created);
  const error = errorOf(record.error);
  return {
    status: typeof record.status === 'string' ? record.status.trim().toLowerCase() : '',
    ...(taskId === undefined ? {} : { taskId }),
    ...(modelId === undefined ? {} : { modelId }),
    ...(audioUrl === undefined ? {} : { audioUrl }),
    ...(createdMs === undefined ? {} : { createdMs }),
    ...(error === undefined ? {} : { error }),
  };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function errorOf(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null) return stringOf((value as JsonObject).message) ?? stringOf((value as JsonObject).msg);
  return stringOf(value)?.slice(0, 300);
}

/** `created`: documented as unix seconds; milliseconds and ISO strings are tolerated. */
function timeOf(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
  if (number !== undefined) return Number.isFinite(number) && number > 0 ? (number < 1e11 ? number * 1000 : number) : undefined;
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** The preview's container from its URL; mp3 (what SoundClone makes) unless the name says wav. */
function audioFormatOf(url: string): AudioFormat | undefined {
  try {
    return /\.wav$/i.test(new URL(url).pathname) ? 'wav' : 'mp3';
  } catch {
    return undefined;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
