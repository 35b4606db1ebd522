import { describe, expect, it } from 'vitest';
import { TaskError } from '../errors/task-error.js';
import { pollTask, type TaskCheck } from './poll-task.js';

/** A task that answers `answers` in turn (the last one forever). */
function scripted<TResult>(answers: Array<TaskCheck<TResult>>) {
  let calls = 0;
  return {
    check: async () => answers[Math.min(calls++, answers.length - 1)]!,
    calls: () => calls,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('pollTask', () => {
  it('resolves with the result and reports each status change once', async () => {
    const task = scripted<string>([
      { status: 'queueing', done: false },
      { status: 'queueing', done: false },
      { status: 'processing', done: false },
      { status: 'processing', done: false },
      { status: 'success', done: true, result: 'https://cdn.test/a.mp3' },
    ]);
    const statuses: string[] = [];

    const result = await pollTask({ provider: 'Vidu', taskId: 't1', check: task.check, intervalMs: 1, onStatus: (status) => statuses.push(status) });

    expect(result).toBe('https://cdn.test/a.mp3');
    expect(task.calls()).toBe(5);
    expect(statuses).toEqual(['queueing', 'processing', 'success']);
  });

  it('grows the interval by the backoff factor up to the cap', async () => {
    const task = scripted<number>([...Array.from({ length: 6 }, () => ({ status: 'processing', done: false })), { status: 'done', done: true, result: 1 }]);
    const intervals: number[] = [];

    await pollTask({
      provider: 'Vidu',
      check: task.check,
      intervalMs: 10,
      maxIntervalMs: 50,
      backoffFactor: 2,
      sleep: async (ms) => {
        intervals.push(ms);
      },
    });

    expect(intervals).toEqual([10, 20, 40, 50, 50, 50]);
  });

  it('rejects with a TaskError naming the provider and task after the timeout', async () => {
    const task = scripted<number>([{ status: 'processing', done: false }]);

    const error = await rejection(pollTask({ provider: 'Kling', taskId: 'task-42', check: task.check, intervalMs: 5, timeoutMs: 40 }));

    expect(TaskError.isInstance(error)).toBe(true);
    expect((error as TaskError).reason).toBe('timeout');
    expect((error as TaskError).message).toMatch(/^Kling task task-42 was still processing after 40 ms/);
    // What to do, in a command the user can run.
    expect((error as TaskError).message).toMatch(/run `voxform apply` again later to pick the task up/);
    expect(task.calls()).toBeGreaterThan(1);
  });

  it('never sleeps past the deadline, and checks once more at it', async () => {
    const task = scripted<number>([{ status: 'processing', done: false }]);
    let time = 0;
    const intervals: number[] = [];

    const error = await rejection(
      pollTask({
        provider: 'Kling',
        check: task.check,
        intervalMs: 40,
        backoffFactor: 2,
        timeoutMs: 100,
        now: () => time,
        sleep: async (ms) => {
          intervals.push(ms);
          time += ms;
        },
      }),
    );

    expect((error as TaskError).reason).toBe('timeout');
    expect(intervals).toEqual([40, 60]);
    expect(task.calls()).toBe(3);
  });

  it('rejects with a TaskError when the vendor reports failure', async () => {
    const task = scripted<number>([{ status: 'failed', done: true, error: 'audio too short' }]);

    const error = (await rejection(pollTask({ provider: 'Vidu', taskId: 't9', check: task.check }))) as TaskError;

    expect(error.reason).toBe('failed');
    expect(error.message).toBe('Vidu task t9 failed (status failed): audio too short');
  });

  it('rejects at once with the reason when aborted during a sleep', async () => {
    const task = scripted<number>([{ status: 'processing', done: false }]);
    const controller = new AbortController();
    const reason = new Error('interrupted');
    setTimeout(() => controller.abort(reason), 20);

    const started = performance.now();
    const error = await rejection(pollTask({ provider: 'Vidu', check: task.check, intervalMs: 60_000, signal: controller.signal }));

    expect(error).toBe(reason);
    expect(task.calls()).toBe(1);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
