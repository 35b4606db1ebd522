import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { engineTransport } from '../../http/engine-transport.js';
import {
  createHttpClient,
  pollTask,
  sleep as defaultSleep,
  type FormFieldValue,
  type HttpEvent,
  type PollTaskOptions,
  type RetrySettings,
  type TaskCheck,
} from '../../http/index.js';
import { statusReporter } from '../../http/vendor-answers.js';
import { extensionOf, sampleFilePart } from '../../http/sample-file-part.js';
import type {
  CreateVoiceRequest,
  JsonSchema,
  JsonValue,
  ProviderCallContext,
  ProviderCapabilities,
  ProviderSettings,
  ProviderV1,
  SampleInput,
  SynthesizeRequest,
  SynthesizeResult,
  TaskRecord,
  VoiceRecord,
} from '../provider-v1.js';
import {
  aiVoiceCloneFreeApiKeyEnv,
  aiVoiceCloneFreeCheckSuccess,
  aiVoiceCloneFreeTaskFailure,
  createAiVoiceCloneFreeErrorParser,
  hasStatus,
  missingApiKeyError,
  taskFailureReason,
} from './aivoiceclonefree-errors.js';
import {
  aiVoiceCloneFreeDefaultModel,
  aiVoiceCloneFreeLineOptionsSchema,
  aiVoiceCloneFreeModels,
  aiVoiceCloneFreeVoiceOptionsSchema,
  type AiVoiceCloneFreeLineOptions,
  type AiVoiceCloneFreeModel,
} from './aivoiceclonefree-options.js';

/** The host of the legacy "instant" API (VENDORS.md §1.1). */
export const aiVoiceCloneFreeBaseUrl = 'https://aivoiceclonefree.com';

const displayName = 'AI Voice Clone Free';
const megabytes = 1024 * 1024;
const sampleFormats = ['wav', 'mp3', 'm4a'];

/** What AI Voice Clone Free's legacy API can do (VENDORS.md §1.1, §1.4). */
export const aiVoiceCloneFreeCapabilities: ProviderCapabilities = {
  // No voice is kept: the sample travels with every line's create-task call.
  persistentVoices: false,
  clientChosenVoiceIds: false,
  synthesis: true,
  // The async limit is UNKNOWN (§1.4): the emulator refuses 10 000 characters and more.
  maxTextLength: 9_999,
  sample: {
    sources: ['file', 'url'],
    formats: sampleFormats,
    // UNKNOWN for the current endpoints (§1.4): the emulator's choice — the old sync page's 5 s minimum,
    // and the 5 min / 20 MB ceiling the other vendors share (§6).
    minDurationMs: 5_000,
    maxDurationMs: 300_000,
    maxBytes: 20 * megabytes,
  },
  outputFormats: ['mp3'],
  // Rate and concurrency limits are UNKNOWN (§1.4): two lines at a time is a conservative guess.
  defaultConcurrency: 2,
  apiKeyEnv: aiVoiceCloneFreeApiKeyEnv,
};

/** How the adapter waits for tasks that are `pending` or `processing`. */
export type AiVoiceCloneFreePollSettings = Pick<PollTaskOptions<unknown>, 'intervalMs' | 'maxIntervalMs' | 'backoffFactor' | 'timeoutMs' | 'sleep' | 'now'>;

/** Knobs of the adapter itself (the second argument of the factory); the defaults are the production ones, tests shorten the waits. */
export interface AiVoiceCloneFreeProviderOptions {
  /** The fetch to call. Default: the global `fetch`, looked up at every call. */
  fetch?: typeof fetch;
  /** Retries of the HTTP client (delays, count, the sleep and clock). Default: the client's (4 retries from 1 s). */
  retry?: RetrySettings;
  /**
   * Polling of task-status. Default: after 3 s, then 1.5 times longer each time up to every 30 s (the
   * vendor suggests 30 s), for at most 10 min (after which the vendor says to contact its support).
   */
  poll?: AiVoiceCloneFreePollSettings;
  /**
   * How many more times task-result is asked when it answers 404 ("not completed") for a task that
   * task-status already called completed, waiting the poll interval, doubled each time. Default 4.
   */
  resultRetries?: number;
  /** Receives the HTTP clients' events (redacted). */
  onEvent?: (event: HttpEvent) => void;
}

