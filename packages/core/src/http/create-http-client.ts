import pRetry from 'p-retry';
import { ApiCallError } from '../errors/api-call-error.js';
import type { JsonSchema } from '../providers/provider-v1.js';
import { validateWithSchema } from '../validation/schema-validator.js';
import { describeNetworkError, isNetworkError } from './describe-network-error.js';
import type { HttpEvent } from './http-events.js';
import { parseRetryAfter } from './parse-retry-after.js';
import { redact, redactUrl } from './redact.js';
import { DEFAULT_MAX_RESPONSE_BYTES, formatBytes } from './size-limits.js';
import { sleep as defaultSleep, type Sleep } from './sleep.js';

/** What an adapter's error parser makes of a vendor's error answer. Every field is optional. */
export interface VendorErrorDetails {
  /** The vendor's error code (`1002`, `CreditInsufficient`). */
  code?: string | number;
  /** The vendor's explanation, quoted in the error message. */
  message?: string;
  /** Overrides the default (retry network errors, 408, 425, 429 and 5xx). */
  isRetryable?: boolean;
  /** How long the vendor asks to wait; overrides the `Retry-After` header. */
  retryAfterMs?: number;
  /** The vendor's request or trace id when it is in the body (headers are read by the client). */
  requestId?: string;
  /** The vendor is rate-limiting (default: HTTP 429). Feeds the adaptive limiter. */
  isRateLimit?: boolean;
  /**
   * The vendor provably did not accept the request, so a billable request may be sent again (default:
   * HTTP 401, 403 and rate limits).
   */
  neverAccepted?: boolean;
}

/**
 * Reads a vendor's error answer (any status other than 2xx). `body` is the parsed JSON when the body is
 * JSON, otherwise its text. Return `undefined` to keep the defaults.
 */
export type ParseError = (body: unknown, status: number, headers: Headers) => VendorErrorDetails | undefined;

/**
 * Inspects the JSON of a 2xx answer for an error envelope (MiniMax's `base_resp.status_code`, which
 * comes with HTTP 200). Return `undefined` for a success, or the error's details.
 */
export type CheckSuccess = (body: unknown, headers: Headers) => VendorErrorDetails | undefined;

/**
 * How the shape of a JSON answer is checked before it is used: a type guard, or a JSON Schema (draft
 * 2020-12, checked with core's ajv). A mismatch becomes an {@link ApiCallError} naming what is missing.
 */
export type ResponseValidator<T> = ((value: unknown) => value is T) | JsonSchema;

/** A multipart field: text, a Blob, or file bytes with a file name. */
export type FormFieldValue = string | number | boolean | Blob | { data: Uint8Array | Blob; filename: string; contentType?: string };

/** Receives rate-limit and success answers (an {@link AdaptiveLimiter} implements it). */
export interface RateLimitFeedback {
  reportRateLimit(): void;
  reportSuccess(): void;
}

export interface RetrySettings {
  /** Retries after the first attempt for failures other than rate limits. Default 4. */
  retries?: number;
  /**
   * Retries after rate-limit answers, counted apart: a rate limit proves the vendor accepted nothing,
   * so a storm of them should slow a run down, not fail it. Default 12 (with delays up to `maxDelayMs`).
   */
  rateLimitRetries?: number;
  /** Delay before the first retry when the vendor sent no `Retry-After`, in ms. Default 1000. */
  baseDelayMs?: number;
  /** Growth of the delay per retry. Default 2. */
  factor?: number;
  /** Upper bound of any delay, `Retry-After` included, in ms. Default 30 000. */
  maxDelayMs?: number;
  /** Waits between attempts; tests inject one that records the delay. Default: a timer the signal cancels. */
  sleep?: Sleep;
  /** Source of the jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Clock in ms, for `Retry-After` dates. Default `Date.now`. */
  now?: () => number;
}

