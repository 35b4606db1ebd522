import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { engineTransport } from '../../http/engine-transport.js';
import {
  createHttpClient,
  pollTask,
  sleep as defaultSleep,
  type CheckSuccess,
  type HttpEvent,
  type HttpResult,
  type JsonRequest,
  type ParseError,
  type PollTaskOptions,
  type RetrySettings,
  type TaskCheck,
  retryWhileBusy,
} from '../../http/index.js';
import { headerTime, statusReporter } from '../../http/vendor-answers.js';
import type {
  CreateVoiceRequest,
  JsonValue,
  ProviderCallContext,
  ProviderCapabilities,
  ProviderSettings,
  ProviderV1,
  VoiceCheck,
  VoiceRecord,
} from '../provider-v1.js';
import { createKlingAuth, klingApiKeyEnv } from './kling-auth.js';
import {
  defaultConcurrencyRetryDelayMs,
  isConcurrencyLimit,
  isDuplicateError,
  isDuplicateVoiceName,
  isNotFound,
  isTokenRefused,
  klingErrorHandling,
  klingTaskFailure,
} from './kling-errors.js';
import { defaultVoiceName, klingLineOptionsSchema, klingSettingsSchema, klingVoiceOptionsSchema } from './kling-options.js';
import {
  deleteAnswerSchema,
  isDeletedState,
  isFailed,
  isSucceeded,
  readTask,
  taskAnswerSchema,
  taskListAnswerSchema,
  type KlingTask,
} from './kling-responses.js';

/** Kling's documented hosts (VENDORS.md §4.1): Singapore for the world (it replaced api.klingai.com), Beijing for mainland China. */
export const klingBaseUrls = { global: 'https://api-singapore.klingai.com', cn: 'https://api-beijing.klingai.com' } as const;

const displayName = 'Kling';

/**
 * How many `external_task_id`s one voice may use: voxform's id, then `<id>-2`, `<id>-3`… Kling keeps an
 * external_task_id taken after its task failed or its voice was deleted, so a voice whose earlier task
 * failed, or that is created again after a prune, moves on to the next one.
 */
const maxExternalTaskIds = 5;

/** Page size of the voice list: within both documented maxima (500 and 1000, VENDORS.md §4.6). */
const listPageSize = 500;
/** `pageNum` is at most 1000 (§4.6). */
const maxListPages = 1_000;

/** What Kling can do (VENDORS.md §4.4–4.13). */
export const klingCapabilities: ProviderCapabilities = {
  persistentVoices: true,
  // voxform's id becomes the `external_task_id`, unique per account: a create can be retried, and one
  // interrupted before its task id was recorded is found by it.
  clientChosenVoiceIds: true,
  // Kling's TTS takes only its official voices (§4.12): custom voices are for video generation.
  synthesis: false,
  // No text is ever spoken; validation refuses lines before looking at their length.
  maxTextLength: 0,
  sample: {
    // custom-voices takes `voice_url` (Kling fetches it) or a Kling `video_id`; there is no upload.
    sources: ['url'],
    formats: ['mp3', 'wav', 'mp4', 'mov'],
    minDurationMs: 5_000,
    maxDurationMs: 30_000,
  },
  // No expiry is documented (§4.13, UNKNOWN): voices are kept until deleted.
  // The trial audio is the only audio Kling returns for a custom voice.
  outputFormats: ['mp3'],
  // The resource pack's concurrency for voice creation is UNKNOWN (§4.10); 1303 answers are waited out.
  defaultConcurrency: 2,
  apiKeyEnv: klingApiKeyEnv,
};

/** How the adapter waits for clone tasks that are still `submitted` or `processing`. */
export type KlingPollSettings = Pick<PollTaskOptions<unknown>, 'intervalMs' | 'maxIntervalMs' | 'backoffFactor' | 'timeoutMs' | 'sleep' | 'now'>;

