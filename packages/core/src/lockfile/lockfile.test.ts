import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LockfileError } from '../errors/lockfile-error.js';
import { sha256Hex } from '../identity/sha256.js';
import { emptyLockfile, type LockedRender, type Lockfile } from './lockfile-types.js';
import { parseLockfile } from './parse-lockfile.js';
import { createLockfileFragments, serializeLockfile } from './serialize-lockfile.js';

function render(address: string, overrides: Partial<LockedRender> = {}): LockedRender {
  return {
    key: sha256Hex(`key ${address}`),
    voice: 'narrator',
    voiceFingerprint: sha256Hex('narrator'),
    textSha256: sha256Hex(`text ${address}`),
    optionsSha256: sha256Hex('{}'),
    format: 'wav',
    file: `out/${address}.wav`,
    sha256: sha256Hex(`audio ${address}`),
    bytes: 48_044,
    durationMs: 1_500,
    chars: 31,
    mtimeMs: 1_795_255_500_000.25,
    renderedAt: '2026-11-21T10:05:00.000Z',
    ...overrides,
  };
}

/** A lockfile using every field, with values YAML could mistake for other types. */
function fullLockfile(): Lockfile {
  return {
    lockfileVersion: 1,
    voices: {
      narrator: {
        provider: 'minimax',
        fingerprint: sha256Hex('narrator'),
        sampleSha256: sha256Hex('narrator sample'),
        remoteId: '0012',
        createdAt: '2026-11-21T10:00:00.000Z',
        lastUsedAt: '2026-11-21T10:05:00.000Z',
        expiresAt: '2026-11-28T10:05:00.000Z',
        data: { fileId: 3_651_821_593, nested: { zeta: true, alpha: 'yes' }, list: ['b', 'a'] },
      },
      villain: { provider: 'local', fingerprint: sha256Hex('villain'), createdAt: '2026-11-21T10:00:00.000Z' },
    },
    renders: {
      'chapter-01/0001': render('chapter-01/0001'),
      'chapter-01/villain-laugh': render('chapter-01/villain-laugh', { voice: 'villain', mtimeMs: undefined, renderedAt: undefined }),
    },
    pending: [
      { kind: 'line', address: 'chapter-02/0003', key: sha256Hex('pending line'), provider: 'vidu', startedAt: '2026-11-21T10:06:00.000Z', task: { taskId: 'task_5f3a9c', data: { attempt: 2 } } },
      { kind: 'voice', address: 'voice.hero', key: sha256Hex('pending voice'), provider: 'minimax', startedAt: '2026-11-21T10:06:00.000Z' },
    ],
  };
}

/** The same lockfile built in the opposite order at every level. */
function reversed(lockfile: Lockfile): Lockfile {
  const reverseKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reverseKeys);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reverseKeys(item)]));
    }
    return value;
  };
  const result = reverseKeys(lockfile) as Lockfile;
  result.pending.reverse();
  return result;
}

describe('serializeLockfile and parseLockfile', () => {
  it('round-trips: parse(serialize(x)) equals x', () => {
    const lockfile = JSON.parse(JSON.stringify(fullLockfile())) as Lockfile; // drops the undefined members
    const parsed = parseLockfile(serializeLockfile(lockfile), 'voices.lock');
    expect(parsed).toEqual(lockfile);
    expect(parsed.voices.narrator?.remoteId).toBe('0012');
    expect(typeof parsed.voices.narrator?.createdAt).toBe('string');
  });

  it('writes the same bytes whatever the insertion order', () => {
    const text = serializeLockfile(fullLockfile());
    expect(serializeLockfile(reversed(fullLockfile()))).toBe(text);
  });

  it('orders keys for a readable diff: version, voices, renders, pending; entries by name; fields in a fixed order', () => {
    const text = serializeLockfile(reversed(fullLockfile()));
    const topLevel = text.split('\n').filter((line) => /^[a-zA-Z]/.test(line));
    expect(topLevel).toEqual(['lockfileVersion: 1', 'voices:', 'renders:', 'pending:']);
    expect(text.indexOf('  narrator:')).toBeLessThan(text.indexOf('  villain:'));
    expect(text.indexOf('chapter-01/0001:')).toBeLessThan(text.indexOf('chapter-01/villain-laugh:'));
    expect(text.indexOf('address: chapter-02/0003')).toBeLessThan(text.indexOf('address: voice.hero'));
    const firstRender = text.slice(text.indexOf('chapter-01/0001:')).split('\n').slice(1, 5).map((line) => line.trim().split(':')[0]);
    expect(firstRender).toEqual(['key', 'voice', 'file', 'format']);
    expect(text.indexOf('alpha:')).toBeLessThan(text.indexOf('zeta:'));
    expect(text.startsWith('# voices.lock')).toBe(true);
  });

  it('serializes an empty lockfile that parses back to an empty lockfile', () => {
    expect(parseLockfile(serializeLockfile(emptyLockfile()), 'voices.lock')).toEqual(emptyLockfile());
  });
});

