/**
 * What the HTTP client reports while it works, for progress display and `--verbose` logs. Urls and
 * reasons are redacted: no secret ever appears in an event.
 */
export type HttpEvent =
  | {
      type: 'request-start';
      provider: string;
      method: string;
      url: string;
      /** 1 for the first try, 2 for the first retry… */
      attempt: number;
    }
  | {
      type: 'request-end';
      provider: string;
      method: string;
      url: string;
      attempt: number;
      /** HTTP status; absent when no answer came back. */
      status?: number;
      /** Set when this attempt failed: the error's message. */
      error?: string;
      durationMs: number;
    }
  | {
      type: 'request-retry';
      provider: string;
      method: string;
      url: string;
      /** The attempt that failed. */
      attempt: number;
      /** How long the client waits before the next attempt (from `Retry-After` when the vendor sent one). */
      delayMs: number;
      status?: number;
      /** The failed attempt's error message. */
      reason: string;
    };

/** Emitted by an {@link AdaptiveLimiter} whenever it changes a provider's concurrency. */
export interface ProviderLimitChangeEvent {
  type: 'provider-limit-change';
  provider: string;
  concurrency: number;
  previousConcurrency: number;
  /** `rate-limit`: lowered after repeated rate-limit answers; `recovery`: raised after enough successes. */
  reason: 'rate-limit' | 'recovery';
}
