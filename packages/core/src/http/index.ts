// The HTTP layer adapters use. Browser-safe: web-standard APIs only (the Node parts are in ./node/).
export {
  createHttpClient,
  type CheckSuccess,
  type FormFieldValue,
  type HttpClient,
  type HttpClientSettings,
  type HttpRequestBase,
  type HttpResult,
  type JsonRequest,
  type ParseError,
  type RateLimitFeedback,
  type RawRequest,
  type ResponseValidator,
  type RetrySettings,
  type VendorErrorDetails,
} from './create-http-client.js';
export { AdaptiveLimiter, createAdaptiveLimiter, type AdaptiveLimiterSettings } from './adaptive-limiter.js';
export { pollTask, type PollTaskOptions, type TaskCheck } from './poll-task.js';
export { redact, redactUrl, redactBody, REDACTED } from './redact.js';
export { parseRetryAfter } from './parse-retry-after.js';
export { sleep, type Sleep } from './sleep.js';
export { DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_RESPONSE_BYTES } from './size-limits.js';
export type { HttpEvent, ProviderLimitChangeEvent } from './http-events.js';
export { retryWhileBusy, type RetryWhileBusySettings } from './retry-while-busy.js';
export { headerTime, statusReporter, vendorId } from './vendor-answers.js';
export { extensionOf, sampleFilePart } from './sample-file-part.js';
