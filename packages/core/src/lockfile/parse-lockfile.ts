import type { Diagnostic } from '../errors/diagnostic.js';
import { LockfileError } from '../errors/lockfile-error.js';
import { voicesLockSchema } from '../schemas/voices-lock-schema.js';
import { validateWithSchema } from '../validation/schema-validator.js';
import { schemaDiagnostics, type SchemaMessageOverride } from '../yaml/schema-diagnostics.js';
import { YamlSource } from '../yaml/yaml-source.js';
import { conflictSides, findConflictMarkers } from '../yaml/conflict-markers.js';
import { emptyLockfile, type Lockfile, type PendingEntry } from './lockfile-types.js';

// voxform moves and deletes the files the lockfile names: a path leading out of the project is refused.
const overrides: SchemaMessageOverride[] = [
  {
    path: /^(renders\..+|voices\.[^.]+\.preview)\.file$/,
    keyword: 'pattern',
    message: "must be a .wav or .mp3 file inside the project: a relative path with '/' between folders and no '.' or '..' (voxform writes such paths itself; this one was edited or comes from elsewhere)",
  },
];

/**
 * Reads `voices.lock`. A missing or empty file is an empty lockfile; anything else that is not a
 * valid lockfile throws a LockfileError naming the line and how to recover. It never resets the file:
 * the entries in it record money already spent.
 */
export function parseLockfile(text: string | undefined, file: string): Lockfile {
  if (text === undefined || text.trim() === '') return emptyLockfile();

  const markers = findConflictMarkers(text);
  if (markers.length > 0) {
    const conflicts = Math.max(1, markers.filter((marker) => marker.marker === '<<<<<<<').length);
    throw new LockfileError({
      diagnostics: markers.slice(0, 4).map(({ line, marker }) => ({
        file,
        line,
        column: 1,
        path: '',
        message: `git merge conflict marker '${marker}'`,
        severity: 'error',
      })),
      recovery:
        `${file} has unresolved merge conflicts (${conflicts} conflict${conflicts === 1 ? '' : 's'}${conflictSides(markers)}). ` +
        `Every entry on either side records work that was paid for, so keep the entries of both sides: delete the ` +
        `<<<<<<<, |||||||, ======= and >>>>>>> lines and keep what is between them from both sides (for an address on ` +
        `both sides keep the one rendered later; keep every pending entry). Or take one side (git checkout --ours ${file}, ` +
        `or git checkout --theirs ${file}) and run \`voxform plan\` to see what the other side's entries would cost again ` +
        `before \`voxform apply\`: audio still in .voxform/cache is restored for free, voices are cloned again. Then git add ${file}.`,
    });
  }

  text = withoutTornAppend(text);
  const { source, diagnostics } = YamlSource.parse(text, file);
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) throw damaged(file, errors);
  const value = source.toJS();
  if (value === null || value === undefined) return emptyLockfile(); // only comments
  const { valid, errors: schemaErrors } = validateWithSchema(voicesLockSchema, value);
  if (!valid) throw damaged(file, schemaDiagnostics(schemaErrors, value, source, { overrides }));
  const lockfile = value as Lockfile;
  lockfile.pending = latestPendingEntries(lockfile.pending);
  return lockfile;
}

/**
 * An apply appends pending entries to the lockfile as single lines (lockfile-store) and fdatasyncs
 * each before its billable call. A last line without its newline is such an append cut short by a
 * power loss, before its sync: its call was never made, so it is dropped.
 */
function withoutTornAppend(text: string): string {
  if (text.endsWith('\n')) return text;
  const start = text.lastIndexOf('\n') + 1;
  const last = text.slice(start);
  if (!last.startsWith('  - {')) return text;
  try {
    JSON.parse(last.slice(4));
    return text;
  } catch {
    return text.slice(0, start);
  }
}

/** An entry appended again (with the vendor's task id) replaces the one before it: one entry per work. */
function latestPendingEntries(pending: PendingEntry[]): PendingEntry[] {
  const latest = new Map<string, PendingEntry>();
  for (const entry of pending) {
    const id = `${entry.address}\u0000${entry.key}`;
    latest.delete(id);
    latest.set(id, entry);
  }
  return latest.size === pending.length ? pending : [...latest.values()];
}

function damaged(file: string, diagnostics: Diagnostic[]): LockfileError {
  return new LockfileError({
    diagnostics,
    recovery:
      `${file} is damaged, so voxform will not read or overwrite it. Restore it from git (git checkout -- ${file}) ` +
      `or fix the lines above. Deleting it is safe but forgets every voice and render: audio still in ` +
      `.voxform/cache is restored for free, but voices are cloned again.`,
  });
}