export interface HttpClientSettings {
  /** The provider's human name, used in messages and events (`MiniMax`). */
  provider: string;
  /** Prefix of relative request paths (`https://api.minimax.io`); its own path is kept. */
  baseUrl?: string;
  /** Headers sent with every request (authentication); a function is called per attempt (a fresh JWT). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /**
   * The strings that must never appear in an error, url, body or event: the API key, a JWT… A function
   * is called whenever something is redacted. Credential query parameters (`api_key`, `key`, `token`) are
   * hidden even when not listed.
   */
  secrets?: readonly (string | undefined)[] | (() => readonly (string | undefined)[]);
  /** Environment variable of the API key, named in the hint of 401/403 errors (`MINIMAX_API_KEY`). */
  apiKeyEnv?: string;
  /** The fetch to call. Default: `globalThis.fetch`, looked up at every call (so msw and polyfills apply). */
  fetch?: typeof fetch;
  /** An undici `Agent` (from `createNodeDispatcher()` in `@voxform/core/node`) for pooling and timeouts. */
  dispatcher?: object;
  retry?: RetrySettings;
  /** Per-attempt time limit in ms: until the whole body has arrived, or until headers for `stream`. Default 300 000. */
  timeoutMs?: number;
  /** Reads the vendor's error answers; see {@link ParseError}. */
  parseError?: ParseError;
  /** Finds error envelopes in 2xx answers; see {@link CheckSuccess}. */
  checkSuccess?: CheckSuccess;
  /** Receives progress events (redacted). */
  onEvent?: (event: HttpEvent) => void;
  /** Told about every rate-limit answer and every success (the provider's adaptive limiter). */
  limiter?: RateLimitFeedback;
  /**
   * Largest answer read into memory (every response type but `stream`, whose reader sets its own
   * limit), in bytes. Default {@link DEFAULT_MAX_RESPONSE_BYTES} (64 MiB).
   */
  maxResponseBytes?: number;
}

export interface HttpRequestBase {
  /** Default `GET`, or `POST` when there is a `json` or `form` body. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to `baseUrl`, or an absolute url. */
  path: string;
  /** Query parameters; `undefined` and `null` values are left out. */
  query?: Record<string, string | number | boolean | null | undefined>;
  headers?: Record<string, string>;
  /** A JSON body (sets `Content-Type: application/json`). */
  json?: unknown;
  /** A multipart body; rebuilt for every attempt. */
  form?: Record<string, FormFieldValue | undefined>;
  /**
   * The request creates something that costs money. It is then retried only when `idempotent` is also
   * set or the error proves the vendor never accepted it (refused connection, rate limit, 401/403).
   * Default false.
   */
  billable?: boolean;
  /** Sending it twice cannot create two things (a client-chosen voice id or task id). Default false. */
  idempotent?: boolean;
  /** Honoured at every wait, including between retries; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt time limit. */
  timeoutMs?: number;
  /** Overrides the client's number of retries for this request. */
  retries?: number;
  /** Overrides the client's error parser for this request. */
  parseError?: ParseError;
  /** Overrides the client's success check for this request. */
  checkSuccess?: CheckSuccess;
  /** Overrides the client's `maxResponseBytes` for this request. */
  maxResponseBytes?: number;
}

/** A JSON request: the answer is parsed, checked for error envelopes and validated. */
export interface JsonRequest<T> extends HttpRequestBase {
  responseType?: 'json';
  validate: ResponseValidator<T>;
}

/** A request whose answer is not JSON: raw bytes, a stream (the caller reads it), or nothing. */
export interface RawRequest extends HttpRequestBase {
  responseType: 'bytes' | 'stream' | 'none';
}

export interface HttpResult<T> {
  value: T;
  status: number;
  headers: Headers;
  /** The vendor's request id from common headers (`x-request-id`, `trace-id`…), when present. */
  requestId?: string;
}

