import { redact, redactBody, redactUrl } from '../http/redact.js';
import { printable } from './printable.js';
import { VoxformError } from './voxform-error.js';

const marker = 'voxform.error.ApiCallError';
const symbol = Symbol.for(marker);

/** Everything known about a failed call to a vendor. */
export interface ApiCallErrorDetails {
  /** The provider's human name (`MiniMax`). */
  provider: string;
  /** HTTP method (`POST`). */
  method: string;
  /** The url called; credential query parameters and `secrets` are removed before it is kept. */
  url: string;
  /** HTTP status; absent when no answer came back (network error, timeout). */
  status?: number;
  /** The vendor's own error code (`1002`, `CreditInsufficient`) from the adapter's error parser, or the network error's code (`ECONNRESET`). */
  code?: string | number;
  /** The vendor's request or trace id, for support tickets. */
  requestId?: string;
  /** The body that came back (redacted and trimmed to about 2 KB here). */
  responseBody?: string;
  /** Whether trying the same request again may succeed. */
  isRetryable: boolean;
  /** How long the vendor asked to wait before trying again (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** The vendor said it is rate-limiting (HTTP 429 or a vendor rate-limit code). */
  isRateLimit?: boolean;
  /**
   * The error proves the vendor never accepted the request (the connection failed before it was sent,
   * a rate limit, an authentication failure), so sending a billable request again cannot pay twice.
   */
  neverAccepted?: boolean;
  /**
   * The request was billable and the vendor may have accepted it without voxform learning so: no answer,
   * a server error, or a success answer that could not be read. Sending it again could pay twice.
   */
  mayHaveBeenAccepted?: boolean;
  /** What went wrong, in a few words (`HTTP 400 (code 2013: invalid params)`, `no response (ECONNRESET)`). */
  problem: string;
  /** Replaces the usual lead `<provider> <method> <url> failed: <problem>` of the message. */
  message?: string;
  /** What the user can do about it. */
  hint?: string;
  /** Strings that must never appear in the error: the API key, a JWT… */
  secrets?: readonly (string | undefined)[];
  cause?: unknown;
}

/**
 * A call to a vendor's API failed: an HTTP error, an error envelope in a 200 answer, a body that is not
 * the expected JSON, or no answer at all. Built only by `http/` from what the adapter's error parser
 * says; every string it keeps has the secrets replaced by `***`.
 */
export class ApiCallError extends VoxformError {
  private readonly [symbol] = true;
  readonly provider: string;
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly code: string | number | undefined;
  readonly requestId: string | undefined;
  readonly responseBody: string | undefined;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly isRateLimit: boolean;
  readonly neverAccepted: boolean;
  readonly mayHaveBeenAccepted: boolean;

  constructor(details: ApiCallErrorDetails) {
    const secrets = details.secrets ?? [];
    const url = redactUrl(details.url, secrets);
    const requestId = details.requestId === undefined ? '' : ` [request id ${details.requestId}]`;
    const hint = details.hint ? ` ${details.hint}` : '';
    super({
      name: 'ApiCallError',
      // The problem, hint and request id quote the vendor: printable keeps its control characters out of the terminal.
      message: redact(printable(`${details.message ?? `${details.provider} ${details.method} ${url} failed: ${details.problem}`}.${hint}${requestId}`), secrets),
      cause: details.cause,
    });
    this.provider = details.provider;
    this.method = details.method;
    this.url = url;
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId === undefined ? undefined : redact(details.requestId, secrets);
    this.responseBody = details.responseBody === undefined ? undefined : redactBody(details.responseBody, secrets);
    this.isRetryable = details.isRetryable;
    this.retryAfterMs = details.retryAfterMs;
    this.isRateLimit = details.isRateLimit ?? false;
    this.neverAccepted = details.neverAccepted ?? false;
    this.mayHaveBeenAccepted = details.mayHaveBeenAccepted ?? false;
  }

  /** What logs and `--json` output show: every field, including the message (which `Error` hides from JSON). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      provider: this.provider,
      method: this.method,
      url: this.url,
      status: this.status,
      code: this.code,
      requestId: this.requestId,
      isRetryable: this.isRetryable,
      retryAfterMs: this.retryAfterMs,
      isRateLimit: this.isRateLimit,
      neverAccepted: this.neverAccepted,
      mayHaveBeenAccepted: this.mayHaveBeenAccepted,
      responseBody: this.responseBody,
    };
  }

  static override isInstance(error: unknown): error is ApiCallError {
    return VoxformError.hasMarker(error, marker);
  }
}
