import { stringify } from 'yaml';
import type { Lockfile, LockedRender, LockedVoice, PendingEntry } from './lockfile-types.js';

const voiceKeys: Array<keyof LockedVoice> = ['provider', 'fingerprint', 'sampleSha256', 'remoteId', 'createdAt', 'lastUsedAt', 'expiresAt', 'preview', 'data'];
const renderKeys: Array<keyof LockedRender> = [
  'key', 'voice', 'file', 'format', 'sha256', 'bytes', 'durationMs', 'chars',
  'voiceFingerprint', 'textSha256', 'optionsSha256', 'mtimeMs', 'renderedAt',
];
const pendingKeys: Array<keyof PendingEntry> = ['kind', 'address', 'key', 'provider', 'startedAt', 'task'];
const yamlOptions = { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false } as const;
const header = '# voices.lock: written by `voxform apply`. Commit it; do not edit it by hand.\n';

/**
 * Render entries already turned into YAML, by entry object. An apply writes the lockfile many times
 * while it grows to thousands of renders; with this cache each entry is serialised once, not once per
 * write. Entries put in it are frozen, so a cached text can never go stale.
 */
export type RenderFragments = WeakMap<LockedRender, { address: string; text: string }>;

/**
 * The lockfile as YAML with a fixed key order at every level, so the same state always gives the same
 * bytes and a pull request's diff shows only what was produced. Top-level sections and render entries
 * are serialised separately and joined: the bytes are those of serialising the whole document at once.
 */
export function serializeLockfile(lockfile: Lockfile, fragments?: RenderFragments): string {
  const parts = [
    header,
    stringify({ lockfileVersion: lockfile.lockfileVersion }, yamlOptions),
    stringify({ voices: mapSorted(lockfile.voices, (voice) => pick(voice, voiceKeys)) }, yamlOptions),
  ];
  const addresses = Object.keys(lockfile.renders).sort();
  if (addresses.length === 0) {
    parts.push(stringify({ renders: {} }, yamlOptions));
  } else {
    parts.push('renders:\n');
    for (const address of addresses) parts.push(renderFragment(address, lockfile.renders[address]!, fragments));
  }
  const pending = [...lockfile.pending]
    .sort((a, b) => compare(a.address, b.address) || compare(a.key, b.key))
    .map((entry) => pick(entry, pendingKeys));
  parts.push(stringify({ pending }, yamlOptions));
  return parts.join('');
}

function renderFragment(address: string, render: LockedRender, fragments: RenderFragments | undefined): string {
  const cached = fragments?.get(render);
  if (cached?.address === address) return cached.text;
  // Serialised inside its section, so the library indents it exactly as in the whole document.
  const text = stringify({ renders: { [address]: pick(render, renderKeys) } }, yamlOptions).slice('renders:\n'.length);
  if (fragments) fragments.set(Object.freeze(render), { address, text });
  return text;
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