export interface HttpClient {
  /** The provider's human name the client was created for. */
  readonly provider: string;
  /** Sends a JSON request and returns the validated answer. */
  request<T>(request: JsonRequest<T>): Promise<HttpResult<T>>;
  /** Returns the whole body. */
  request(request: RawRequest & { responseType: 'bytes' }): Promise<HttpResult<Uint8Array>>;
  /** Returns once the headers are in; the body streams (and is the caller's to read or cancel). */
  request(request: RawRequest & { responseType: 'stream' }): Promise<HttpResult<ReadableStream<Uint8Array>>>;
  /** Reads and discards the body (after `checkSuccess` when it is JSON). */
  request(request: RawRequest & { responseType: 'none' }): Promise<HttpResult<undefined>>;
  /** The secrets removed from `text` (for adapters that build their own messages). */
  redact(text: string): string;
}

type AnyRequest = (JsonRequest<unknown> | RawRequest) & { responseType?: 'json' | 'bytes' | 'stream' | 'none' };

const requestIdHeaders = ['x-request-id', 'request-id', 'x-trace-id', 'trace-id', 'x-amzn-requestid', 'x-amz-request-id', 'x-correlation-id'];

/**
 * The HTTP client adapters call vendors through. It only uses web-standard APIs (fetch, Headers,
 * FormData, Blob, URL, AbortSignal), so it runs in a browser too; in Node the engine passes an undici
 * `Agent` as `dispatcher`.
 *
 * Every failure is an {@link ApiCallError} with the secrets removed. Network errors, 408, 425, 429 and
 * 5xx (and what `parseError` marks retryable) are retried with jittered exponential backoff, honouring
 * `Retry-After`, except billable requests that are not idempotent (see {@link HttpRequestBase.billable}).
 */
