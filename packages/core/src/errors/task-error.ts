import { printable } from './printable.js';
import { VoxformError } from './voxform-error.js';

const marker = 'voxform.error.TaskError';
const symbol = Symbol.for(marker);

/**
 * A vendor task (an asynchronous clone or synthesis) did not finish: it reported failure, or it was still
 * running when voxform stopped waiting. A timed-out task may still finish at the vendor: its id is in the
 * lockfile's pending entry and the next apply picks it up.
 */
export class TaskError extends VoxformError {
  private readonly [symbol] = true;
  /** `failed`: the vendor says the task failed; `timeout`: voxform stopped waiting. */
  readonly reason: 'failed' | 'timeout';
  readonly provider: string;
  readonly taskId: string | undefined;
  /** The last status the vendor reported. */
  readonly status: string | undefined;

  constructor(options: {
    reason: 'failed' | 'timeout';
    provider: string;
    taskId?: string;
    status?: string;
    message: string;
    cause?: unknown;
  }) {
    // Adapters quote the vendor's reason: no control characters reach the terminal.
    super({ name: 'TaskError', message: printable(options.message), cause: options.cause });
    this.reason = options.reason;
    this.provider = options.provider;
    this.taskId = options.taskId;
    this.status = options.status;
  }

  static override isInstance(error: unknown): error is TaskError {
    return VoxformError.hasMarker(error, marker);
  }
}