describe('serializeLockfile with a fragment cache', () => {
  /** Awkward strings: YAML indicators, numbers-as-text, newlines, quotes, non-ASCII. */
  const awkward = fc.oneof(
    fc.string(),
    fc.constantFrom('', '0012', 'yes', 'null', '- a', 'a: b', '#x', 'two\nlines\n\nand a gap', ' lead', 'trail ', '"q"', "it's", 'ünï ✓'),
  );
  const renderArbitrary = fc.record({
    key: awkward, voice: awkward, voiceFingerprint: awkward, textSha256: awkward, optionsSha256: awkward,
    format: fc.constantFrom('wav' as const, 'mp3' as const), file: awkward, sha256: awkward,
    bytes: fc.nat(), durationMs: fc.nat(), chars: fc.nat(),
  });
  const addressArbitrary = fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('chapter-01/0001', 'a: b/c', '0001', '- x'));

  const voiceArbitrary = fc.record(
    {
      provider: awkward, fingerprint: awkward, remoteId: awkward, createdAt: awkward, expiresAt: awkward,
      data: fc.dictionary(awkward, fc.oneof(awkward, fc.integer(), fc.boolean(), fc.array(awkward, { maxLength: 2 }))),
    },
    { requiredKeys: ['provider', 'fingerprint', 'createdAt'] },
  );
  const pendingArbitrary = fc.record(
    {
      kind: fc.constantFrom('voice' as const, 'line' as const), address: addressArbitrary, key: awkward, provider: awkward, startedAt: awkward,
      task: fc.record({ taskId: awkward, data: fc.dictionary(awkward, awkward, { maxKeys: 2 }) }, { requiredKeys: [] }),
    },
    { requiredKeys: ['kind', 'address', 'key', 'provider', 'startedAt'] },
  );
  const lockfileArbitrary = fc.record({
    lockfileVersion: fc.constant(1 as const),
    voices: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), voiceArbitrary, { maxKeys: 3 }),
    renders: fc.dictionary(addressArbitrary, renderArbitrary, { maxKeys: 6 }),
    pending: fc.array(pendingArbitrary, { maxLength: 4 }),
  }) as fc.Arbitrary<Lockfile>;

  /** The reference: the whole document serialised in one call, as before fragments existed. */
  function serializeWhole(lockfile: Lockfile): string {
    const ordered = <T extends object>(value: T, order: readonly string[]) =>
      Object.fromEntries(order.flatMap((field) => (field in value ? [[field, sortKeys((value as Record<string, unknown>)[field])]] : [])));
    // Nested values (a voice's data) as the lockfile orders them: keys sorted into a plain object.
    const sortKeys = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(sortKeys) : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])])) : value;
    const renderOrder = ['key', 'voice', 'file', 'format', 'sha256', 'bytes', 'durationMs', 'chars', 'voiceFingerprint', 'textSha256', 'optionsSha256', 'mtimeMs', 'renderedAt'];
    const voiceOrder = ['provider', 'fingerprint', 'sampleSha256', 'remoteId', 'createdAt', 'lastUsedAt', 'expiresAt', 'preview', 'data'];
    const pendingOrder = ['kind', 'address', 'key', 'provider', 'startedAt', 'task'];
    // Entries in Maps: sorted, even keys like "0" that a plain object would move first.
    const document = new Map<string, unknown>([
      ['lockfileVersion', 1],
      ['voices', new Map(Object.keys(lockfile.voices).sort().map((name) => [name, ordered(lockfile.voices[name]!, voiceOrder)]))],
      ['renders', new Map(Object.keys(lockfile.renders).sort().map((address) => [address, ordered(lockfile.renders[address]!, renderOrder)]))],
      [
        'pending',
        [...lockfile.pending]
          .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          .map((entry) => ordered(entry, pendingOrder)),
      ],
    ]);
    return (
      '# voices.lock: written by `voxform apply`. Commit it; do not edit it by hand.\n' +
      stringify(document, { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false })
    );
  }

  it('writes exactly the bytes of serialising the whole document at once', () => {
    fc.assert(
      fc.property(lockfileArbitrary, (lockfile) => {
        const whole = serializeWhole(lockfile);
        expect(serializeLockfile(structuredClone(lockfile))).toBe(whole);
        const fragments = createLockfileFragments();
        expect(serializeLockfile(structuredClone(lockfile), fragments)).toBe(whole);
        expect(serializeLockfile(structuredClone(lockfile), fragments)).toBe(whole); // from the cache
      }),
    );
  });

  it('follows voices and pending entries changed in place', () => {
    const fragments = createLockfileFragments();
    const lockfile = fullLockfile();
    serializeLockfile(lockfile, fragments);
    lockfile.voices.narrator!.lastUsedAt = '2026-12-01T00:00:00.000Z';
    lockfile.pending[0]!.task = { taskId: 'task-changed' };
    const text = serializeLockfile(lockfile, fragments);
    expect(text).toBe(serializeLockfile(structuredClone(lockfile)));
    expect(text).toContain('lastUsedAt: 2026-12-01T00:00:00.000Z');
    expect(text).toContain('taskId: task-changed');
  });

  it("reuses an entry's text, freezes the entry so it cannot go stale, and follows a move to another address", () => {
    const fragments = createLockfileFragments();
    const lockfile = fullLockfile();
    const first = serializeLockfile(lockfile, fragments);
    const entry = lockfile.renders['chapter-01/0001']!;
    expect(Object.isFrozen(entry)).toBe(true);
    expect(() => {
      (entry as { bytes: number }).bytes = 1;
    }).toThrow(TypeError);
    expect(serializeLockfile(lockfile, fragments)).toBe(first);

    delete lockfile.renders['chapter-01/0001'];
    lockfile.renders['chapter-09/0001'] = entry;
    const moved = serializeLockfile(lockfile, fragments);
    expect(moved).toBe(serializeLockfile(structuredClone(lockfile)));
    expect(moved).toContain('chapter-09/0001:');
    expect(moved).not.toContain('chapter-01/0001:');
  });
});

