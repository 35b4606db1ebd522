import { TaskError } from '../errors/task-error.js';
import { sleep as defaultSleep, type Sleep } from './sleep.js';

/** One look at a vendor task. */
export interface TaskCheck<TResult> {
  /** The vendor's status word (`queueing`, `processing`, `success`…), reported when it changes. */
  status: string;
  /** The task has finished, well or badly. */
  done: boolean;
  /** The outcome, when done and successful. */
  result?: TResult;
  /** Set when done and failed: an error (thrown as is, e.g. an ApiCallError) or the vendor's explanation. */
  error?: Error | string;
}

export interface PollTaskOptions<TResult> {
  /** Looks at the task once; usually one HTTP request through the client. */
  check: (context: { signal?: AbortSignal; attempt: number }) => Promise<TaskCheck<TResult>>;
  /** The provider's human name, for messages (`Vidu`). */
  provider: string;
  /** The vendor's task id, for messages. */
  taskId?: string;
  /** First wait between two checks, in ms. Default 2 000. */
  intervalMs?: number;
  /** Longest wait between two checks, in ms. Default 30 000. */
  maxIntervalMs?: number;
  /** Growth of the wait after each check. Default 1.5. */
  backoffFactor?: number;
  /** Stop waiting after this long (the task may still finish at the vendor), in ms. Default 600 000. */
  timeoutMs?: number;
  /** Aborts the wait at once (during a check or a sleep) with the signal's reason. */
  signal?: AbortSignal;
  /** Called with each new status, once per change (not once per check). */
  onStatus?: (status: string) => void;
  /** Waits between checks; tests inject one that records the interval. Default: a timer the signal cancels. */
  sleep?: Sleep;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * Checks a vendor task until it is done, waiting `intervalMs`, then longer by `backoffFactor` each
 * time up to `maxIntervalMs`. Resolves with the result; rejects with a {@link TaskError} when the task
 * failed (`reason: 'failed'`) or is still running after `timeoutMs` (`reason: 'timeout'`; one last check
 * is made at the deadline), or with the signal's reason when aborted.
 */
export async function pollTask<TResult>(options: PollTaskOptions<TResult>): Promise<TResult> {
  const intervalMs = options.intervalMs ?? 2_000;
  const maxIntervalMs = options.maxIntervalMs ?? 30_000;
  const backoffFactor = options.backoffFactor ?? 1.5;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const task = options.taskId === undefined ? `${options.provider} task` : `${options.provider} task ${options.taskId}`;

  const deadline = now() + timeoutMs;
  let interval = Math.min(intervalMs, maxIntervalMs);
  let lastStatus: string | undefined;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    const check = await options.check({ ...(options.signal ? { signal: options.signal } : {}), attempt });
    options.signal?.throwIfAborted();
    if (check.status !== lastStatus) {
      lastStatus = check.status;
      options.onStatus?.(check.status);
    }
    if (check.done) {
      if (check.error instanceof Error) throw check.error;
      if (check.error !== undefined) {
        throw new TaskError({
          reason: 'failed',
          provider: options.provider,
          ...(options.taskId === undefined ? {} : { taskId: options.taskId }),
          status: check.status,
          message: `${task} failed (status ${check.status}): ${check.error}`,
        });
      }
      return check.result as TResult;
    }
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new TaskError({
        reason: 'timeout',
        provider: options.provider,
        ...(options.taskId === undefined ? {} : { taskId: options.taskId }),
        status: check.status,
        message:
          `${task} was still ${check.status} after ${formatDuration(timeoutMs)}. voxform stopped waiting; its task id is recorded: ` +
          'run `voxform apply` again later to pick the task up instead of paying for it again.',
      });
    }
    await sleep(Math.min(interval, remaining), options.signal);
    interval = Math.min(maxIntervalMs, interval * backoffFactor);
  }
}

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6_000) / 10} min`;
}
