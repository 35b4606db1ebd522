import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../errors/api-call-error.js';
import { retryWhileBusy } from './retry-while-busy.js';

const busy = (retryAfterMs?: number) =>
  new ApiCallError({ provider: 'Vendor', method: 'POST', url: 'https://vendor.test/tasks', status: 429, code: 'Busy', isRetryable: true, isRateLimit: true, neverAccepted: true, ...(retryAfterMs ? { retryAfterMs } : {}) } as never);
const isBusy = (error: unknown): error is ApiCallError => ApiCallError.isInstance(error) && error.code === 'Busy';

describe('retryWhileBusy', () => {
  it('sends again after each busy refusal until a slot is free, honouring Retry-After', async () => {
    const delays: number[] = [];
    let sends = 0;
    const result = await retryWhileBusy(
      async () => {
        sends++;
        if (sends === 1) throw busy();
        if (sends === 2) throw busy(2500);
        return 'created';
      },
      { isBusy, retryDelayMs: 10_000, timeoutMs: 60_000, signal: new AbortController().signal, sleep: async (ms) => void delays.push(ms) },
    );
    expect(result).toBe('created');
    expect(delays).toEqual([10_000, 2500]);
  });

  it('gives up with the last refusal after the timeout', async () => {
    let clock = 0;
    let sends = 0;
    const failure = retryWhileBusy(
      async () => {
        sends++;
        throw busy();
      },
      { isBusy, retryDelayMs: 10_000, timeoutMs: 30_000, signal: new AbortController().signal, now: () => clock, sleep: async (ms) => void (clock += ms) },
    );
    await expect(failure).rejects.toMatchObject({ code: 'Busy' });
    expect(sends).toBe(4); // at 0, 10, 20 and 30 s
  });

  it('does not send again after any other error', async () => {
    let sends = 0;
    const failure = retryWhileBusy(
      async () => {
        sends++;
        throw new Error('refused');
      },
      { isBusy, retryDelayMs: 1, timeoutMs: 60_000, signal: new AbortController().signal },
    );
    await expect(failure).rejects.toThrow('refused');
    expect(sends).toBe(1);
  });
});
