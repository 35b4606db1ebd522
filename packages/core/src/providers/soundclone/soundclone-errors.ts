import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import type { CheckSuccess, ParseError, VendorErrorDetails } from '../../http/create-http-client.js';

/** The environment variable that conventionally holds the key. */
export const soundCloneApiKeyEnv = 'SOUNDCLONE_API_KEY';

/** `code` of a reseller envelope that carries a success (VENDORS.md §2, S13). */
export const envelopeSuccessCode = 20000;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the messages may name: the call that failed and the ids involved. */
export interface SoundCloneErrorContext {
  /** `clone`: clones; `synthesis`: audios; `query`: result/{id}. */
  operation: 'clone' | 'synthesis' | 'query';
  /** The modelId a synthesis uses. */
  modelId?: string;
  /** The voice's name in voices.yaml. */
  voiceName?: string;
  /** The task a query is about. */
  taskId?: string;
}

const authAdvice = `SoundClone expects the header "Authorization: Bearer <API key>" with a key of the SoundClone (mingyan) console, set in ${soundCloneApiKeyEnv}`;

/**
 * A reseller envelope `{code, msg, data}` (VENDORS.md §2, S13): its code as a number, or undefined when
 * `body` is not one. A bare task object or Spring error body has no `code` next to `msg` or `data`.
 */
export function envelopeCode(body: unknown): number | undefined {
  if (!isObject(body) || !('code' in body) || !('data' in body || 'msg' in body)) return undefined;
  const code = typeof body.code === 'string' && /^-?\d+$/.test(body.code.trim()) ? Number(body.code) : body.code;
  return typeof code === 'number' && Number.isFinite(code) ? code : undefined;
}

/** The task object inside a success envelope, or `body` itself when it is not wrapped. */
export function unwrapEnvelope(body: unknown): unknown {
  return envelopeCode(body) === envelopeSuccessCode && isObject(body) ? body.data : body;
}

/**
 * The vendor's explanation in any of the shapes seen or guessed (VENDORS.md §2.5: the direct base's error
 * body is UNKNOWN): Spring Boot's `{timestamp, status, error, message, path}` (the reason phrase in
 * `error`, the explanation in `message`), the reseller's `{code, msg}`, or `error` as a string or
 * `{message}`.
 */
export function soundCloneErrorText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() !== '' && !/^\s*</.test(body) ? body.trim().slice(0, 300) : undefined;
  if (!isObject(body)) return undefined;
  const nested = isObject(body.error) ? body.error : {};
  for (const candidate of [body.message, body.msg, nested.message, nested.msg, body.error, body.detail]) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim().slice(0, 300);
  }
  return undefined;
}

/** SoundClone does not know, or no longer accepts, a modelId: unknown, or unused for 3 days (§2.4). */
const expiredModelText = /model\s*_?id.*(expired|not\s*(be\s*)?found|not\s*exist|does\s*not\s*exist|unknown|invalid)|expired/i;
/** SoundClone does not know a task (an envelope error has no 404 to say so). */
const notFoundText = /not\s*(be\s*)?found|not\s*exist|no\s*such/i;
const authText = /unauthori[sz]ed|forbidden|invalid\s*(api\s*)?(key|token)|api\s*key|authori[sz]ation/i;

/** The message for a modelId SoundClone refuses: an unused one lives 3 days (§2.4). */
export function expiredVoiceMessage(context: { modelId?: string; voiceName?: string }): string {
  const voice = ['the SoundClone voice', context.modelId, context.voiceName ? `(voice ${context.voiceName})` : undefined].filter(Boolean).join(' ');
  const replace = context.voiceName ? `voxform apply --replace voice.${context.voiceName}` : 'voxform apply --replace voice.<name>';
  return (
    `${voice} has expired or is unknown to SoundClone (a modelId is deleted when no line used it within 3 days of its creation): ` +
    `run \`voxform apply --refresh\` to clone it again (or \`${replace}\` if that still keeps it)`
  );
}

/**
 * What an error (an HTTP error answer, or an error envelope in a 200 answer) means and what the user can
 * do about it. `isRetryable` is left to the HTTP client's defaults (network, 408, 425, 429, 5xx; never for
 * the billable creates) unless the answer proves something.
 */