/** Knobs of the adapter itself (the second argument of `createKlingProvider`); the defaults are the production ones, tests shorten the waits. */
export interface KlingProviderOptions {
  /** The fetch to call. Default: the global `fetch`, looked up at every call. */
  fetch?: typeof fetch;
  /** Retries of the HTTP client (delays, count, the sleep and clock). Default: the client's (4 retries from 1 s). */
  retry?: RetrySettings;
  /** Polling of clone tasks. Default: `pollTask`'s (every 2 s growing to 30 s, for at most 10 min). */
  poll?: KlingPollSettings;
  /** Clock in ms for the JWT's `exp` / `nbf` and its renewal. Default: `retry.now`, else `Date.now`. */
  now?: () => number;
  /** Wait after a 1303 (all concurrent tasks taken) without `Retry-After`, in ms. Default 10 000. */
  concurrencyRetryDelayMs?: number;
  /** How long a create keeps waiting for a free task slot (1303) before giving up, in ms. Default 1 800 000. */
  concurrencyTimeoutMs?: number;
  /** Receives the HTTP client's events (redacted). */
  onEvent?: (event: HttpEvent) => void;
}

type JsonObject = Record<string, unknown>;

/**
 * The Kling adapter (VENDORS.md §4): custom voices are cloned with `POST /v1/general/custom-voices`
 * (voxform's id as `external_task_id`), polled with `GET /v1/general/custom-voices/{id}` until
 * `succeed`, and deleted with `POST /v1/general/delete-voices`. Kling cannot speak text with them: its
 * voices are for video generation, so validation refuses lines on Kling voices and `doSynthesize` throws.
 * The voice's trial audio (`trial_url`) is returned as its preview.
 *
 * KLING_API_KEY may hold an API key, or access key and secret key joined by a colon, for the legacy
 * JWT (HS256, signed per 30 minutes and renewed 5 minutes before expiry). Both forms, and every token,
 * are redacted from errors and events.
 */
