import { VoxformError } from './voxform-error.js';

const marker = 'voxform.error.UsageError';
const symbol = Symbol.for(marker);

/**
 * The user asked for something that cannot be done as asked (a stale plan file, an unknown `--target`
 * address, a held state lock, a missing `--yes`…). The message says what to do instead.
 */
export class UsageError extends VoxformError {
  private readonly [symbol] = true;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'UsageError', message, cause: options.cause });
  }

  static override isInstance(error: unknown): error is UsageError {
    return VoxformError.hasMarker(error, marker);
  }
}