export function createHttpClient(settings: HttpClientSettings): HttpClient {
  const provider = settings.provider;
  const retry = {
    retries: settings.retry?.retries ?? 4,
    rateLimitRetries: settings.retry?.rateLimitRetries ?? 12,
    baseDelayMs: settings.retry?.baseDelayMs ?? 1000,
    factor: settings.retry?.factor ?? 2,
    maxDelayMs: settings.retry?.maxDelayMs ?? 30_000,
    sleep: settings.retry?.sleep ?? defaultSleep,
    random: settings.retry?.random ?? Math.random,
    now: settings.retry?.now ?? Date.now,
  };
  const secrets = (): readonly (string | undefined)[] => (typeof settings.secrets === 'function' ? settings.secrets() : (settings.secrets ?? []));
  const emit = (event: HttpEvent) => settings.onEvent?.(event);

  async function attempt(request: AnyRequest, attemptNumber: number): Promise<HttpResult<unknown>> {
    const method = request.method ?? (request.json !== undefined || request.form !== undefined ? 'POST' : 'GET');
    const url = buildUrl(settings.baseUrl, request.path, request.query);
    // Headers first: a function may sign a fresh token for this attempt, which the secrets must then include.
    const headers = new Headers(typeof settings.headers === 'function' ? await settings.headers() : settings.headers);
    const shownUrl = redactUrl(url, secrets());
    const responseType = request.responseType ?? 'json';
    const context: FailureContext = { provider, method, url, secrets: secrets(), request, apiKeyEnv: settings.apiKeyEnv };

    for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
    let body: string | FormData | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    } else if (request.form !== undefined) {
      body = buildFormData(request.form);
    }
    if (!headers.has('accept') && responseType === 'json') headers.set('accept', 'application/json');

    const timeoutMs = request.timeoutMs ?? settings.timeoutMs ?? 300_000;
    const controller = new AbortController();
    const forwardAbort = () => controller.abort(request.signal!.reason);
    request.signal?.throwIfAborted();
    request.signal?.addEventListener('abort', forwardAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    let streaming = false;
    const stopTimer = () => clearTimeout(timer);
    const stopForwarding = () => request.signal?.removeEventListener('abort', forwardAbort);

    const started = Date.now();
    emit({ type: 'request-start', provider, method, url: shownUrl, attempt: attemptNumber });
    try {
      const fetchFunction = settings.fetch ?? globalThis.fetch;
      const init = { method, headers, body, signal: controller.signal, ...(settings.dispatcher ? { dispatcher: settings.dispatcher } : {}) };
      // `dispatcher` is undici's extension of RequestInit (typed for undici 6 by @types/node 20); browsers ignore it.
      const response = await fetchFunction(url, init as RequestInit);
      const requestId = readRequestId(response.headers);

      const maxBytes = request.maxResponseBytes ?? settings.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      if (!response.ok) {
        // An error page larger than the limit is cut, not an error of its own: its status says enough.
        const text = decoder.decode(await readLimited(response, Math.min(maxBytes, 1024 * 1024), () => undefined));
        throw httpError(context, response, text, requestId);
      }
      const tooLarge = (received: string) =>
        new ApiCallError({
          ...errorBase(context),
          status: response.status,
          requestId,
          problem: `the answer is larger than the limit of ${formatBytes(maxBytes)} (${received})`,
          hint: `Something other than ${provider}'s API may be answering at this url: check the provider's baseUrl.`,
          isRetryable: false,
        });
      if (responseType === 'stream') {
        stopTimer();
        if (!response.body) throw new ApiCallError({ ...errorBase(context), status: response.status, requestId, problem: `HTTP ${response.status} without a body`, isRetryable: false });
        settings.limiter?.reportSuccess();
        emit({ type: 'request-end', provider, method, url: shownUrl, attempt: attemptNumber, status: response.status, durationMs: Date.now() - started });
        // The caller's signal must keep reaching the body until it has been read, cancelled or broken.
        streaming = true;
        const value = untilSettled(response.body, stopForwarding, (error, bytes) =>
          // An abort ends the stream with the caller's reason; anything else is the answer breaking off.
          request.signal?.aborted || !isNetworkError(error) ? error : brokenAnswer(context, response.status, requestId, bytes, error),
        );
        return { value, status: response.status, headers: response.headers, ...(requestId ? { requestId } : {}) };
      }
      if (responseType === 'bytes') {
        const bytes = await readLimited(response, maxBytes, tooLarge);
        settings.limiter?.reportSuccess();
        emit({ type: 'request-end', provider, method, url: shownUrl, attempt: attemptNumber, status: response.status, durationMs: Date.now() - started });
        return { value: bytes, status: response.status, headers: response.headers, ...(requestId ? { requestId } : {}) };
      }

      const text = decoder.decode(await readLimited(response, maxBytes, tooLarge));
      const checkSuccess = request.checkSuccess ?? settings.checkSuccess;
      let value: unknown;
      if (responseType === 'none') {
        const parsed = checkSuccess ? parseJson(text) : undefined;
        if (parsed?.ok) checkEnvelope(context, checkSuccess!, parsed.value, response, text, requestId);
        value = undefined;
      } else {
        const parsed = parseJson(text);
        if (!parsed.ok) {
          throw new ApiCallError({
            ...errorBase(context),
            status: response.status,
            requestId,
            responseBody: text,
            problem: `HTTP ${response.status} with a body that is not valid JSON (${parsed.reason})`,
            hint: 'A proxy or a broken connection may have answered instead of the vendor; this is usually temporary.',
            ...retryability(context, { statusRetryable: true, neverAccepted: false }),
          });
        }
        if (checkSuccess) checkEnvelope(context, checkSuccess, parsed.value, response, text, requestId);
        const problems = shapeProblems((request as JsonRequest<unknown>).validate, parsed.value);
        if (problems.length > 0) {
          const path = pathOf(shownUrl);
          throw new ApiCallError({
            ...errorBase(context),
            status: response.status,
            requestId,
            responseBody: text,
            message: `unexpected response from ${provider} ${method} ${path}: ${problems.join('; ')} (HTTP ${response.status})`,
            problem: 'unexpected response',
            hint: `The vendor's API may have changed: please report this with the response body.`,
            isRetryable: false,
            // A success answer: billable work behind it was probably accepted, though nothing of it can be read.
            mayHaveBeenAccepted: request.billable === true,
          });
        }
        value = parsed.value;
      }
      settings.limiter?.reportSuccess();
      emit({ type: 'request-end', provider, method, url: shownUrl, attempt: attemptNumber, status: response.status, durationMs: Date.now() - started });
      return { value, status: response.status, headers: response.headers, ...(requestId ? { requestId } : {}) };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const failure = ApiCallError.isInstance(error) ? error : timedOut ? timeoutError(context, timeoutMs, error) : isNetworkError(error) ? networkError(context, error) : undefined;
      if (!failure) throw error;
      if (failure.isRateLimit) settings.limiter?.reportRateLimit();
      emit({
        type: 'request-end',
        provider,
        method,
        url: shownUrl,
        attempt: attemptNumber,
        ...(failure.status === undefined ? {} : { status: failure.status }),
        error: failure.message,
        durationMs: Date.now() - started,
      });
      throw failure;
    } finally {
      stopTimer();
      if (!streaming) stopForwarding();
    }
  }

  async function send(request: AnyRequest): Promise<HttpResult<unknown>> {
    const retries = request.retries ?? retry.retries;
    const rateLimitRetries = request.retries === 0 ? 0 : retry.rateLimitRetries;
    let otherRetriesUsed = 0;
    let rateLimitRetriesUsed = 0;
    try {
      return await pRetry((attemptNumber) => attempt(request, attemptNumber), {
        retries: retries + rateLimitRetries,
        // The client sleeps itself (inside shouldRetry) so that it can honour Retry-After per error.
        minTimeout: 0,
        maxTimeout: 0,
        ...(request.signal ? { signal: request.signal } : {}),
        shouldRetry: async ({ error, attemptNumber, retriesConsumed }) => {
          if (!ApiCallError.isInstance(error) || !error.isRetryable) return false;
          if (error.isRateLimit ? ++rateLimitRetriesUsed > rateLimitRetries : ++otherRetriesUsed > retries) return false;
          const delayMs = retryDelay(error, error.isRateLimit ? rateLimitRetriesUsed - 1 : otherRetriesUsed - 1);
          emit({
            type: 'request-retry',
            provider,
            method: error.method,
            url: error.url,
            attempt: attemptNumber,
            delayMs,
            ...(error.status === undefined ? {} : { status: error.status }),
            reason: error.message,
          });
          await retry.sleep(delayMs, request.signal);
          return true;
        },
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw error;
    }
  }

  function retryDelay(error: ApiCallError, retriesConsumed: number): number {
    if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, retry.maxDelayMs);
    const exponential = Math.min(retry.maxDelayMs, retry.baseDelayMs * retry.factor ** retriesConsumed);
    // "Equal jitter": at least half the exponential delay, so retries stay spread out but never bunch at 0.
    return Math.round(exponential / 2 + (retry.random() * exponential) / 2);
  }

  function checkEnvelope(context: FailureContext, checkSuccess: CheckSuccess, value: unknown, response: Response, text: string, requestId: string | undefined): void {
    const details = checkSuccess(value, response.headers);
    if (!details) return;
    throw vendorError(context, response, text, details, details.requestId ?? requestId, `HTTP ${response.status} with an error in the body`, false);
  }

  function httpError(context: FailureContext, response: Response, text: string, requestId: string | undefined): ApiCallError {
    const parsed = parseJson(text);
    const body = parsed.ok ? parsed.value : text;
    const details = (context.request.parseError ?? settings.parseError)?.(body, response.status, response.headers) ?? {};
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    const withMessage: VendorErrorDetails = { ...details, message: details.message ?? commonMessage(body) };
    return vendorError(context, response, text, withMessage, details.requestId ?? requestId, `HTTP ${response.status}${statusText}`, true);
  }

  function vendorError(
    context: FailureContext,
    response: Response,
    text: string,
    details: VendorErrorDetails,
    requestId: string | undefined,
    what: string,
    fromStatus: boolean,
  ): ApiCallError {
    const status = response.status;
    const isRateLimit = details.isRateLimit ?? (fromStatus && status === 429);
    const statusRetryable = details.isRetryable ?? (isRateLimit || (fromStatus && (status === 408 || status === 425 || status === 429 || status >= 500)));
    const neverAccepted = details.neverAccepted ?? (isRateLimit || (fromStatus && (status === 401 || status === 403)));
    const vendorPart =
      details.code !== undefined || details.message
        ? ` (${[details.code === undefined ? undefined : `code ${details.code}`, details.message].filter(Boolean).join(': ')})`
        : '';
    const retryAfterMs = details.retryAfterMs ?? parseRetryAfter(response.headers.get('retry-after'), retry.now());
    return new ApiCallError({
      ...errorBase(context),
      status,
      ...(details.code === undefined ? {} : { code: details.code }),
      requestId,
      responseBody: text,
      problem: `${what}${vendorPart}`,
      hint: statusHint(status, isRateLimit, settings.apiKeyEnv),
      isRateLimit,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...retryability(context, { statusRetryable, neverAccepted }),
    });
  }

  return {
    provider,
    request: send as HttpClient['request'],
    redact: (text) => redact(text, secrets()),
  };
}

const decoder = new TextDecoder();

/**
 * The body, read until `maxBytes`. Past it, the body is cancelled and `tooLarge` decides: throw its
 * error, or (returning undefined) keep the first `maxBytes`.
 */
async function readLimited(response: Response, maxBytes: number, tooLarge: (received: string) => Error | undefined): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    const error = tooLarge(`${declared} bytes announced`);
    if (error) {
      void response.body?.cancel().catch(() => {});
      throw error;
    }
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      void reader.cancel().catch(() => {});
      const error = tooLarge(`more than ${total + value.byteLength} bytes received`);
      if (error) throw error;
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

interface FailureContext {
  provider: string;
  method: string;
  url: string;
  secrets: readonly (string | undefined)[];
  request: AnyRequest;
  apiKeyEnv: string | undefined;
}

function errorBase(context: FailureContext) {
  return { provider: context.provider, method: context.method, url: context.url, secrets: context.secrets };
}

/**
 * The billable rule: an error that could be retried is only retried for a billable request when
 * retrying cannot pay twice. When it cannot be retried, the hint says so, and `isRetryable` is false so
 * the engine does not resubmit it either.
 */
function retryability(
  context: FailureContext,
  facts: { statusRetryable: boolean; neverAccepted: boolean },
): { isRetryable: boolean; neverAccepted: boolean; mayHaveBeenAccepted: boolean; hint?: string } {
  const { billable, idempotent } = context.request;
  // What can be retried is what may not have worked: a billable request then may have been accepted.
  const mayHaveBeenAccepted = billable === true && facts.statusRetryable && !facts.neverAccepted;
  if (mayHaveBeenAccepted && !idempotent) {
    return {
      isRetryable: false,
      neverAccepted: false,
      mayHaveBeenAccepted,
      hint: `Not retried: the request is billable and ${context.provider} may have accepted it; check your ${context.provider} account before running it again.`,
    };
  }
  return { isRetryable: facts.statusRetryable, neverAccepted: facts.neverAccepted, mayHaveBeenAccepted };
}

function timeoutError(context: FailureContext, timeoutMs: number, cause: unknown): ApiCallError {
  return new ApiCallError({
    ...errorBase(context),
    problem: `no answer within ${timeoutMs} ms`,
    hint: `${context.provider} may be slow or unreachable; it is retried automatically.`,
    cause,
    ...retryability(context, { statusRetryable: true, neverAccepted: false }),
  });
}

/** A streamed answer (audio) that broke off part-way: the request worked, its body did not all arrive. */
function brokenAnswer(context: FailureContext, status: number, requestId: string | undefined, bytes: number, cause: unknown): ApiCallError {
  return new ApiCallError({
    ...errorBase(context),
    status,
    requestId,
    problem: `the answer broke off after ${bytes} bytes (${describeNetworkError(cause).detail})`,
    hint: 'The connection failed while the answer was arriving; this is usually temporary.',
    isRetryable: true,
    cause,
  });
}

function networkError(context: FailureContext, cause: unknown): ApiCallError {
  const description = describeNetworkError(cause);
  const facts = retryability(context, { statusRetryable: true, neverAccepted: description.neverSent });
  return new ApiCallError({
    ...errorBase(context),
    ...(description.code === undefined ? {} : { code: description.code }),
    problem: description.problem,
    hint: 'Check the network connection and the provider\'s `baseUrl`.',
    cause,
    ...facts,
    ...(facts.hint ? { hint: facts.hint } : {}),
  });
}

function statusHint(status: number, isRateLimit: boolean, apiKeyEnv: string | undefined): string | undefined {
  if (isRateLimit) return 'The vendor is rate-limiting: lower this provider\'s `concurrency` or `requestsPerMinute` in voices.yaml, or try again later.';
  if (status === 401 || status === 403) return `Check the API key${apiKeyEnv ? ` (${apiKeyEnv})` : ''} and its permissions.`;
  if (status === 402) return 'Check the account\'s balance or plan.';
  if (status === 404) return 'The vendor does not know this resource (an expired voice or task?).';
  if (status === 400 || status === 422) return 'The vendor rejected the request: check the voice and line options.';
  if (status >= 500) return 'The vendor failed; this is usually temporary.';
  return undefined;
}

function commonMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  for (const candidate of [record.message, record.msg, record.error_message, record.detail, typeof error === 'object' && error !== null ? (error as Record<string, unknown>).message : error]) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim().slice(0, 300);
  }
  return undefined;
}

