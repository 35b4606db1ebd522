import PQueue from 'p-queue';
import type { ProviderLimitChangeEvent } from './http-events.js';
import { sleep as defaultSleep, type Sleep } from './sleep.js';

export interface AdaptiveLimiterSettings {
  /** The provider's id, carried by the events (`minimax`). */
  provider: string;
  /** Concurrency to start with and the ceiling of recovery (the manifest's or the provider's default). */
  concurrency: number;
  /**
   * Pieces of work started per minute; absent = unlimited. Starts are spaced evenly (60 000 / n ms
   * apart) rather than allowed in bursts: a vendor's limiter, whether a window or a token bucket,
   * then never sees more than it allows, and throughput stays at the limit.
   */
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
  /** Waits between starts; tests inject one. */
  sleep?: Sleep;
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
  readonly #sleep: Sleep;
  /** Milliseconds between starts; 0 = unpaced. */
  readonly #spacingMs: number;
  #nextStartAt = Number.NEGATIVE_INFINITY;
  #rateLimits: number[] = [];
  #successes = 0;

  constructor(settings: AdaptiveLimiterSettings) {
    if (!Number.isInteger(settings.concurrency) || settings.concurrency < 1) {
      throw new TypeError(`Expected \`concurrency\` to be an integer >= 1, got \`${settings.concurrency}\`.`);
    }
    if (settings.requestsPerMinute !== undefined && !(settings.requestsPerMinute > 0)) {
      throw new TypeError(`Expected \`requestsPerMinute\` to be a number > 0, got \`${settings.requestsPerMinute}\`.`);
    }
    this.provider = settings.provider;
    this.#maximum = settings.concurrency;
    this.#rateLimitThreshold = settings.rateLimitThreshold ?? 2;
    this.#rateLimitWindowMs = settings.rateLimitWindowMs ?? 10_000;
    this.#recoveryThreshold = settings.recoveryThreshold ?? 20;
    this.#onChange = settings.onChange;
    this.#now = settings.now ?? Date.now;
    this.#sleep = settings.sleep ?? defaultSleep;
    this.#spacingMs = settings.requestsPerMinute === undefined ? 0 : 60_000 / settings.requestsPerMinute;
    this.queue = new PQueue({ concurrency: settings.concurrency });
  }

  /** The current concurrency. */
  get concurrency(): number {
    return this.queue.concurrency;
  }

  /** Runs `task` when a slot is free. Aborting `signal` while it waits removes it from the queue. */
  run<TResult>(task: (options: { signal?: AbortSignal }) => Promise<TResult>, options: { signal?: AbortSignal } = {}): Promise<TResult> {
    return this.queue.add(
      async (queued) => {
        await this.#waitForStart(options.signal);
        return task(queued);
      },
      { ...(options.signal ? { signal: options.signal } : {}) },
    ) as Promise<TResult>;
  }

  /** Holds a start until its slot. Slots are `spacingMs` apart from the previous slot, not from when a timer fired, so late timers do not add up. */
  async #waitForStart(signal: AbortSignal | undefined): Promise<void> {
    if (this.#spacingMs === 0) return;
    const now = this.#now();
    const startAt = Math.max(now, this.#nextStartAt);
    this.#nextStartAt = startAt + this.#spacingMs;
    if (startAt > now) await this.#sleep(startAt - now, signal);
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