type JsonObject = { [key: string]: unknown };

/** create-task: `{"task_id": "<uuid>", "status": "pending"}` (§1.1); a numeric id is tolerated. */
const createTaskSchema: JsonSchema = {
  type: 'object',
  required: ['task_id'],
  properties: { task_id: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] } },
};

/** task-status: `{task_id, status, created_at, updated_at}` (§1.1). */
const taskStatusSchema: JsonSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', minLength: 1 } },
};

const audioUrlSchema = { type: 'string', pattern: '^https?://' };

/** task-result: `{"audio_url": "https://pub-….r2.dev/….mp3"}` (§1.1); v2's flattened `audioUrl` and a plain `url` are tolerated. */
const taskResultSchema: JsonSchema = {
  type: 'object',
  anyOf: [
    { required: ['audio_url'], properties: { audio_url: audioUrlSchema } },
    { required: ['audioUrl'], properties: { audioUrl: audioUrlSchema } },
    { required: ['url'], properties: { url: audioUrlSchema } },
  ],
};

const completedStatuses = new Set(['completed', 'complete', 'success', 'succeeded', 'done']);
// Anything else (`pending`, `processing`, or a status VENDORS.md does not list) is still running.
const failedStatuses = new Set(['failed', 'failure', 'error', 'cancelled', 'canceled', 'expired']);

/**
 * The AI Voice Clone Free adapter, legacy "instant" API (VENDORS.md §1.1): nothing is cloned ahead of
 * time; every line is one `POST /api/instant/create-task` carrying the sample (uploaded as multipart, or
 * as `audio_url` in JSON), the text and the API key, then `GET /api/instant/task-status` until it is
 * completed, `GET /api/instant/task-result` for the audio URL, and a plain download of that URL. The key
 * travels in the body and in the query string, never in a header: it is redacted from every url, body,
 * message and event.
 *
 * The v2 "MixVoice" API (§1.2) is not offered: it returns WAV where this provider's output is MP3, and
 * takes URL samples only, and neither can depend on a voice option in the contract's capabilities.
 */