function readRequestId(headers: Headers): string | undefined {
  for (const name of requestIdHeaders) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (text.trim() === '') return { ok: false, reason: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function shapeProblems(validate: ResponseValidator<unknown>, value: unknown): string[] {
  if (typeof validate === 'function') return validate(value) ? [] : ['the body does not have the expected shape'];
  const { valid, errors } = validateWithSchema(validate, value);
  if (valid) return [];
  const problems = errors.map((error) => {
    const at = error.instancePath.slice(1).replaceAll('/', '.');
    if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return `missing ${at ? `${at}.` : ''}${missing}`;
    }
    if (error.keyword === 'type') {
      return `${at || 'the body'} must be ${String((error.params as { type: string }).type)}, got ${describeValue(error.data)}`;
    }
    return `${at || 'the body'} ${error.message ?? 'is invalid'}`;
  });
  return [...new Set(problems)].slice(0, 5);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function buildUrl(baseUrl: string | undefined, path: string, query: HttpRequestBase['query']): string {
  const absolute = /^https?:\/\//i.test(path);
  if (!absolute && !baseUrl) throw new TypeError(`Expected an absolute url or a \`baseUrl\` for the path \`${path}\`.`);
  const url = new URL(absolute ? path : `${baseUrl!.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.append(name, String(value));
  }
  return url.toString();
}

/**
 * `body`, calling `settled` once when it has been read to the end, cancelled or has failed; a failure
 * is passed through `describeFailure` with the number of bytes that had arrived.
 */
function untilSettled(body: ReadableStream<Uint8Array>, settled: () => void, describeFailure: (error: unknown, bytes: number) => unknown): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let bytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          settled();
          controller.close();
        } else {
          bytes += value.byteLength;
          controller.enqueue(value);
        }
      } catch (error) {
        settled();
        controller.error(describeFailure(error, bytes));
      }
    },
    cancel(reason) {
      settled();
      return reader.cancel(reason);
    },
  });
}

function buildFormData(fields: Record<string, FormFieldValue | undefined>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value instanceof Blob) form.append(name, value);
    else if (typeof value === 'object') {
      const blob = value.data instanceof Blob ? value.data : new Blob([value.data as Uint8Array<ArrayBuffer>], value.contentType ? { type: value.contentType } : {});
      form.append(name, blob, value.filename);
    } else form.append(name, String(value));
  }
  return form;
}
