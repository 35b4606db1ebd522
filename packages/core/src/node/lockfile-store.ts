import { open, stat, type FileHandle } from 'node:fs/promises';
import { UsageError } from '../errors/usage-error.js';
import type { Lockfile, PendingEntry } from '../lockfile/lockfile-types.js';
import { sha256Hex } from '../identity/sha256.js';
import { appendedPendingEntry, createLockfileFragments, serializeLockfile } from '../lockfile/serialize-lockfile.js';
import { writeLockfileSnapshot } from './lockfile-snapshot.js';
import { writeFileDurably } from './write-file-durably.js';

/**
 * Full writes are at least this far apart by default; what must be on disk sooner is appended (see
 * `writeAhead`). A checkpoint of a 10,000-line lockfile costs about 30 ms of CPU: one a second was
 * about 1.5 ms per line at 20 lines a second, one every five seconds is about 0.3 ms.
 */
const defaultCheckpointMs = 5000;
/** ...and at least this many times as long as the last full write took, so a big lockfile costs at most about 1% of the time. */
const checkpointSpacing = 100;

/**
 * The lockfile during an apply, changed in memory and reaching the disk in two ways:
 *
 * - Checkpoints: the whole file, written atomically (temp file, fsync, rename) a while after a change
 *   (at least five seconds, and a hundred times as long as the last write took), and at {@link flush}/{@link close}.
 * - Write-ahead appends: a pending entry that must be on disk before a billable call is appended to the
 *   file's `pending:` list as one line and fdatasynced (O(entry), not O(lockfile)); entries waiting
 *   at the same moment share one append. A kill -9 cannot tear a write, and a line cut short by a power
 *   loss is dropped when read (parse-lockfile): its call was never made, as the call waits for the sync.
 *
 * Between checkpoints the file can hold entries that are done in memory (a render recorded, a pending
 * entry cleared): the next apply settles them from the cache. Render entries are serialised once and
 * then frozen: replace an entry, never change it in place.
 */
export class LockfileStore {
  readonly file: string;
  readonly state: Lockfile;
  /** Bumped by every change; `#written` is the version the last full write holds. */
  #version = 0;
  #written = 0;
  /** Every write to the file, one after the other and in order. */
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  /** The text of the last full write, and whether lines were appended to it since. */
  #lastText: string | undefined;
  #appended = false;
  /** Whether the file ends with a non-empty block list of pending entries, which an entry can be appended to. */
  #appendable = false;
  #appendHandle: FileHandle | undefined;
  /** Entries asked for while an append is waiting to start: they go in the same append. */
  #batch: { lines: string[]; done: Promise<void> } | undefined;
  #lastWriteMs = 0;
  readonly #fragments = createLockfileFragments();
  /** Why the file could not be written, once a write has failed; every later write fails with it too. */
  failure: UsageError | undefined;

  readonly #snapshotDir: string | undefined;
  readonly #checkpointMs: number;

  /**
   * With `snapshotDir`, closing also leaves the parsed lockfile there for the next run (lockfile-snapshot).
   * `checkpointMs`: the least time from a change to the full write that takes it to disk (default 5 s).
   */
  constructor(file: string, lockfile: Lockfile, options: { snapshotDir?: string; checkpointMs?: number } = {}) {
    this.file = file;
    this.state = structuredClone(lockfile);
    this.#snapshotDir = options.snapshotDir;
    this.#checkpointMs = options.checkpointMs ?? defaultCheckpointMs;
  }

  /** Changes the state; it reaches the disk at the next checkpoint or flush. */
  update(change: (lockfile: Lockfile) => void): void {
    change(this.state);
    this.#version++;
    this.#timer ??= setTimeout(
      () => {
        this.#timer = undefined;
        this.flush().catch(() => {}); // a failed write surfaces at the next awaited write
      },
      Math.max(this.#checkpointMs, checkpointSpacing * this.#lastWriteMs),
    );
  }

  /**
   * Resolves once `entry`, already in the state's pending list, is on disk (fdatasynced): the
   * write-ahead before a billable call, and the task id the vendor gave for it.
   */
  async writeAhead(entry: PendingEntry): Promise<void> {
    if (this.failure) throw this.failure;
    const line = appendedPendingEntry(entry);
    if (!this.#batch) {
      const batch: { lines: string[]; done: Promise<void> } = { lines: [], done: Promise.resolve() };
      batch.done = this.#enqueue(async () => {
        if (this.#batch === batch) this.#batch = undefined;
        // After a checkpoint that found nothing pending the file ends `pending: []`: written whole instead.
        if (this.#appendable) await this.#append(batch.lines.join(''));
        else await this.#rewrite();
      });
      this.#batch = batch;
    }
    this.#batch.lines.push(line);
    await this.#batch.done;
  }

  /** Resolves once every change made before the call is on disk. */
  async flush(): Promise<void> {
    const wanted = this.#version;
    await this.#enqueue(async () => {
      if (this.#written < wanted) await this.#rewrite();
    });
  }

  /** Runs `write` after every write asked for before it; a failure is kept and fails every later write. */
  #enqueue(write: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.failure) throw this.failure;
      try {
        await write();
      } catch (error) {
        this.failure ??= cannotWrite(this.file, error);
        throw this.failure;
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #rewrite(): Promise<void> {
    const started = performance.now();
    const version = this.#version;
    const text = serializeLockfile(this.state, this.#fragments);
    if (text !== this.#lastText || this.#appended) {
      // The file is replaced: a handle on the old one must not be appended to.
      await this.#closeAppendHandle();
      await this.#write(text);
      this.#lastText = text;
      this.#appended = false;
    }
    this.#written = version;
    this.#appendable = this.state.pending.length > 0;
    this.#lastWriteMs = performance.now() - started;
  }

  async #append(text: string): Promise<void> {
    this.#appendHandle ??= await open(this.file, 'a');
    await this.#appendHandle.write(text);
    await this.#appendHandle.datasync();
    this.#appended = true;
  }

  async #closeAppendHandle(): Promise<void> {
    const handle = this.#appendHandle;
    this.#appendHandle = undefined;
    await handle?.close();
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

  /** Writes the lockfile whole (in its canonical form, without appended lines) and lets it go. */
  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.#enqueue(async () => {
        if (this.#written < this.#version || this.#appended) await this.#rewrite();
      });
    } finally {
      await this.#closeAppendHandle().catch(() => {});
    }
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