export function createAiVoiceCloneFreeProvider(settings: ProviderSettings = {}, providerOptions: AiVoiceCloneFreeProviderOptions = {}): ProviderV1 {
  const apiKey = settings.apiKey;
  const baseUrl = settings.baseUrl ?? aiVoiceCloneFreeBaseUrl;
  const poll = { intervalMs: 3_000, maxIntervalMs: 30_000, backoffFactor: 1.5, timeoutMs: 600_000, ...providerOptions.poll };
  const resultRetries = providerOptions.resultRetries ?? 4;
  const sleep = poll.sleep ?? defaultSleep;

  const shared = {
    provider: displayName,
    // The key is in bodies and query strings: every url, body, message and event is scrubbed of it.
    secrets: [apiKey],
    ...engineTransport(settings, providerOptions.fetch),
    ...(providerOptions.retry ? { retry: providerOptions.retry } : {}),
    ...(providerOptions.onEvent ? { onEvent: providerOptions.onEvent } : {}),
  };
  const api = createHttpClient({
    ...shared,
    baseUrl,
    apiKeyEnv: aiVoiceCloneFreeApiKeyEnv,
    checkSuccess: aiVoiceCloneFreeCheckSuccess,
    ...(settings.limiter ? { limiter: settings.limiter } : {}),
  });
  // The audio URL is a public object-storage link on another host: it gets nothing secret, its answers
  // do not feed the API's rate limiter, and a 403 from it is no matter of the API key.
  const downloads = createHttpClient(shared);

  function requireApiKey(): string {
    if (!apiKey) throw missingApiKeyError();
    return apiKey;
  }

  async function createTask(request: SynthesizeRequest, key: string, signal: AbortSignal): Promise<{ taskId: string; status?: string }> {
    const fields = taskFields(request);
    const sample = request.voice.sample;
    const body =
      sample.source === 'file'
        ? { form: { audio: await sampleFile(sample, request.voice.name), ...formFields(fields), api_key: key } }
        : // JSON takes `audio_url` only (§1.1), and the options as real numbers and objects.
          { json: { audio_url: sample.location, ...fields, api_key: key } };
    const { value } = await api.request({
      path: '/api/instant/create-task',
      ...body,
      billable: true,
      validate: createTaskSchema,
      parseError: createAiVoiceCloneFreeErrorParser({ operation: 'create-task' }),
      signal,
    });
    const answer = value as JsonObject;
    const status = typeof answer.status === 'string' && answer.status !== '' ? answer.status : undefined;
    return { taskId: String(answer.task_id), ...(status ? { status } : {}) };
  }

  async function queryStatus(taskId: string, signal: AbortSignal | undefined): Promise<TaskCheck<void>> {
    const { value } = await api.request({
      path: '/api/instant/task-status',
      query: { task_id: taskId, api_key: requireApiKey() },
      validate: taskStatusSchema,
      parseError: createAiVoiceCloneFreeErrorParser({ operation: 'task-status', taskId }),
      ...(signal ? { signal } : {}),
    });
    const answer = value as JsonObject;
    const status = String(answer.status).toLowerCase();
    if (completedStatuses.has(status)) return { status, done: true };
    if (failedStatuses.has(status)) return { status, done: true, error: aiVoiceCloneFreeTaskFailure({ taskId, status, reason: taskFailureReason(answer) }) };
    return { status, done: false };
  }

  /**
   * The audio URL of a completed task. task-result answers 404 both for an unknown task and for one
   * that is not completed (§1.1): right after task-status said completed it is asked again a few times.
   */
  async function fetchResult(taskId: string, signal: AbortSignal): Promise<string> {
    let delayMs = poll.intervalMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const { value } = await api.request({
          path: '/api/instant/task-result',
          query: { task_id: taskId, api_key: requireApiKey() },
          validate: taskResultSchema,
          parseError: createAiVoiceCloneFreeErrorParser({ operation: 'task-result', taskId }),
          signal,
        });
        const answer = value as JsonObject;
        return [answer.audio_url, answer.audioUrl, answer.url].find((url): url is string => typeof url === 'string' && /^https?:\/\//i.test(url))!;
      } catch (error) {
        if (!hasStatus(error, 404) || attempt >= resultRetries) throw error;
      }
      await sleep(delayMs, signal);
      delayMs = Math.min(delayMs * 2, poll.maxIntervalMs);
    }
  }

  /** Polls the task until it is completed, then fetches its audio URL. */
  async function finishTask(taskId: string, context: ProviderCallContext, report: (status: string) => void): Promise<string> {
    await pollTask<void>({
      provider: displayName,
      taskId,
      ...poll,
      signal: context.signal,
      onStatus: report,
      check: ({ signal }) => queryStatus(taskId, signal),
    });
    return fetchResult(taskId, context.signal);
  }

  async function download(audioUrl: string, request: SynthesizeRequest, signal: AbortSignal): Promise<SynthesizeResult> {
    const { value: stream } = await downloads.request({ path: audioUrl, responseType: 'stream', signal });
    return { audio: { type: 'stream', stream }, format: 'mp3', billedCharacters: [...request.text].length };
  }

  return {
    specificationVersion: 'v1',
    id: 'aivoiceclonefree',
    displayName,
    capabilities: aiVoiceCloneFreeCapabilities,
    voiceOptionsSchema: aiVoiceCloneFreeVoiceOptionsSchema,
    lineOptionsSchema: aiVoiceCloneFreeLineOptionsSchema,

    // Nothing is created at the vendor (and nothing billed): the voice is checked, so that a sample or
    // options the vendor would refuse fail here rather than on every line.
    async doCreateVoice(request: CreateVoiceRequest): Promise<VoiceRecord> {
      checkSample(request.sample, request.name);
      voiceModel(request.options, request.name);
      return {};
    },

    async doSynthesize(request: SynthesizeRequest, context: ProviderCallContext): Promise<SynthesizeResult> {
      const key = requireApiKey();
      if (request.format !== 'mp3') {
        throw new UsageError(`AI Voice Clone Free returns MP3 only, but ${request.format} was asked for: set output.format to mp3, or leave it out.`);
      }
      const { taskId, status } = await createTask(request, key, context.signal);
      await context.recordTask({ taskId });
      const report = statusReporter(context);
      if (status) report(status.toLowerCase());
      const audioUrl = await finishTask(taskId, context, report);
      return download(audioUrl, request, context.signal);
    },

    async doResumeSynthesis(request: SynthesizeRequest, task: TaskRecord, context: ProviderCallContext): Promise<SynthesizeResult | undefined> {
      requireApiKey();
      if (!task.taskId) return undefined;
      let audioUrl: string;
      try {
        audioUrl = await finishTask(task.taskId, context, statusReporter(context));
      } catch (error) {
        // Failed or expired, unknown to the vendor (404), or its result has expired (410): nothing to
        // fetch, so the engine renders the line again.
        if ((TaskError.isInstance(error) && error.reason === 'failed') || hasStatus(error, 404, 410)) return undefined;
        throw error;
      }
      try {
        return await download(audioUrl, request, context.signal);
      } catch (error) {
        // The storage link has lapsed: the audio is gone.
        if (hasStatus(error, 403, 404, 410)) return undefined;
        throw error;
      }
    },
  };
}

