import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import { UsageError } from '../../errors/usage-error.js';
import type { ParseError, VendorErrorDetails } from '../../http/create-http-client.js';
import { parseRetryAfter } from '../../http/parse-retry-after.js';

/** The environment variable that conventionally holds the key. */
export const viduApiKeyEnv = 'VIDU_API_KEY';

/** Wait after a `QuotaExceeded` answer that carries no `Retry-After`: a task slot frees up in seconds, not milliseconds. */
export const defaultQuotaRetryDelayMs = 10_000;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const fieldCodes = new Set(['BadRequest', 'FieldLacking', 'FieldInvalid', 'FieldUnwanted', 'FieldItemCountOutOfRange']);
const policyCodes = new Set(['TaskPromptPolicyViolation', 'AuditSubmitIllegal', 'CreationPolicyViolation']);
const throttleCodes = new Set(['TooManyRequests', 'SystemThrottling']);

const authAdvice = `Vidu expects the header "Authorization: Token <API key>" (the word Token, not Bearer) and a key of platform.vidu.com, or of platform.vidu.cn with region cn, set in ${viduApiKeyEnv}`;
const creditAdvice = 'the Vidu account has run out of credits: top up at platform.vidu.com (or platform.vidu.cn), then run apply again';
const policyAdvice = "Vidu's content moderation refused the text or the sample: change it, sending it again will not help";
const quotaAdvice = "all 5 concurrent Vidu tasks of the organisation are taken (also by anyone else using its keys): wait until they have finished, then run apply again";

/**
 * Reads Vidu's error answers (VENDORS.md §3.4). The body's shape is only known from a third-party
 * fixture (`{code, message, reason, metadata: {trace_id}}`), so the code is taken from `reason`, `code`
 * or `err_code` (a word like `FieldInvalid` is preferred over a numeric HTTP-style code) and the text from
 * `message`, `msg` or `error`.
 */
export function createViduErrorParser(settings: { quotaRetryDelayMs: number }): ParseError {
  return (body, status, headers) => {
    const record = isObject(body) ? body : {};
    const nested = isObject(record.error) ? record.error : {};
    const metadata = isObject(record.metadata) ? record.metadata : {};
    const code = readCode([record.reason, record.code, record.err_code, nested.reason, nested.code]);
    const text = firstText([record.message, record.msg, record.error, nested.message, record.detail]);
    const field = firstText([metadata.fields, metadata.field, record.fields, record.field]);
    const requestId = firstText([metadata.trace_id, record.trace_id, record.request_id]);

    const details: VendorErrorDetails = {
      ...(code === undefined ? {} : { code }),
      ...(requestId === undefined ? {} : { requestId }),
    };
    const say = (...parts: Array<string | undefined>) => {
      const message = parts.filter((part): part is string => part !== undefined && part !== '').join('; ');
      if (message) details.message = message;
    };
    const withField = field !== undefined && !(text ?? '').includes(field) ? `${text ?? 'invalid field'} (field ${field})` : text;

    if (code === 'QuotaExceeded') {
      say(text, quotaAdvice);
      return {
        ...details,
        isRateLimit: true,
        neverAccepted: true,
        isRetryable: true,
        retryAfterMs: parseRetryAfter(headers.get('retry-after')) ?? settings.quotaRetryDelayMs,
      };
    }
    if (typeof code === 'string' && throttleCodes.has(code)) {
      say(text);
      return { ...details, isRateLimit: true, neverAccepted: true, isRetryable: true };
    }
    if (code === 'Unauthorized' || code === 'Forbidden' || status === 401 || status === 403) {
      say(text, authAdvice);
      return { ...details, isRetryable: false, neverAccepted: true };
    }
    if (code === 'CreditInsufficient') {
      say(text, creditAdvice);
      return { ...details, isRetryable: false };
    }
    if (typeof code === 'string' && policyCodes.has(code)) {
      say(text, policyAdvice);
      return { ...details, isRetryable: false };
    }
    if (typeof code === 'string' && fieldCodes.has(code)) {
      say(withField);
      return { ...details, isRetryable: false };
    }
    if (code === 'ModelUnavailable') {
      say(text, 'the model is unavailable at Vidu for now: try again later');
      return { ...details, isRetryable: false };
    }
    if (code === 'OperationInProcess') {
      say(text, 'Vidu is still working on the same resource: try again once it has finished');
      return { ...details, isRetryable: false };
    }
    say(withField);
    return details;
  };
}

