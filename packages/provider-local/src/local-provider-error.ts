const marker = 'voxform.error.LocalProviderError';
const symbol = Symbol.for(marker);

/**
 * What went wrong in the local provider:
 * - `unsupported-sample`: the sample is not a WAV file, or not PCM/float WAV;
 * - `no-voiced-speech`: the sample holds no measurable voiced speech;
 * - `synthesis-failed`: espeak-ng failed or wrote no audio (for example an unknown voice name).
 */
export type LocalProviderErrorCode = 'unsupported-sample' | 'no-voiced-speech' | 'synthesis-failed';

/** An error of the local provider. Its message says what was wrong and how to fix it. */
export class LocalProviderError extends Error {
  private readonly [symbol] = true;
  readonly code: LocalProviderErrorCode;

  constructor({ code, message, cause }: { code: LocalProviderErrorCode; message: string; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'LocalProviderError';
    this.code = code;
  }

  /** Like `instanceof`, but also true for an error made by another copy of this package. */
  static isInstance(error: unknown): error is LocalProviderError {
    return typeof error === 'object' && error !== null && symbol in error;
  }
}
