const marker = 'voxform.error';
const symbol = Symbol.for(marker);

/**
 * Base of every error voxform throws on purpose. The marker symbol (rather than `instanceof`) lets
 * two copies of core in one bundle recognise each other's errors.
 */
export class VoxformError extends Error {
  private readonly [symbol] = true;

  constructor({ name, message, cause }: { name: string; message: string; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
  }

  static isInstance(error: unknown): error is VoxformError {
    return VoxformError.hasMarker(error, marker);
  }

  protected static hasMarker(error: unknown, markerName: string): boolean {
    const markerSymbol = Symbol.for(markerName);
    return (
      error != null &&
      typeof error === 'object' &&
      markerSymbol in error &&
      typeof (error as Record<symbol, unknown>)[markerSymbol] === 'boolean' &&
      (error as Record<symbol, unknown>)[markerSymbol] === true
    );
  }
}
