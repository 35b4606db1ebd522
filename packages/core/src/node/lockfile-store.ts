import writeFileAtomic from 'write-file-atomic';
import { UsageError } from '../errors/usage-error.js';
import type { Lockfile } from '../lockfile/lockfile-types.js';
import { serializeLockfile } from '../lockfile/serialize-lockfile.js';

/**
 * The lockfile during an apply: changed in memory, written atomically (temp file, fsync, rename).
 * Writes are coalesced: however many changes arrive while a write is running, one more write follows.
 */
export class LockfileStore {
  readonly file: string;
  readonly state: Lockfile;
  #version = 0;
  #written = 0;
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastText: string | undefined;
  /** Why the file could not be written, once a write has failed; every later flush fails with it too. */
  failure: UsageError | undefined;

  constructor(file: string, lockfile: Lockfile) {
    this.file = file;
    this.state = structuredClone(lockfile);
  }

  /** Changes the state; it reaches the disk at the next flush, or within `delayMs`. */
  update(change: (lockfile: Lockfile) => void, delayMs = 200): void {
    change(this.state);
    this.#version++;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(() => {}); // a failed write surfaces at the next awaited flush
    }, delayMs);
  }

  /** Resolves once every change made before the call is on disk. */
  async flush(): Promise<void> {
    const wanted = this.#version;
    while (this.#written < wanted) {
      if (this.#writing) {
        await this.#writing;
        continue;
      }
      const version = this.#version;
      const text = serializeLockfile(this.state);
      this.#writing = (text === this.#lastText ? Promise.resolve() : writeFileAtomic(this.file, text, { fsync: true }))
        .then(
          () => {
            this.#written = version;
            this.#lastText = text;
          },
          (error: unknown) => {
            this.failure ??= cannotWrite(this.file, error);
            throw this.failure;
          },
        )
        .finally(() => {
          this.#writing = undefined;
        });
      await this.#writing;
    }
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}

function cannotWrite(file: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (error as Error).message ?? String(error);
  return new UsageError(
    `voxform cannot write ${file} (${code ? `${code}: ` : ''}${reason.replace(/^[A-Z]+: /, '')}), so nothing more is sent to the vendors: ` +
      `every billable call is recorded there before it is made. What was recorded before is kept, and audio already rendered is in .voxform/cache. ` +
      `Make ${file} writable (its permissions and its folder's, a read-only or full disk, an immutable attribute), then run \`voxform apply\` again.`,
    { cause: error },
  );
}
