import { ApiCallError } from '../../errors/api-call-error.js';
import { TaskError } from '../../errors/task-error.js';
import type { CheckSuccess, ParseError, VendorErrorDetails } from '../../http/create-http-client.js';
import { parseRetryAfter } from '../../http/parse-retry-after.js';
import { klingApiKeyEnv } from './kling-auth.js';

/** Wait after a 1303 (all concurrent tasks taken) that carries no `Retry-After`: a clone takes about 10 s. */
export const defaultConcurrencyRetryDelayMs = 10_000;

/** How the error messages are worded, and who learns from an answer that refused the token. */
export interface KlingErrorSettings {
  /** The key is an access key / secret key pair (the requests carry a JWT). */
  usesJwt: boolean;
  /** Wait after a 1303 without `Retry-After`, in ms. */
  concurrencyRetryDelayMs: number;
  /** Sees the headers of an answer that refused the token as not yet valid or expired (1003, 1004): Kling's clock. */
  onTokenRefused?: (headers: Headers) => void;
}

/** Kling's envelope `{code, message, request_id, data}` (VENDORS.md §4.3), or undefined when the body has no numeric `code`. */
export function readEnvelope(body: unknown): { code: number; message: string | undefined; requestId: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const code = typeof record.code === 'number' ? record.code : typeof record.code === 'string' && /^\d+$/.test(record.code.trim()) ? Number(record.code) : Number.NaN;
  if (!Number.isFinite(code)) return undefined;
  return { code, message: textOf(record.message), requestId: textOf(record.request_id) };
}

const keyForms = `${klingApiKeyEnv} may hold a Kling API key (sent as "Authorization: Bearer <API key>"), or the access key and the secret key joined by a colon (<access key>:<secret key>) for the legacy JWT`;

/**
 * What a Kling error code means and what the user can do about it (VENDORS.md §4.9). Retrying is
 * decided here for every documented code; unknown codes keep the HTTP client's defaults.
 */
export function describeKlingError(code: number | undefined, vendorMessage: string | undefined, status: number, headers: Headers, settings: KlingErrorSettings): VendorErrorDetails {
  const said = vendorMessage ? `"${vendorMessage}"` : 'no explanation';
  const details = (advice: string, facts: Omit<VendorErrorDetails, 'code' | 'message'>): VendorErrorDetails => ({
    ...(code === undefined ? {} : { code }),
    message: `${said}; ${advice}`,
    ...facts,
  });
  const refused = { isRetryable: false, neverAccepted: true, isRateLimit: false } as const;
  const credentials = settings.usesJwt
    ? `Kling refused the JWT signed with the access key and secret key of ${klingApiKeyEnv}: check both halves of <access key>:<secret key> (the newer Kling endpoints take only an API key, which ${klingApiKeyEnv} may hold instead)`
    : `Kling refused the API key: check ${klingApiKeyEnv}; ${keyForms}`;

  switch (code) {
    case 1000:
    case 1001:
    case 1002:
      return details(credentials, refused);
    case 1003:
    case 1004: {
      settings.onTokenRefused?.(headers);
      const when = code === 1003 ? 'is not valid yet (nbf): this computer\'s clock is ahead of Kling\'s' : 'has expired: this computer\'s clock may be behind Kling\'s';
      return details(
        settings.usesJwt
          ? `the JWT ${when}. voxform signs a new token from Kling's clock once; if this persists, turn on automatic time synchronisation, or use an API key in ${klingApiKeyEnv}`
          : `the authorization ${when} (JWT expiry or clock skew): ${keyForms}`,
        refused,
      );
    }
    case 1100:
      return details('Kling reports a problem with the account: check it in the Kling developer console, or ask Kling support quoting the request id', refused);
    case 1101:
      return details('the Kling account is in arrears (postpaid): settle the bill in the Kling developer console, then run apply again', refused);
    case 1102:
      return details("the Kling resource pack is used up or has expired (prepaid): buy or renew one in the Kling developer console, then run apply again", refused);
    case 1103:
      return details("this key may not use Kling's custom voices (no permission for the API or model): check the key's permissions and the account's resource packs", refused);
    case 1200:
    case 1201:
      return details(requestAdvice(vendorMessage), refused);
    case 1202:
    case 1203:
      return details('Kling does not know the requested resource (an unknown task or voice id, or an endpoint Kling has moved)', refused);
    case 1300:
    case 1301:
      return details("Kling's content policy refused the sample: use another recording; sending the same one again will not help", refused);
    case 1302:
      return details('Kling is rate-limiting the account', { isRetryable: true, isRateLimit: true, neverAccepted: true });
    case 1303:
      return details(
        "all concurrent tasks of the Kling resource pack are taken (the limit is per account, shared by every key and by video generation): voxform waits for one to finish",
        { isRetryable: true, isRateLimit: true, neverAccepted: true, retryAfterMs: parseRetryAfter(headers.get('retry-after')) ?? settings.concurrencyRetryDelayMs },
      );
    case 1304:
      return details("Kling's IP whitelist refused this machine's address: add it to the account's whitelist in the Kling developer console, or run from an allowed address", refused);
    case 5000:
    case 5001:
    case 5002:
      return details('a Kling server error (internal error, maintenance or backlog), usually temporary', { isRetryable: true });
    default:
      if (status === 401 || (status === 403 && code === undefined)) return details(credentials, refused);
      return { ...(code === undefined ? {} : { code }), ...(vendorMessage ? { message: vendorMessage } : {}) };
  }
}

