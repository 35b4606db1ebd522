import { describe, expect, it } from 'vitest';
import { cloneTaskPollDelay, isTerminalStatus } from './clone-task.js';

const createdAt = '2026-01-01T00:00:00.000Z';
const start = Date.parse(createdAt);

describe('cloneTaskPollDelay', () => {
  it('polls soon while a task is young, backs off with its age up to the maximum, and stops when it is final', () => {
    const running = { status: 'processing' as const, createdAt };
    expect(cloneTaskPollDelay(running, { now: start + 100 })).toBe(500);
    expect(cloneTaskPollDelay(running, { now: start + 8_000 })).toBe(2_000);
    expect(cloneTaskPollDelay(running, { now: start + 600_000 })).toBe(5_000);
    expect(cloneTaskPollDelay(running, { now: start + 8_000, initialMs: 50, maxMs: 400 })).toBe(400);
    for (const status of ['completed', 'failed', 'cancelled'] as const) expect(cloneTaskPollDelay({ status, createdAt }, { now: start })).toBe(0);
    expect(cloneTaskPollDelay(undefined, { initialMs: 80 })).toBe(80);
  });

  it('knows the final statuses', () => {
    expect(['pending', 'processing', 'completed', 'failed', 'cancelled'].map((status) => isTerminalStatus(status as never))).toEqual([false, false, true, true, true]);
  });
});