/**
 * The parser for audio-tts: a voice Vidu no longer knows (deleted after 168 h unused, or otherwise) gets
 * advice to clone it again. Vidu cannot look a voice up, so `--refresh` finds only an expired one.
 */
export function withVoiceGoneAdvice(parse: ParseError, voiceName: string): ParseError {
  return (body, status, headers) => {
    const details = parse(body, status, headers) ?? {};
    if (status !== 400 || !/voice[^;]*\b(does not exist|not exist|not found|unknown)/i.test(details.message ?? '')) return details;
    return {
      ...details,
      message:
        `${details.message}; voice ${voiceName} no longer exists at Vidu (cloned voices unused for 168 h are deleted): ` +
        `run \`voxform apply --refresh\` to clone it again if it expired, otherwise \`voxform apply --replace voice.${voiceName}\``,
    };
  };
}

/**
 * Vidu refused a `voice_id` that is already taken: 409 `Conflict`, or a 400 whose text says
 * `duplicated` (which of the two is UNKNOWN, VENDORS.md §3.1). audio-clone's only resource is the voice
 * id, so any 409 from it is read as a duplicate.
 */
export function isDuplicateVoiceError(error: unknown): boolean {
  if (!ApiCallError.isInstance(error)) return false;
  if (error.status === 409) return true;
  return error.status === 400 && /duplicat|already (exists|taken)/i.test(error.message);
}

/** The organisation's 5 concurrent tasks are all taken (429 `QuotaExceeded`). */
export function isQuotaExceeded(error: unknown): error is ApiCallError {
  return ApiCallError.isInstance(error) && error.code === 'QuotaExceeded';
}

/** Vidu does not know the task (404 `TaskNotFound`, `CreationNotFound`, `NotFound`). */
export function isTaskNotFound(error: unknown): boolean {
  return ApiCallError.isInstance(error) && error.status === 404;
}

/** A Vidu task that ended `failed` (or cancelled), with what to do about its `err_code`. */
export function viduTaskFailure(options: { taskId: string | undefined; state: string; errorCode: string | undefined; work: string }): TaskError {
  const task = options.taskId === undefined ? 'Vidu task' : `Vidu task ${options.taskId}`;
  const code = options.errorCode ? `, err_code ${options.errorCode}` : '';
  return new TaskError({
    reason: 'failed',
    provider: 'Vidu',
    ...(options.taskId === undefined ? {} : { taskId: options.taskId }),
    status: options.state,
    message: `${task} (${options.work}) failed (state ${options.state}${code}): ${taskFailureAdvice(options.errorCode)}`,
  });
}

function taskFailureAdvice(errorCode: string | undefined): string {
  if (errorCode === 'CreditInsufficient') return creditAdvice;
  if (errorCode !== undefined && policyCodes.has(errorCode)) return policyAdvice;
  if (errorCode === 'UserCancelled' || errorCode === 'Canceled') return 'the task was cancelled at Vidu; run apply again to redo it';
  if (errorCode !== undefined && fieldCodes.has(errorCode)) return 'Vidu refused the request: check the sample URL, the text and the options';
  return 'Vidu gave no further reason; run apply again to retry, and contact Vidu support with the task id if it keeps failing';
}

/** Thrown by a `do*` call of a provider created without an API key. */
export function missingApiKeyError(): UsageError {
  return new UsageError(
    `Vidu needs an API key: set ${viduApiKeyEnv} (export ${viduApiKeyEnv}=…), or name another variable with providers.vidu.apiKey: \${MY_VARIABLE} in voices.yaml.`,
  );
}

function readCode(candidates: unknown[]): string | number | undefined {
  // Prefer a word (`FieldInvalid`) over a number: some answers may put the HTTP status in `code` and the word in `reason`.
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim() !== '' && !/^\d+$/.test(candidate.trim())) return candidate.trim();
  }
  for (const candidate of candidates) {
    if (typeof candidate === 'number') return candidate;
    if (typeof candidate === 'string' && /^\d+$/.test(candidate.trim())) return candidate.trim();
  }
  return undefined;
}

function firstText(candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim().slice(0, 300);
    if (Array.isArray(candidate) && candidate.length > 0 && candidate.every((item) => typeof item === 'string')) return candidate.join(', ').slice(0, 300);
  }
  return undefined;
}
