import { stringify } from 'yaml';
import type { Lockfile, LockedAssembly, LockedRender, LockedVoice, PendingEntry } from './lockfile-types.js';

const voiceKeys: Array<keyof LockedVoice> = ['provider', 'fingerprint', 'sampleSha256', 'remoteId', 'createdAt', 'lastUsedAt', 'expiresAt', 'preview', 'data'];
const renderKeys: Array<keyof LockedRender> = [
  'key', 'voice', 'file', 'format', 'sha256', 'bytes', 'durationMs', 'chars', 'pieces',
  'voiceFingerprint', 'textSha256', 'optionsSha256', 'lexiconSha256', 'mtimeMs', 'renderedAt',
];
const assemblyKeys: Array<keyof LockedAssembly> = ['key', 'file', 'format', 'sha256', 'bytes', 'durationMs', 'loudness', 'parts', 'mtimeMs', 'builtAt'];
const pendingKeys: Array<keyof PendingEntry> = ['kind', 'address', 'key', 'provider', 'startedAt', 'task'];
const yamlOptions = { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false } as const;
const header = '# voices.lock: written by `voxform apply`. Commit it; do not edit it by hand.\n';

/**
 * Entries already turned into YAML, so that an apply, which writes the lockfile many times while it
 * grows to thousands of renders, serialises each entry once rather than once per write. Renders are
 * kept by entry object and frozen, so a cached text can never go stale; voices and pending entries, few
 * and changed in place, by their content.
 */
export interface LockfileFragments {
  renders: WeakMap<LockedRender, { address: string; text: string }>;
  byContent: Map<string, string>;
}

export function createLockfileFragments(): LockfileFragments {
  return { renders: new WeakMap(), byContent: new Map() };
}

/**
 * The lockfile as YAML with a fixed key order at every level, so the same state always gives the same
 * bytes and a pull request's diff shows only what was produced. Each entry is serialised inside its
 * section on its own and the pieces are joined: the bytes are those of serialising the whole document
 * at once (a property test checks it).
 */
export function serializeLockfile(lockfile: Lockfile, fragments?: LockfileFragments): string {
  const used = new Map<string, string>();
  // An entry serialised inside its section, so the library indents it exactly as in the whole document.
  const byContent = (section: 'voices' | 'pending', value: unknown, name?: string): string => {
    const id = `${section}\u0000${name ?? ''}\u0000${JSON.stringify(value)}`;
    let text = used.get(id) ?? fragments?.byContent.get(id);
    if (text === undefined) {
      const document = section === 'voices' ? { voices: { [name!]: value } } : { pending: [value] };
      text = stringify(document, yamlOptions).slice(`${section}:\n`.length);
    }
    used.set(id, text);
    return text;
  };

  const parts = [header, stringify({ lockfileVersion: lockfile.lockfileVersion }, yamlOptions)];
  const names = Object.keys(lockfile.voices).sort(compare);
  if (names.length === 0) parts.push(stringify({ voices: {} }, yamlOptions));
  else {
    parts.push('voices:\n');
    for (const name of names) parts.push(byContent('voices', pick(lockfile.voices[name]!, voiceKeys), name));
  }
  const addresses = Object.keys(lockfile.renders).sort(compare);
  if (addresses.length === 0) parts.push(stringify({ renders: {} }, yamlOptions));
  else {
    parts.push('renders:\n');
    for (const address of addresses) parts.push(renderFragment(address, lockfile.renders[address]!, fragments));
  }
  // Only written when something is assembled, so projects without chapters keep their lockfile as it was.
  const assemblies = Object.keys(lockfile.assemblies ?? {}).sort(compare);
  if (assemblies.length > 0) {
    parts.push('assemblies:\n');
    for (const address of assemblies) {
      parts.push(stringify({ assemblies: { [address]: pick(lockfile.assemblies![address]!, assemblyKeys) } }, yamlOptions).slice('assemblies:\n'.length));
    }
  }
  const pending = [...lockfile.pending].sort((a, b) => compare(a.address, b.address) || compare(a.key, b.key));
  if (pending.length === 0) parts.push(stringify({ pending: [] }, yamlOptions));
  else {
    parts.push('pending:\n');
    for (const entry of pending) parts.push(byContent('pending', pick(entry, pendingKeys)));
  }
  // Only what this state uses is kept: pending entries come and go all through an apply.
  if (fragments) fragments.byContent = used;
  return parts.join('');
}

/**
 * A pending entry as one line to append to a lockfile whose last section is a non-empty `pending:` list:
 * a YAML flow mapping written as JSON (keys in the lockfile's order, ASCII only, so no character can
 * be unprintable in YAML). The next full write puts the entry back in block style.
 */
export function appendedPendingEntry(entry: PendingEntry): string {
  const json = JSON.stringify(pick(entry, pendingKeys)).replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `  - ${json}\n`;
}

function renderFragment(address: string, render: LockedRender, fragments: LockfileFragments | undefined): string {
  const cached = fragments?.renders.get(render);
  if (cached?.address === address) return cached.text;
  const text = stringify({ renders: { [address]: pick(render, renderKeys) } }, yamlOptions).slice('renders:\n'.length);
  if (fragments) fragments.renders.set(Object.freeze(render), { address, text });
  return text;
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
    for (const key of Object.keys(value).sort(compare)) {
      // Defined, not assigned: vendor data may hold a key named `__proto__`, which assignment would drop.
      Object.defineProperty(result, key, { value: sortDeep((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    }
    return result;
  }
  return value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
