import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdaptiveLimiter, createAdaptiveLimiter } from './adaptive-limiter.js';
import type { ProviderLimitChangeEvent } from './http-events.js';

function limiter(settings: Partial<ConstructorParameters<typeof AdaptiveLimiter>[0]> = {}) {
  const events: ProviderLimitChangeEvent[] = [];
  let time = 0;
  const created = createAdaptiveLimiter({
    provider: 'vidu',
    concurrency: 8,
    rateLimitThreshold: 2,
    rateLimitWindowMs: 1_000,
    recoveryThreshold: 3,
    onChange: (event) => events.push(event),
    now: () => time,
    ...settings,
  });
  return { limiter: created, events, advance: (ms: number) => (time += ms) };
}

describe('AdaptiveLimiter', () => {
  it('halves after repeated rate limits within the window and floors at 1', () => {
    const { limiter: subject, events } = limiter();

    subject.reportRateLimit();
    expect(subject.concurrency).toBe(8);
    subject.reportRateLimit();
    expect(subject.concurrency).toBe(4);
    expect(subject.queue.concurrency).toBe(4);
    for (let index = 0; index < 10; index++) subject.reportRateLimit();

    expect(subject.concurrency).toBe(1);
    expect(events.map((event) => event.concurrency)).toEqual([4, 2, 1]);
    expect(events[0]).toEqual({ type: 'provider-limit-change', provider: 'vidu', concurrency: 4, previousConcurrency: 8, reason: 'rate-limit' });
  });

  it('ignores rate limits spread further apart than the window', () => {
    const { limiter: subject, events, advance } = limiter();

    subject.reportRateLimit();
    advance(1_500);
    subject.reportRateLimit();

    expect(subject.concurrency).toBe(8);
    expect(events).toEqual([]);
  });

  it('recovers additively after enough successes, up to the configured concurrency', () => {
    const { limiter: subject, events } = limiter({ concurrency: 4 });
    subject.reportRateLimit();
    subject.reportRateLimit();
    subject.reportRateLimit();
    subject.reportRateLimit();
    expect(subject.concurrency).toBe(1);

    for (let index = 0; index < 2; index++) subject.reportSuccess();
    expect(subject.concurrency).toBe(1);
    subject.reportSuccess();
    expect(subject.concurrency).toBe(2);
    // A rate limit resets the run of successes.
    subject.reportSuccess();
    subject.reportSuccess();
    subject.reportRateLimit();
    subject.reportSuccess();
    expect(subject.concurrency).toBe(2);
    for (let index = 0; index < 20; index++) subject.reportSuccess();

    expect(subject.concurrency).toBe(4);
    expect(events.map((event) => [event.reason, event.concurrency])).toEqual([
      ['rate-limit', 2],
      ['rate-limit', 1],
      ['recovery', 2],
      ['recovery', 3],
      ['recovery', 4],
    ]);
  });

  it('runs tasks with the concurrency it currently has', async () => {
    const { limiter: subject } = limiter({ concurrency: 4 });
    subject.reportRateLimit();
    subject.reportRateLimit();
    let running = 0;
    let most = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return running;
    };

    await Promise.all(Array.from({ length: 8 }, () => subject.run(task)));

    expect(most).toBe(2);
  });

  it('rejects an invalid concurrency with a clear message', () => {
    expect(() => createAdaptiveLimiter({ provider: 'vidu', concurrency: 0 })).toThrow('Expected `concurrency` to be an integer >= 1, got `0`.');
  });

  describe('requestsPerMinute', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('spaces starts evenly instead of letting a burst through', async () => {
      vi.useFakeTimers({ now: 0 });
      const subject = createAdaptiveLimiter({ provider: 'minimax', concurrency: 8, requestsPerMinute: 600 });
      const starts: number[] = [];
      const all = Promise.all(Array.from({ length: 5 }, () => subject.run(async () => void starts.push(Date.now()))));
      await vi.advanceTimersByTimeAsync(0);
      expect(starts).toEqual([0]);
      await vi.advanceTimersByTimeAsync(150);
      expect(starts).toEqual([0, 100]);
      await vi.advanceTimersByTimeAsync(250);
      await all;
      expect(starts).toEqual([0, 100, 200, 300, 400]);
    });

    it('accepts fractions: 1.5 per minute is one start every 40 s', async () => {
      vi.useFakeTimers({ now: 0 });
      const subject = createAdaptiveLimiter({ provider: 'minimax', concurrency: 8, requestsPerMinute: 1.5 });
      const starts: number[] = [];
      const all = Promise.all(Array.from({ length: 3 }, () => subject.run(async () => void starts.push(Date.now()))));
      await vi.advanceTimersByTimeAsync(80_000);
      await all;
      expect(starts).toEqual([0, 40_000, 80_000]);
    });

    it('starts at once when unset', async () => {
      const { limiter: subject } = limiter();
      let ran = 0;
      await Promise.all(Array.from({ length: 20 }, () => subject.run(async () => void ran++)));
      expect(ran).toBe(20);
    });

    it('gives up a wait when its signal aborts', async () => {
      const subject = createAdaptiveLimiter({ provider: 'minimax', concurrency: 2, requestsPerMinute: 1 });
      await subject.run(async () => undefined); // takes the first slot; the next is a minute away
      const controller = new AbortController();
      const waiting = subject.run(async () => 'ran', { signal: controller.signal });
      controller.abort(new Error('stopped'));
      await expect(waiting).rejects.toThrow('stopped');
    });

    it('refuses zero or a negative number', () => {
      expect(() => createAdaptiveLimiter({ provider: 'minimax', concurrency: 1, requestsPerMinute: 0 })).toThrow(/requestsPerMinute/);
    });
  });
});
