import { formatDiagnostic, type Diagnostic } from './diagnostic.js';
import { VoxformError } from './voxform-error.js';

const marker = 'voxform.error.LockfileError';
const symbol = Symbol.for(marker);

/**
 * `voices.lock` cannot be trusted as it is. Never answered by resetting the file: the message says how
 * to recover, and nothing is written until the user has.
 */
export class LockfileError extends VoxformError {
  private readonly [symbol] = true;
  readonly diagnostics: Diagnostic[];

  constructor({ diagnostics, recovery }: { diagnostics: Diagnostic[]; recovery: string }) {
    super({
      name: 'LockfileError',
      message: `${diagnostics.map(formatDiagnostic).join('\n')}\n${recovery}`,
    });
    this.diagnostics = diagnostics;
  }

  static override isInstance(error: unknown): error is LockfileError {
    return VoxformError.hasMarker(error, marker);
  }
}
