import { formatDiagnostic, type Diagnostic } from './diagnostic.js';
import { VoxformError } from './voxform-error.js';

const marker = 'voxform.error.ManifestError';
const symbol = Symbol.for(marker);

/** The manifest (or a file it refers to) is invalid. Carries every problem found, not only the first. */
export class ManifestError extends VoxformError {
  private readonly [symbol] = true;
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    super({
      name: 'ManifestError',
      message: `${errors.length} problem${errors.length === 1 ? '' : 's'} in the manifest:\n${errors.map(formatDiagnostic).join('\n')}`,
    });
    this.diagnostics = diagnostics;
  }

  static override isInstance(error: unknown): error is ManifestError {
    return VoxformError.hasMarker(error, marker);
  }
}