/** The fields of create-task besides the sample and the key, as JSON values (§1.1). Options left out are not sent. */
function taskFields(request: SynthesizeRequest): Record<string, JsonValue> {
  const model = voiceModel(request.voice.options, request.voice.name);
  const options = request.options as AiVoiceCloneFreeLineOptions;
  const fields: Record<string, JsonValue> = { text: request.text, model };
  for (const name of ['speed_ratio', 'pitch_ratio', 'volume_ratio'] as const) {
    const value = options[name];
    if (typeof value === 'number') fields[name] = value;
  }
  const emotionControl = request.voice.options.emotion_control;
  if (emotionControl !== undefined && emotionControl !== null) fields.emotion_control = emotionControl;
  return fields;
}

/** The same fields as multipart text; `emotion_control` becomes a JSON string. */
function formFields(fields: Record<string, JsonValue>): Record<string, FormFieldValue> {
  const form: Record<string, FormFieldValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    form[name] = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  }
  return form;
}

/** The voice's model, refusing what the vendor would refuse (the schema checks it too; this guards direct callers). */
function voiceModel(options: Record<string, JsonValue>, voiceName: string): AiVoiceCloneFreeModel {
  const model = options.model ?? aiVoiceCloneFreeDefaultModel;
  if (!aiVoiceCloneFreeModels.includes(model as AiVoiceCloneFreeModel)) {
    throw new UsageError(`voices.${voiceName}.options.model: expected one of ${aiVoiceCloneFreeModels.join(', ')}, got ${JSON.stringify(model)}.`);
  }
  if (options.emotion_control !== undefined && options.emotion_control !== null && model !== 'v2') {
    throw new UsageError(
      `voices.${voiceName}.options.emotion_control: AI Voice Clone Free offers emotion_control only with model v2, but the voice uses ${String(model)}: remove emotion_control or set model: v2.`,
    );
  }
  return model as AiVoiceCloneFreeModel;
}

function checkSample(sample: SampleInput, voiceName: string): void {
  if (sample.source === 'url' && !/^https?:\/\//i.test(sample.location)) {
    throw new UsageError(`voices.${voiceName}.sample: AI Voice Clone Free downloads a URL sample itself, so it must be an http(s) URL, got ${JSON.stringify(sample.location)}.`);
  }
  const format = sample.format ?? extensionOf(sample.location);
  if (format !== undefined && !sampleFormats.includes(format)) {
    throw new UsageError(`voices.${voiceName}.sample: AI Voice Clone Free takes WAV, MP3 or M4A samples, got ${format}: convert the sample to one of them.`);
  }
}

/** The sample as the multipart `audio` part: its own file name with the format's extension, and the matching content type. */
async function sampleFile(sample: SampleInput, voiceName: string): Promise<FormFieldValue> {
  checkSample(sample, voiceName);
  return sampleFilePart(sample, await sample.read());
}

