/**
 * The emulator's notion of now: real time plus an offset tests can move forward, so that voices
 * expire (168 h, 3 days) and tasks advance without waiting.
 */
export class EmulatorClock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Moves time forward by `milliseconds` (never backward). */
  advance(milliseconds: number): number {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) {
      throw new RangeError(`Expected a finite number of milliseconds >= 0 to advance the clock, got ${milliseconds}`);
    }
    this.#offsetMs += milliseconds;
    return this.now();
  }

  reset(): void {
    this.#offsetMs = 0;
  }
}
