import { VoxformError } from './voxform-error.js';

const marker = 'voxform.error.CloneRequestError';
const symbol = Symbol.for(marker);

/**
 * The clone handler refused a request or could not be reached: `status` is its HTTP status (0 when no
 * answer came), `message` its explanation, `problems` the fields at fault for a 400.
 */
export class CloneRequestError extends VoxformError {
  private readonly [symbol] = true;
  readonly status: number;
  readonly problems: Array<{ path: string; message: string }>;

  constructor(options: { status: number; message: string; problems?: Array<{ path: string; message: string }>; cause?: unknown }) {
    super({ name: 'CloneRequestError', message: options.message, cause: options.cause });
    this.status = options.status;
    this.problems = options.problems ?? [];
  }

  /** Asking again may succeed: no answer, a timeout, a rate limit or a server failure (not a 4xx refusal). */
  get isRetryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }

  static override isInstance(error: unknown): error is CloneRequestError {
    return VoxformError.hasMarker(error, marker);
  }
}