export function describeSoundCloneError(body: unknown, status: number | undefined, context: SoundCloneErrorContext): VendorErrorDetails {
  const code = envelopeCode(body);
  const text = soundCloneErrorText(body);
  const details: VendorErrorDetails = { ...(code === undefined ? {} : { code }) };
  const say = (...parts: Array<string | undefined>) => {
    const message = parts.filter((part): part is string => part !== undefined && part !== '').join('; ');
    if (message) details.message = message;
    return details;
  };
  const quoted = text ? `"${text}"` : undefined;
  // An envelope refusal comes with HTTP 200; its code may mirror an HTTP status (401, 429…), or not.
  const effective = status !== undefined && status >= 300 ? status : code !== undefined && code >= 400 && code < 600 ? code : undefined;
  const isEnvelopeError = effective === undefined;

  if (effective === 401 || effective === 403 || (isEnvelopeError && text !== undefined && authText.test(text))) {
    return { ...say(quoted, authAdvice), isRetryable: false, neverAccepted: true };
  }
  if (effective === 429) {
    return { ...say(quoted, 'SoundClone is rate-limiting (its limits are not documented)'), isRateLimit: true, isRetryable: true, neverAccepted: true };
  }
  if (context.operation === 'synthesis' && text !== undefined && expiredModelText.test(text) && (isEnvelopeError || effective === 400 || effective === 404 || effective === 410)) {
    return { ...say(quoted, expiredVoiceMessage(context)), isRetryable: false, neverAccepted: true };
  }
  if (context.operation === 'query' && (effective === 404 || (isEnvelopeError && text !== undefined && notFoundText.test(text)))) {
    return {
      ...say(quoted, `SoundClone does not know the task${context.taskId ? ` ${context.taskId}` : ''} (an unknown id, or a task it no longer keeps)`),
      isRetryable: false,
    };
  }
  if (effective === 400 || effective === 422) {
    const advice =
      context.operation === 'clone'
        ? "SoundClone refused the clone: check the sample URL (reachable by SoundClone, no Chinese characters, 15–60 s of speech in mp3, ogg, wav, m4a or aac) and the voice's options"
        : context.operation === 'synthesis'
          ? "SoundClone refused the line: check its text (fewer than 10 000 characters, well-formed <#x#> pauses) and the line's options"
          : undefined;
    return { ...say(quoted, advice), isRetryable: false, neverAccepted: true };
  }
  return say(quoted);
}

/** The HTTP client's hooks for SoundClone: errors in other answers (`parseError`) and envelope errors in 200 answers (`checkSuccess`). */
export function soundCloneErrorHandling(context: SoundCloneErrorContext): { parseError: ParseError; checkSuccess: CheckSuccess } {
  return {
    parseError: (body, status) => describeSoundCloneError(body, status, context),
    checkSuccess: (body) => {
      const code = envelopeCode(body);
      if (code === undefined || code === envelopeSuccessCode) return undefined;
      return describeSoundCloneError(body, undefined, context);
    },
  };
}

/** SoundClone does not know the task: 404, or an envelope refusal saying so. */
export function isTaskNotFound(error: unknown): boolean {
  if (!ApiCallError.isInstance(error) || error.status === undefined) return false;
  if (error.status === 404) return true;
  return error.status < 300 && error.code !== undefined && notFoundText.test(error.message);
}

/** A SoundClone task that ended `failed`, with the task's own `error` string and what to do about it. */
export function soundCloneTaskFailure(options: {
  taskId: string;
  status: string;
  error: string | undefined;
  work: 'voice clone' | 'speech';
  modelId?: string;
  voiceName?: string;
}): TaskError {
  const reason = options.error ? `"${options.error}"` : 'SoundClone gave no reason';
  const advice =
    options.work === 'speech' && options.error !== undefined && expiredModelText.test(options.error)
      ? expiredVoiceMessage(options)
      : options.work === 'voice clone'
        ? 'check that SoundClone can download the sample URL and that it holds 15–60 s of speech in mp3, ogg, wav, m4a or aac; failed tasks are refunded'
        : 'run apply again to retry the line; failed tasks are refunded';
  return new TaskError({
    reason: 'failed',
    provider: 'SoundClone',
    taskId: options.taskId,
    status: options.status,
    message: `SoundClone task ${options.taskId} (${options.work}) failed (status ${options.status}): ${reason}; ${advice}`,
  });
}

/** Thrown by a `do*` call of a provider created without an API key. */
export function missingApiKeyError(): UsageError {
  return new UsageError(
    `SoundClone needs an API key: set ${soundCloneApiKeyEnv} (export ${soundCloneApiKeyEnv}=…), or name another variable with providers.soundclone.apiKey: \${MY_VARIABLE} in voices.yaml.`,
  );
}
