import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import type { CheckSuccess, ParseError, VendorErrorDetails } from '../../http/create-http-client.js';

/** The environment variable that conventionally holds the key. */
export const aiVoiceCloneFreeApiKeyEnv = 'AIVOICECLONEFREE_API_KEY';

const displayName = 'AI Voice Clone Free';

/** Which call failed, and about which task: the messages say what to do about that call. */
export interface AiVoiceCloneFreeErrorContext {
  operation: 'create-task' | 'task-status' | 'task-result';
  taskId?: string;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const authCodes = new Set(['missing_api_key', 'invalid_api_key', 'unauthorized', 'auth_error']);
const creditCodes = new Set(['insufficient_credits', 'insufficient_balance', 'insufficient_quota', 'payment_required']);

const authAdvice = `AI Voice Clone Free refused the API key: check ${aiVoiceCloneFreeApiKeyEnv} (the legacy API takes the key of the aivoiceclonefree.com console, sent as api_key)`;
const creditAdvice = 'the AI Voice Clone Free account has too few credits: top it up, then run apply again';
const expiredAdvice = 'AI Voice Clone Free keeps a result 24–48 h and this one has expired: run apply again to render the line anew';

/**
 * Reads AI Voice Clone Free's error answers (VENDORS.md §1.3). The legacy body is UNKNOWN (the
 * emulator answers `{"error": "<message>"}`); v2 documents `{"error": {code, type, message}}`, which
 * the emulator also uses for injected faults on either API. Both are read, as are `message`, `msg`,
 * `detail` and a short plain-text body. Rate limits (429) and server errors (5xx) keep the client's
 * defaults: retried, except on the billable create-task.
 */
export function createAiVoiceCloneFreeErrorParser(context: AiVoiceCloneFreeErrorContext): ParseError {
  return (body, status) => {
    const record = isObject(body) ? body : {};
    const nested = isObject(record.error) ? record.error : {};
    const code = readCode([nested.code, record.code, record.error_code, nested.type]);
    const text = firstText([nested.message, record.error, record.message, record.msg, record.detail, record.error_message]) ?? plainText(body);
    const requestId = firstText([nested.request_id, record.request_id, record.trace_id]);
    const details: VendorErrorDetails = {
      ...(code === undefined ? {} : { code }),
      ...(requestId === undefined ? {} : { requestId }),
    };
    const say = (...parts: Array<string | undefined>) => {
      const message = parts.filter((part): part is string => part !== undefined && part !== '').join('; ');
      if (message) details.message = message;
    };
    const word = typeof code === 'string' ? code.toLowerCase() : undefined;
    const task = context.taskId === undefined ? 'the task' : `task ${context.taskId}`;

    if (status === 401 || status === 403 || (word !== undefined && authCodes.has(word))) {
      say(text, authAdvice);
      return { ...details, isRetryable: false, neverAccepted: true };
    }
    if (status === 402 || (word !== undefined && creditCodes.has(word))) {
      say(text, creditAdvice);
      return { ...details, isRetryable: false, neverAccepted: true };
    }
    if (status === 400 || status === 422) {
      say(
        text ?? `${displayName} refused the request`,
        context.operation === 'create-task'
          ? 'check the sample (WAV, MP3 or M4A, reachable when it is a URL), the text and the voice and line options'
          : 'voxform sent an incomplete query: please report this',
      );
      return { ...details, isRetryable: false, neverAccepted: true };
    }
    if (status === 404) {
      if (context.operation === 'task-status') {
        say(text, `${displayName} does not know ${task} (it is too old, or was made with another API key)`);
      } else if (context.operation === 'task-result') {
        say(text, `${displayName} has no result for ${task} (not finished yet, or the task is unknown)`);
      } else {
        say(text, `no create-task endpoint answered: check providers.aivoiceclonefree.baseUrl`);
      }
      return { ...details, isRetryable: false };
    }
    if (status === 410) {
      say(text, `the audio of ${task} is gone: ${expiredAdvice}`);
      return { ...details, isRetryable: false };
    }
    say(text);
    return details;
  };
}

/**
 * An error reported with HTTP 200 (UNKNOWN whether the legacy API does this): a body with an `error`
 * (or `success: false`) and none of the fields of a real answer.
 */
export const aiVoiceCloneFreeCheckSuccess: CheckSuccess = (body) => {
  if (!isObject(body)) return undefined;
  if ('task_id' in body || 'audio_url' in body || 'audioUrl' in body || 'status' in body) return undefined;
  const nested = isObject(body.error) ? body.error : {};
  const text = firstText([nested.message, body.error, body.message, body.msg]);
  if (body.success !== false && text === undefined && !isObject(body.error)) return undefined;
  const code = readCode([nested.code, body.code]);
  return { ...(code === undefined ? {} : { code }), message: text ?? 'the answer reports a failure without a reason', isRetryable: false };
};

/** The vendor answered with HTTP `status` (an {@link ApiCallError}). */
export function hasStatus(error: unknown, ...statuses: number[]): error is ApiCallError {
  return ApiCallError.isInstance(error) && error.status !== undefined && statuses.includes(error.status);
}

/** A task that ended `failed` (or `expired`, `cancelled`), with the vendor's reason when it gave one. */
export function aiVoiceCloneFreeTaskFailure(options: { taskId: string; status: string; reason: string | undefined }): TaskError {
  const advice =
    options.status === 'expired'
      ? expiredAdvice
      : 'run apply again to retry the line, and contact AI Voice Clone Free support with the task id if it keeps failing';
  const reason = options.reason ? `"${options.reason}"` : 'no reason given';
  return new TaskError({
    reason: 'failed',
    provider: displayName,
    taskId: options.taskId,
    status: options.status,
    message: `${displayName} task ${options.taskId} ended ${options.status} (${reason}): ${advice}`,
  });
}

/** The failure reason of a task-status answer: UNKNOWN in VENDORS.md §1.1 (the emulator sends `error`). */
export function taskFailureReason(body: JsonObject): string | undefined {
  const nested = isObject(body.error) ? body.error : {};
  return firstText([nested.message, body.error, body.message, body.reason, body.error_message, body.msg]);
}

/** Thrown by a `do*` call that needs the key when the provider was created without one. */
export function missingApiKeyError(): UsageError {
  return new UsageError(
    `AI Voice Clone Free needs an API key: set ${aiVoiceCloneFreeApiKeyEnv} (export ${aiVoiceCloneFreeApiKeyEnv}=…), or name another variable with providers.aivoiceclonefree.apiKey: \${MY_VARIABLE} in voices.yaml.`,
  );
}

function readCode(candidates: unknown[]): string | number | undefined {
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
    if (typeof candidate === 'number' && Number.isFinite(candidate)) return candidate;
  }
  return undefined;
}

function firstText(candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim().slice(0, 300);
  }
  return undefined;
}

/** A short plain-text body (`Not Found`) is the vendor's message; an HTML page is not. */
function plainText(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  const text = body.trim();
  return text !== '' && !text.startsWith('<') && text.length <= 300 ? text : undefined;
}
