import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { sha256Hex } from '../identity/sha256.js';
import type { Lockfile } from '../lockfile/lockfile-types.js';
import { voicesLockSchema } from '../schemas/voices-lock-schema.js';

/**
 * The parsed lockfile, kept in `.voxform/` and keyed by the digest of `voices.lock`'s text. JSON.parse
 * reads a 10,000-line book's lockfile in 25 ms where YAML takes 300 ms. Like git's index it is only a
 * cache: when the text, the lockfile schema or this format differ, the lockfile is parsed again.
 */
export function lockfileSnapshotFile(stateDir: string): string {
  return path.join(stateDir, 'voices.lock.json');
}

/** write-file-atomic's temp file for the snapshot (`voices.lock.json.<number>` beside it), left by a kill. */
export function isSnapshotTempName(name: string): boolean {
  return /^voices\.lock\.json\.\d+$/.test(name);
}

let formatTag: string | undefined;
/** Changes whenever what parseLockfile accepts could change. */
function snapshotFormat(): string {
  formatTag ??= `1:${sha256Hex(JSON.stringify(voicesLockSchema))}`;
  return formatTag;
}

interface Snapshot {
  format: string;
  /** sha256 of the `voices.lock` text this is the parse of. */
  digest: string;
  lockfile: Lockfile;
}

/** The lockfile parsed from text with `digest`, if a snapshot of exactly that is there. */
export async function readLockfileSnapshot(stateDir: string, digest: string): Promise<Lockfile | undefined> {
  try {
    const text = await readFile(lockfileSnapshotFile(stateDir), 'utf8');
    // The snapshot of an older voices.lock (after a git pull) is told apart without parsing its 6 MB.
    if (!text.startsWith(snapshotHead(digest))) return undefined;
    const snapshot = JSON.parse(text) as Partial<Snapshot>;
    if (snapshot.format !== snapshotFormat() || snapshot.digest !== digest || !snapshot.lockfile) return undefined;
    return snapshot.lockfile;
  } catch {
    return undefined;
  }
}

/** How a snapshot's text begins: JSON.stringify keeps the order of Snapshot's keys. */
function snapshotHead(digest: string): string {
  return `${JSON.stringify({ format: snapshotFormat(), digest }).slice(0, -1)},`;
}

/** Saves `lockfile`, the parse of the text with `digest`. Best effort: a cache that cannot be written is no error. */
export async function writeLockfileSnapshot(stateDir: string, digest: string, lockfile: Lockfile): Promise<void> {
  try {
    await mkdir(stateDir, { recursive: true });
    const snapshot: Snapshot = { format: snapshotFormat(), digest, lockfile };
    await writeFileAtomic(lockfileSnapshotFile(stateDir), JSON.stringify(snapshot));
  } catch {
    // read-only checkout, full disk: the next run parses the YAML again
  }
}
