import PQueue from 'p-queue';
import type { ProviderLimitChangeEvent } from './http-events.js';

export interface AdaptiveLimiterSettings {
  /** The provider's id, carried by the events (`minimax`). */
  provider: string;
  /** Concurrency to start with and the ceiling of recovery (the manifest's or the provider's default). */
  concurrency: number;
  /** Requests per minute; absent = unlimited. Enforced by p-queue's sliding window (`strict`). */
  requestsPerMinute?: number;
  /** Rate-limit answers within `rateLimitWindowMs` that halve the concurrency. Default 2. */
  rateLimitThreshold?: number;
  /** The window in which `rateLimitThreshold` answers count, in ms. Default 10 000. */
  rateLimitWindowMs?: number;
  /** Successes since the last change (with no rate limit in between) that add 1 to the concurrency. Default 20. */
  recoveryThreshold?: number;
  /** Receives every concurrency change. */
  onChange?: (event: ProviderLimitChangeEvent) => void;
  /** Clock in ms; tests inject one. Default `Date.now`. */
  now?: () => number;
}

/**
 * A per-provider queue whose concurrency adapts to the vendor: after repeated rate-limit answers it
 * halves (down to 1), after a run of successes it grows by 1 again (up to the configured concurrency)
 * — additive increase, multiplicative decrease. Built on p-queue, whose `concurrency` can change while
 * tasks run. Give it to `createHttpClient({ limiter })` so it hears about every answer, and run the
 * provider's work through {@link AdaptiveLimiter.run}.
 */
export class AdaptiveLimiter {
  readonly provider: string;
  readonly queue: PQueue;
  readonly #maximum: number;
  readonly #rateLimitThreshold: number;
  readonly #rateLimitWindowMs: number;
  readonly #recoveryThreshold: number;
  readonly #onChange: ((event: ProviderLimitChangeEvent) => void) | undefined;
  readonly #now: () => number;
  #rateLimits: number[] = [];
  #successes = 0;

  constructor(settings: AdaptiveLimiterSettings) {
    if (!Number.isInteger(settings.concurrency) || settings.concurrency < 1) {
      throw new TypeError(`Expected \`concurrency\` to be an integer >= 1, got \`${settings.concurrency}\`.`);
    }
    if (settings.requestsPerMinute !== undefined && !(settings.requestsPerMinute >= 1)) {
      throw new TypeError(`Expected \`requestsPerMinute\` to be a number >= 1, got \`${settings.requestsPerMinute}\`.`);
    }
    this.provider = settings.provider;
    this.#maximum = settings.concurrency;
    this.#rateLimitThreshold = settings.rateLimitThreshold ?? 2;
    this.#rateLimitWindowMs = settings.rateLimitWindowMs ?? 10_000;
    this.#recoveryThreshold = settings.recoveryThreshold ?? 20;
    this.#onChange = settings.onChange;
    this.#now = settings.now ?? Date.now;
    this.queue = new PQueue({
      concurrency: settings.concurrency,
      ...(settings.requestsPerMinute === undefined ? {} : { intervalCap: Math.floor(settings.requestsPerMinute), interval: 60_000, strict: true }),
    });
  }

  /** The current concurrency. */
  get concurrency(): number {
    return this.queue.concurrency;
  }

  /** Runs `task` when a slot is free. Aborting `signal` while it waits removes it from the queue. */
  run<TResult>(task: (options: { signal?: AbortSignal }) => Promise<TResult>, options: { signal?: AbortSignal } = {}): Promise<TResult> {
    return this.queue.add(task, { ...(options.signal ? { signal: options.signal } : {}) }) as Promise<TResult>;
  }

  /** A rate-limit answer (HTTP 429 or a vendor's rate-limit code). */
  reportRateLimit(): void {
    const now = this.#now();
    this.#successes = 0;
    this.#rateLimits = this.#rateLimits.filter((time) => now - time < this.#rateLimitWindowMs);
    this.#rateLimits.push(now);
    if (this.#rateLimits.length < this.#rateLimitThreshold) return;
    // Answers to requests sent at the old concurrency keep arriving: count afresh from the change on.
    this.#rateLimits = [];
    this.#change(Math.max(1, Math.floor(this.concurrency / 2)), 'rate-limit');
  }

  /** A successful answer. */
  reportSuccess(): void {
    if (this.concurrency >= this.#maximum) return;
    this.#successes += 1;
    if (this.#successes < this.#recoveryThreshold) return;
    this.#successes = 0;
    this.#change(this.concurrency + 1, 'recovery');
  }

  #change(concurrency: number, reason: ProviderLimitChangeEvent['reason']): void {
    const previousConcurrency = this.concurrency;
    if (concurrency === previousConcurrency) return;
    this.queue.concurrency = concurrency;
    this.#onChange?.({ type: 'provider-limit-change', provider: this.provider, concurrency, previousConcurrency, reason });
  }
}

/** Creates an {@link AdaptiveLimiter}; see its settings for the defaults. */
export function createAdaptiveLimiter(settings: AdaptiveLimiterSettings): AdaptiveLimiter {
  return new AdaptiveLimiter(settings);
}
