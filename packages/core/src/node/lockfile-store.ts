import { stat } from 'node:fs/promises';
import { UsageError } from '../errors/usage-error.js';
import type { Lockfile } from '../lockfile/lockfile-types.js';
import { sha256Hex } from '../identity/sha256.js';
import { createLockfileFragments, serializeLockfile } from '../lockfile/serialize-lockfile.js';
import { writeLockfileSnapshot } from './lockfile-snapshot.js';
import { writeFileDurably } from './write-file-durably.js';

/**
 * The lockfile during an apply: changed in memory, written atomically (temp file, fsync, rename).
 * Writes are coalesced: however many changes arrive while a write is running, one more write follows.
 * Render entries are serialised once and then frozen: replace an entry, never change it in place.
 */
export class LockfileStore {
  readonly file: string;
  readonly state: Lockfile;
  #version = 0;
  #written = 0;
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastText: string | undefined;
  readonly #fragments = createLockfileFragments();
  /** Why the file could not be written, once a write has failed; every later flush fails with it too. */
  failure: UsageError | undefined;

  readonly #snapshotDir: string | undefined;

  /** With `snapshotDir`, closing also leaves the parsed lockfile there for the next run (lockfile-snapshot). */
  constructor(file: string, lockfile: Lockfile, options: { snapshotDir?: string } = {}) {
    this.file = file;
    this.state = structuredClone(lockfile);
    this.#snapshotDir = options.snapshotDir;
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
      const text = serializeLockfile(this.state, this.#fragments);
      this.#writing = (text === this.#lastText ? Promise.resolve() : this.#write(text))
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

  #mode: Promise<number | undefined> | undefined;

  /** Writes keep the file's permissions: read once, not per write. */
  async #write(text: string): Promise<void> {
    this.#mode ??= stat(this.file).then(
      (info) => info.mode & 0o777,
      () => undefined,
    );
    const mode = await this.#mode;
    await writeFileDurably(this.file, text, mode === undefined ? {} : { mode });
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
    // The state is exactly what the last text parses back to (serialisation round-trips), so it is the snapshot.
    if (this.#snapshotDir && this.#lastText !== undefined) await writeLockfileSnapshot(this.#snapshotDir, sha256Hex(this.#lastText), this.state);
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
