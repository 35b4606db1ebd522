import { stringify } from 'yaml';
import type { Lockfile, LockedRender, LockedVoice, PendingEntry } from './lockfile-types.js';

const voiceKeys: Array<keyof LockedVoice> = ['provider', 'fingerprint', 'sampleSha256', 'remoteId', 'createdAt', 'lastUsedAt', 'expiresAt', 'preview', 'data'];
const renderKeys: Array<keyof LockedRender> = [
  'key', 'voice', 'file', 'format', 'sha256', 'bytes', 'durationMs', 'chars',
  'voiceFingerprint', 'textSha256', 'optionsSha256', 'mtimeMs', 'renderedAt',
];
const pendingKeys: Array<keyof PendingEntry> = ['kind', 'address', 'key', 'provider', 'startedAt', 'task'];

/**
 * The lockfile as YAML with a fixed key order at every level, so the same state always gives the same
 * bytes and a pull request's diff shows only what was produced.
 */
export function serializeLockfile(lockfile: Lockfile): string {
  const ordered = {
    lockfileVersion: lockfile.lockfileVersion,
    voices: mapSorted(lockfile.voices, (voice) => pick(voice, voiceKeys)),
    renders: mapSorted(lockfile.renders, (render) => pick(render, renderKeys)),
    pending: [...lockfile.pending]
      .sort((a, b) => compare(a.address, b.address) || compare(a.key, b.key))
      .map((entry) => pick(entry, pendingKeys)),
  };
  const header = '# voices.lock: written by `voxform apply`. Commit it; do not edit it by hand.\n';
  return header + stringify(ordered, { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false });
}

function mapSorted<TValue, TResult>(record: Record<string, TValue>, map: (value: TValue) => TResult): Record<string, TResult> {
  const result: Record<string, TResult> = {};
  for (const key of Object.keys(record).sort(compare)) result[key] = map(record[key]!);
  return result;
}

function pick<TValue extends object>(value: TValue, keys: Array<keyof TValue>): Partial<TValue> {
  const result: Partial<TValue> = {};
  for (const key of keys) if (value[key] !== undefined) result[key] = sortDeep(value[key]) as TValue[keyof TValue];
  return result;
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compare)) result[key] = sortDeep((value as Record<string, unknown>)[key]);
    return result;
  }
  return value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