function requestAdvice(vendorMessage: string | undefined): string {
  if (vendorMessage && /voice_name/i.test(vendorMessage) && duplicateWords.test(vendorMessage)) {
    return "another voice of the Kling account already has this name: set the voice's options.voiceName to another name, or delete the other voice";
  }
  return "Kling refused the request: check the sample URL (a public mp3, wav, mp4 or mov of 5-30 s with one speaker) and the voice's options";
}

/** The HTTP client's hooks for Kling: error envelopes in 200 answers (`checkSuccess`) and error answers (`parseError`). */
export function klingErrorHandling(settings: KlingErrorSettings): { checkSuccess: CheckSuccess; parseError: ParseError } {
  return {
    checkSuccess: (body, headers) => {
      const envelope = readEnvelope(body);
      if (!envelope || envelope.code === 0) return undefined;
      return withRequestId(describeKlingError(envelope.code, envelope.message, 200, headers, settings), envelope.requestId);
    },
    parseError: (body, status, headers) => {
      const envelope = readEnvelope(body);
      if (!envelope) return status === 401 || status === 403 ? describeKlingError(undefined, undefined, status, headers, settings) : undefined;
      return withRequestId(describeKlingError(envelope.code, envelope.message, status, headers, settings), envelope.requestId);
    },
  };
}

function withRequestId(details: VendorErrorDetails, requestId: string | undefined): VendorErrorDetails {
  return requestId === undefined ? details : { ...details, requestId };
}

const duplicateWords = /duplicat|already|exists|unique|taken|重复|已存在/i;

/** All concurrent tasks of the resource pack are taken (1303): Kling accepted nothing, the create may be sent again. */
export function isConcurrencyLimit(error: unknown): error is ApiCallError {
  return ApiCallError.isInstance(error) && error.code === 1303;
}

/** Kling refused the JWT as not yet valid or expired (1003, 1004): a fresh token may pass. */
export function isTokenRefused(error: unknown): boolean {
  return ApiCallError.isInstance(error) && (error.code === 1003 || error.code === 1004);
}

/**
 * Kling does not know the task or voice asked for by id. Which answer it gives is UNKNOWN (VENDORS.md
 * §4.5, §4.8): 1201 (its code for an unknown voice id), 1203, or HTTP 404 (other than 1202, a wrong method).
 */
export function isNotFound(error: unknown): boolean {
  if (!ApiCallError.isInstance(error)) return false;
  if (error.code === 1201 || error.code === 1203) return true;
  return error.status === 404 && error.code !== 1202;
}

/**
 * Kling refused a create as a duplicate (the `external_task_id` is taken, or perhaps the `voice_name`):
 * the caller looks the external_task_id up to tell which. The wording is UNKNOWN, so any refused
 * request whose text speaks of a duplicate counts.
 */
export function isDuplicateError(error: unknown): boolean {
  if (!ApiCallError.isInstance(error)) return false;
  if (error.code !== 1200 && error.code !== 1201 && error.status !== 409) return false;
  return duplicateWords.test(vendorMessageOf(error) ?? '');
}

/** Kling refused the create because another voice has its `voice_name` (not its external_task_id). */
export function isDuplicateVoiceName(error: unknown): boolean {
  if (!isDuplicateError(error)) return false;
  const message = vendorMessageOf(error as ApiCallError) ?? '';
  return /voice_name/i.test(message) && !/external_task_id/i.test(message);
}

/** The `message` of Kling's answer to a failed call (the error's own message also holds the advice). */
function vendorMessageOf(error: ApiCallError): string | undefined {
  try {
    return readEnvelope(JSON.parse(error.responseBody ?? ''))?.message;
  } catch {
    return undefined;
  }
}

/** A Kling clone task that ended `failed`, with Kling's `task_status_msg` as the reason. */
export function klingTaskFailure(options: { taskId: string; status: string; reason: string | undefined; voice: string }): TaskError {
  const reason = options.reason ? `: ${options.reason}` : ' without a reason';
  return new TaskError({
    reason: 'failed',
    provider: 'Kling',
    taskId: options.taskId,
    status: options.status,
    message:
      `Kling task ${options.taskId} (voice clone of ${options.voice}) failed${reason}. ` +
      'Check that the sample URL is public and holds 5-30 s of one clear voice (mp3, wav, mp4 or mov); run apply again to retry.',
  });
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 300) : undefined;
}