describe('parseLockfile', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '  \n\n'],
  ])('reads a %s file as an empty lockfile', (_name, text) => {
    expect(parseLockfile(text, 'voices.lock')).toEqual({ lockfileVersion: 1, voices: {}, renders: {}, pending: [] });
  });

  function lockfileError(text: string): LockfileError {
    try {
      parseLockfile(text, 'voices.lock');
    } catch (error) {
      expect(LockfileError.isInstance(error)).toBe(true);
      return error as LockfileError;
    }
    throw new Error('parseLockfile accepted a damaged lockfile');
  }

  const renderYaml = (address: string, without?: keyof LockedRender) => {
    const entry = render(address, { mtimeMs: undefined, renderedAt: undefined });
    const fields = Object.entries(entry).filter(([key, value]) => key !== without && value !== undefined);
    return `  ${address}:\n${fields.map(([key, value]) => `    ${key}: ${String(value)}`).join('\n')}\n`;
  };

  it('names the line of a YAML syntax error and how to recover', () => {
    const error = lockfileError(`lockfileVersion: 1\nvoices: {}\nrenders:\n  intro/0001:\n    key: "unclosed\npending: []\n`);
    expect(error.diagnostics).toEqual([
      { file: 'voices.lock', line: 7, column: 1, path: '', message: 'YAML syntax: Missing closing "quote', severity: 'error' },
    ]);
    expect(error.message).toMatch(/^voices\.lock:7:1: YAML syntax: Missing closing "quote\n/);
    expect(error.message).toContain('git checkout -- voices.lock');
  });

  it('names the render that misses its sha256', () => {
    // intro/0001 takes lines 4-15; intro/0002 starts at 16, its fields at 17.
    const error = lockfileError(`lockfileVersion: 1\nvoices: {}\nrenders:\n${renderYaml('intro/0001')}${renderYaml('intro/0002', 'sha256')}pending: []\n`);
    expect(error.diagnostics).toEqual([
      { file: 'voices.lock', line: 17, column: 5, path: 'renders.intro/0002', message: "missing required property 'sha256'", severity: 'error' },
    ]);
    expect(error.message).toContain("voices.lock:17:5: renders.intro/0002: missing required property 'sha256'");
  });

  it('refuses another lockfileVersion at its value', () => {
    const error = lockfileError('lockfileVersion: 2\nvoices: {}\nrenders: {}\npending: []\n');
    expect(error.diagnostics).toEqual([{ file: 'voices.lock', line: 1, column: 18, path: 'lockfileVersion', message: 'must be 1', severity: 'error' }]);
  });

  it('refuses git conflict markers, naming their lines and explaining how to resolve', () => {
    const text = [
      'lockfileVersion: 1', // 1
      'voices: {}',
      'renders:',
      '<<<<<<< HEAD', // 4
      renderYaml('intro/0001').trimEnd(), // 5-16
      '=======', // 17
      renderYaml('intro/0002').trimEnd(), // 18-29
      '>>>>>>> feature/chapter-two', // 30
      'pending: []',
      '',
    ].join('\n');
    const error = lockfileError(text);
    expect(error.diagnostics.map(({ line, column, message }) => [line, column, message])).toEqual([
      [4, 1, "git merge conflict marker '<<<<<<<'"],
      [17, 1, "git merge conflict marker '======='"],
      [30, 1, "git merge conflict marker '>>>>>>>'"],
    ]);
    expect(error.message).toContain('voices.lock:4:1:');
    expect(error.message).toMatch(/unresolved merge conflicts/);
    expect(error.message).toMatch(/git checkout --theirs voices\.lock/);
    expect(error.message).toMatch(/voxform apply/);
  });

  it('does not mistake a long run of = inside a value for a conflict marker', () => {
    const lockfile = fullLockfile();
    lockfile.voices.narrator!.data = { note: '======= not a marker' };
    const text = serializeLockfile(lockfile);
    expect(parseLockfile(text, 'voices.lock').voices.narrator?.data).toEqual({ note: '======= not a marker' });
  });
});