export function createKlingProvider(settings: ProviderSettings = {}, options: KlingProviderOptions = {}): ProviderV1 {
  const baseUrl = settings.baseUrl ?? (settings.region === 'cn' ? klingBaseUrls.cn : klingBaseUrls.global);
  const now = options.now ?? options.retry?.now ?? Date.now;
  const sleep = options.retry?.sleep ?? defaultSleep;
  const concurrencyRetryDelayMs = options.concurrencyRetryDelayMs ?? defaultConcurrencyRetryDelayMs;
  const concurrencyTimeoutMs = options.concurrencyTimeoutMs ?? 1_800_000;
  const auth = createKlingAuth(settings.apiKey, { now });
  const errorHandling = klingErrorHandling({
    usesJwt: auth.usesJwt,
    concurrencyRetryDelayMs,
    onTokenRefused: (headers) => auth.observeVendorClock(headers.get('date')),
  });

  const api = createHttpClient({
    provider: displayName,
    baseUrl,
    // Called per attempt: a retry after a long wait carries a token that is still valid.
    headers: () => auth.headers(),
    secrets: () => auth.secrets(),
    apiKeyEnv: klingApiKeyEnv,
    ...errorHandling,
    ...engineTransport(settings, options.fetch),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(settings.limiter ? { limiter: settings.limiter } : {}),
  });

  /** Sends a request; a JWT refused as expired or not yet valid is signed afresh (from Kling's clock) and the request sent once more. */
  async function send<T>(request: JsonRequest<T>): Promise<HttpResult<T>> {
    try {
      return await api.request(request);
    } catch (error) {
      if (!auth.usesJwt || !isTokenRefused(error)) throw error;
      auth.invalidate();
      return api.request(request);
    }
  }

  /** 1303: the resource pack's task slots are taken; a create waits for one (see retryWhileBusy). */
  const untilSlotFree = <T>(create: () => Promise<T>, signal: AbortSignal) =>
    retryWhileBusy(create, { isBusy: isConcurrencyLimit, retryDelayMs: concurrencyRetryDelayMs, timeoutMs: concurrencyTimeoutMs, signal, sleep, now });

  async function submitCreate(body: JsonObject, signal: AbortSignal): Promise<KlingTask> {
    const { value } = await untilSlotFree(
      // Idempotent: the external_task_id is unique per account, so a second attempt after a lost answer is refused as a duplicate.
      () => send<{ data: unknown }>({ path: '/v1/general/custom-voices', json: body, billable: true, idempotent: true, validate: taskAnswerSchema, signal }),
      signal,
    );
    return readTask(value.data)!;
  }

  async function queryTask(id: string, signal: AbortSignal | undefined, handlers: { checkSuccess?: CheckSuccess; parseError?: ParseError } = {}) {
    const { value, headers } = await send<{ data: unknown }>({
      path: `/v1/general/custom-voices/${encodeURIComponent(id)}`,
      validate: taskAnswerSchema,
      ...handlers,
      ...(signal ? { signal } : {}),
    });
    return { task: readTask(value.data)!, headers };
  }

  /** The task of a task id or external_task_id, or undefined when Kling does not know it. */
  async function findTask(id: string, signal: AbortSignal): Promise<KlingTask | undefined> {
    try {
      return (await queryTask(id, signal)).task;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** `voice` is the voice's name in voices.yaml, for messages. */
  function interpret(task: KlingTask, voice: string): TaskCheck<KlingTask> {
    const status = task.status;
    if (isFailed(status)) return { status, done: true, error: klingTaskFailure({ taskId: task.taskId, status, reason: task.statusMessage, voice }) };
    if (isSpent(task)) {
      const message = `Kling task ${task.taskId} (voice clone of ${voice}) made a voice that has since been deleted: run apply again to create it anew`;
      return { status, done: true, error: new TaskError({ reason: 'failed', provider: displayName, taskId: task.taskId, status, message }) };
    }
    if (!isSucceeded(status)) return { status, done: false };
    if (task.voices.length === 0) {
      const message = `Kling task ${task.taskId} (voice clone of ${voice}) succeeded without a voice in task_result.voices: Kling's API may have changed, please report this`;
      return { status, done: true, error: new TaskError({ reason: 'failed', provider: displayName, taskId: task.taskId, status, message }) };
    }
    return { status, done: true, result: task };
  }

  /** The finished task: at once when the answer in hand is final, else by polling it. Rejects with a TaskError when it failed. */
  async function waitForTask(task: KlingTask, voice: string, context: ProviderCallContext): Promise<KlingTask> {
    const report = statusReporter(context);
    report(task.status);
    if (isSpent(task) || (isSucceeded(task.status) && task.voices.length > 0)) {
      const check = interpret(task, voice);
      if (check.error) throw check.error;
      return check.result!;
    }
    return pollTask({
      provider: displayName,
      taskId: task.taskId,
      ...options.poll,
      signal: context.signal,
      onStatus: report,
      check: async ({ signal }) => {
        const found = await findTask(task.taskId, signal ?? context.signal);
        if (found) return interpret(found, voice);
        // Forgotten while it ran: the next apply finds nothing to resume by this task and creates the voice anew.
        const message = `Kling no longer knows task ${task.taskId} (voice clone of ${voice}): run \`voxform apply\` again to create the voice anew`;
        return { status: 'not found', done: true, error: new TaskError({ reason: 'failed', provider: displayName, taskId: task.taskId, status: 'not found', message }) };
      },
    });
  }

  async function createVoice(request: CreateVoiceRequest, context: ProviderCallContext): Promise<VoiceRecord> {
    const voiceId = request.suggestedVoiceId;
    for (let attempt = 1; ; attempt++) {
      const externalTaskId = attempt === 1 ? voiceId : `${voiceId}-${attempt}`;
      const voiceName = voiceNameOf(request, externalTaskId);
      let task: KlingTask;
      try {
        task = await submitCreate(createBody(request, externalTaskId, voiceName), context.signal);
      } catch (error) {
        if (!isDuplicateError(error) || isDuplicateVoiceName(error)) throw error;
        // The external_task_id embeds the voice's fingerprint and is never used for another voice, so a
        // duplicate is an earlier attempt of this very create (a retry after a lost answer, an interrupted apply).
        const existing = await findTask(externalTaskId, context.signal);
        // Taken by a task that failed, or by a voice since deleted (gone from Kling, or shown deleted): nothing usable, so the next id.
        if ((existing === undefined || isSpent(existing)) && attempt < maxExternalTaskIds) continue;
        if (existing === undefined) throw error;
        task = existing;
      }
      await context.recordTask({ taskId: task.taskId });
      const done = await waitForTask(task, request.name, context);
      return voiceRecord(done, externalTaskId, voiceName);
    }
  }

  /** Whether any page of the account's custom voices holds `voiceId`, for voices recorded without a task. */
  async function listHasVoice(voiceId: string, signal: AbortSignal): Promise<{ found: boolean; date: string | null }> {
    let date: string | null = null;
    for (let pageNum = 1; pageNum <= maxListPages; pageNum++) {
      const { value, headers } = await send<{ data?: unknown[] | null }>({
        path: '/v1/general/custom-voices',
        query: { pageNum, pageSize: listPageSize },
        validate: taskListAnswerSchema,
        signal,
      });
      date ??= headers.get('date');
      const items = value.data ?? [];
      if (items.some((item) => hasVoice(readTask(item), voiceId))) return { found: true, date };
      if (items.length < listPageSize) break;
    }
    return { found: false, date };
  }

  return {
    specificationVersion: 'v1',
    id: 'kling',
    displayName,
    capabilities: klingCapabilities,
    voiceOptionsSchema: klingVoiceOptionsSchema,
    lineOptionsSchema: klingLineOptionsSchema,
    settingsSchema: klingSettingsSchema,

    async doCreateVoice(request, context) {
      auth.requireKey();
      return createVoice(request, context);
    },

    async doResumeVoice(request, task, context) {
      auth.requireKey();
      const voiceId = request.suggestedVoiceId;
      // Kling answers a query by task_id or by external_task_id alike (§4.5).
      let found = task.taskId ? await findTask(task.taskId, context.signal) : undefined;
      const byVoiceId = found === undefined;
      found ??= await findTask(voiceId, context.signal);
      // Never accepted, failed, or deleted since: the engine creates the voice (moving on to the next external_task_id if needed).
      if (!found || isSpent(found)) return undefined;
      if (found.taskId !== task.taskId) await context.recordTask({ taskId: found.taskId });
      const externalTaskId = found.externalTaskId ?? (byVoiceId ? voiceId : undefined);
      const voiceName = found.voices[0]?.voiceName ?? voiceNameOf(request, externalTaskId ?? voiceId);
      try {
        return voiceRecord(await waitForTask(found, request.name, context), externalTaskId, voiceName);
      } catch (error) {
        if (TaskError.isInstance(error) && error.reason === 'failed') return undefined;
        throw error;
      }
    },

    async doCheckVoice(voice, context): Promise<VoiceCheck> {
      auth.requireKey();
      if (!voice.remoteId) return { status: 'missing' };
      const taskId = stringOf(voice.data?.taskId) ?? stringOf(voice.data?.externalTaskId);
      if (taskId === undefined) {
        const { found, date } = await listHasVoice(voice.remoteId, context.signal);
        return withVendorTime({ status: found ? 'exists' : 'missing' }, date);
      }
      // The Date header of a "not found" answer is Kling's clock too.
      let date: string | null = null;
      const keepDate: ParseError = (body, status, headers) => {
        date = headers.get('date');
        return errorHandling.parseError(body, status, headers);
      };
      const keepDateOfEnvelope: CheckSuccess = (body, headers) => {
        date = headers.get('date');
        return errorHandling.checkSuccess(body, headers);
      };
      try {
        const { task, headers } = await queryTask(taskId, context.signal, { parseError: keepDate, checkSuccess: keepDateOfEnvelope });
        return withVendorTime({ status: hasVoice(task, voice.remoteId) ? 'exists' : 'missing' }, headers.get('date'));
      } catch (error) {
        // A deleted voice's task may vanish (the emulator's reading) or show a deleted state (read by hasVoice).
        if (isNotFound(error)) return withVendorTime({ status: 'missing' }, date);
        throw error;
      }
    },

    async doDeleteVoice(voice, context) {
      auth.requireKey();
      if (!voice.remoteId) return;
      let value: { data?: unknown };
      try {
        ({ value } = await send<{ data?: unknown }>({
          path: '/v1/general/delete-voices',
          json: { voice_id: voice.remoteId },
          validate: deleteAnswerSchema,
          signal: context.signal,
        }));
      } catch (error) {
        // Already gone (deleted earlier, or never finished): what was asked for is true.
        if (isNotFound(error)) return;
        throw error;
      }
      const task = readTask(value.data);
      if (task && isFailed(task.status)) {
        const reason = task.statusMessage ? `: ${task.statusMessage}` : '';
        throw new TaskError({
          reason: 'failed',
          provider: displayName,
          taskId: task.taskId,
          status: task.status,
          message: `Kling could not delete voice ${voice.remoteId} (task ${task.taskId} failed${reason}); run apply --prune again, or delete it in the Kling developer console`,
        });
      }
    },

    async doSynthesize(request) {
      throw new UsageError(
        `Kling cannot speak text with a custom voice (its voices are for video generation); voxform validate refuses such lines. Give the lines of voice '${request.voice.name}' a voice on another provider.`,
      );
    },
  };
}

/** The body of `POST /v1/general/custom-voices`; refuses what Kling would refuse before anything is sent. */
function createBody(request: CreateVoiceRequest, externalTaskId: string, voiceName: string): JsonObject {
  if (request.sample.source !== 'url') {
    throw new UsageError(
      `voices.${request.name}.sample: Kling clones from a URL it downloads itself, not from a local file: host the sample at an https URL and put that URL in voices.yaml.`,
    );
  }
  const body: JsonObject = { voice_name: voiceName, voice_url: request.sample.location, external_task_id: externalTaskId };
  const callbackUrl = stringOf(request.options.callbackUrl);
  if (callbackUrl !== undefined) body.callback_url = callbackUrl;
  return body;
}

function voiceNameOf(request: CreateVoiceRequest, externalTaskId: string): string {
  return stringOf(request.options.voiceName) ?? defaultVoiceName(request.name, externalTaskId);
}

/** The lockfile's record of a finished clone task, with the trial audio as the voice's preview. */
function voiceRecord(task: KlingTask, externalTaskId: string | undefined, voiceName: string): VoiceRecord {
  const voice = task.voices.find((candidate) => !candidate.deleted) ?? task.voices[0]!;
  const data: Record<string, JsonValue> = { taskId: task.taskId };
  if (externalTaskId !== undefined) data.externalTaskId = externalTaskId;
  data.voiceName = voice.voiceName ?? voiceName;
  if (voice.trialUrl !== undefined) data.trialUrl = voice.trialUrl;
  if (voice.ownedBy !== undefined) data.ownedBy = voice.ownedBy;
  return {
    remoteId: voice.voiceId,
    data,
    // Kling's storage, not its API: the engine downloads it without the key.
    ...(voice.trialUrl === undefined ? {} : { preview: { audio: { type: 'url', url: voice.trialUrl }, format: /\.wav(?:$|[?#])/i.test(voice.trialUrl) ? 'wav' : 'mp3' } }),
  };
}

/** The task failed, or made a voice that has since been deleted: it will never give a usable voice. */
function isSpent(task: KlingTask): boolean {
  if (isFailed(task.status) || isDeletedState(task.status)) return true;
  return isSucceeded(task.status) && task.voices.length > 0 && task.voices.every((voice) => voice.deleted);
}

function hasVoice(task: KlingTask | undefined, voiceId: string): boolean {
  if (!task || !isSucceeded(task.status)) return false;
  return task.voices.some((voice) => voice.voiceId === voiceId && !voice.deleted);
}

function withVendorTime(check: VoiceCheck, date: string | null): VoiceCheck {
  const vendorTime = headerTime(date);
  return vendorTime ? { ...check, vendorTime } : check;
}

function stringOf(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
