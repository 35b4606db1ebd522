import { describe, expect, it } from 'vitest';
import { createFakeProvider, fakeRegistry } from '../__fixtures__/fake-provider.js';
import { UsageError } from '../errors/usage-error.js';
import { sha256Hex } from '../identity/sha256.js';
import { emptyLockfile, type Lockfile } from '../lockfile/lockfile-types.js';
import type { ResolvedManifest } from '../manifest/manifest-types.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import { resolveManifest } from '../manifest/resolve-manifest.js';
import { createPlan, identifyManifest, type Observations, type PlanOptions } from './create-plan.js';
import { formatPlan, planToJson } from './format-plan.js';
import type { LineAction, VoiceAction } from './plan-types.js';

const registry = fakeRegistry(createFakeProvider(), createFakeProvider({ id: 'other', displayName: 'Other', capabilities: { maxTextLength: 5000 } }));
const capabilities = (provider: string) => registry.describe(provider).capabilities;

function resolve(text: string): ResolvedManifest {
  const parsed = parseManifest(text, 'voices.yaml');
  expect(parsed.diagnostics).toEqual([]);
  const result = resolveManifest({ parsed: { ...parsed, document: parsed.document! }, providers: registry, scriptSources: {} });
  expect(result.diagnostics).toEqual([]);
  return result.manifest!;
}

const NOW = '2026-11-21T12:00:00.000Z';
const samples: Observations['samples'] = {
  narrator: { sampleDigest: sha256Hex('narrator.wav bytes') },
  villain: { sampleDigest: sha256Hex('villain.wav bytes') },
};

/** The lockfile an apply of `manifest` would have written: every voice created, every line rendered. */
function appliedLockfile(manifest: ResolvedManifest, observed: Observations['samples'] = samples): Lockfile {
  const identity = identifyManifest(manifest, observed);
  const lockfile = emptyLockfile();
  for (const voice of Object.values(manifest.voices)) {
    lockfile.voices[voice.name] = {
      provider: voice.provider,
      fingerprint: identity.voices[voice.name]!.fingerprint,
      sampleSha256: identity.voices[voice.name]!.sampleDigest,
      remoteId: `vx-${voice.name}`,
      createdAt: '2026-11-21T10:00:00.000Z',
    };
  }
  for (const line of manifest.lines) {
    const { key, voiceFingerprint, textSha256, optionsSha256, lexiconSha256, characters } = identity.lines[line.address]!;
    lockfile.renders[line.address] = {
      key, voice: line.voice, voiceFingerprint, textSha256, optionsSha256, ...(lexiconSha256 ? { lexiconSha256 } : {}), format: line.format, file: line.file,
      sha256: sha256Hex(`audio of ${key}`), bytes: 1000, durationMs: 500, chars: characters, mtimeMs: 1,
    };
  }
  return lockfile;
}

/** The world right after that apply: every recorded output present and unchanged, nothing cached. */
function observationsFor(lockfile: Lockfile): Observations {
  return {
    now: NOW,
    samples: structuredClone(samples),
    outputs: Object.fromEntries(Object.values(lockfile.renders).map((render) => [render.file, 'unchanged' as const])),
    cached: new Set(),
  };
}

const base = `version: 1
voices:
  narrator: { provider: fake, sample: samples/narrator.wav }
  villain: { provider: fake, sample: samples/villain.wav, language: English }
scripts:
  intro:
    lines:
      - narrator: It was a dark and stormy night.
      - { id: laugh, voice: villain, text: "Ha! You'll never catch me.", options: { speed: 1.1 } }
      - narrator: The end.
`;

const keyOf = (manifestText: string, address: string) => identifyManifest(resolve(manifestText), samples).lines[address]!.key;

interface Row {
  name: string;
  /** The manifest now; default `base`. */
  manifest?: string;
  /** The manifest the lockfile was applied from; default `base`. */
  applied?: string;
  lockfile?: (lockfile: Lockfile) => void;
  observe?: (observations: Observations) => void;
  options?: PlanOptions;
  expected: Array<[address: string, action: VoiceAction | LineAction, reason: string]>;
}

const rows: Row[] = [
  { name: 'nothing changed: no-op, no changes listed', expected: [] },
  {
    name: 'voice create: the lockfile lacks the voice',
    lockfile: (lockfile) => delete lockfile.voices.villain,
    expected: [['voice.villain', 'create', 'new voice']],
  },
  {
    name: 'voice replace: sample changed (and its lines re-render)',
    observe: (observations) => (observations.samples.narrator = { sampleDigest: sha256Hex('re-recorded narrator') }),
    expected: [
      ['voice.narrator', 'replace', 'sample changed'],
      ['intro/0001', 'rerender', 'voice narrator changed'],
      ['intro/0003', 'rerender', 'voice narrator changed'],
    ],
  },
  {
    name: 'voice replace: settings changed',
    manifest: base.replace('sample: samples/villain.wav, language: English', 'sample: samples/villain.wav, language: French'),
    expected: [
      ['voice.villain', 'replace', 'voice settings changed (prompt, language or options)'],
      ['intro/laugh', 'rerender', 'voice villain changed'],
    ],
  },
  {
    name: 'voice replace: provider changed',
    manifest: base.replace('narrator: { provider: fake,', 'narrator: { provider: other,'),
    expected: [
      ['voice.narrator', 'replace', 'provider changed from fake'],
      ['intro/0001', 'rerender', 'voice narrator changed'],
      ['intro/0003', 'rerender', 'voice narrator changed'],
    ],
  },
  {
    name: 'voice replace: expired',
    lockfile: (lockfile) => (lockfile.voices.narrator!.expiresAt = '2026-11-20T10:00:00.000Z'),
    expected: [['voice.narrator', 'replace', 'voice expired 2026-11-20']],
  },
  {
    name: 'voice kept: expires later',
    lockfile: (lockfile) => (lockfile.voices.narrator!.expiresAt = '2026-11-28T10:00:00.000Z'),
    expected: [],
  },
  {
    name: 'voice replace: missing remotely',
    observe: (observations) => (observations.remoteVoices = { narrator: { status: 'missing' }, villain: { status: 'exists' } }),
    expected: [['voice.narrator', 'replace', 'voice vx-narrator no longer exists at fake']],
  },
  {
    name: 'voice replace: missing remotely after its expiry by the vendor\'s clock',
    lockfile: (lockfile) => (lockfile.voices.narrator!.expiresAt = '2026-11-28T10:00:00.000Z'),
    observe: (observations) => (observations.remoteVoices = { narrator: { status: 'missing', vendorTime: '2026-11-29T10:00:00.000Z' } }),
    expected: [['voice.narrator', 'replace', 'voice expired 2026-11-28']],
  },
  {
    name: 'voice replace: expired by the vendor\'s clock, even when the vendor cannot look voices up',
    lockfile: (lockfile) => (lockfile.voices.narrator!.expiresAt = '2026-11-28T10:00:00.000Z'),
    observe: (observations) => (observations.remoteVoices = { narrator: { status: 'unknown', vendorTime: 'Sun, 29 Nov 2026 10:00:00 GMT' } }),
    expected: [['voice.narrator', 'replace', 'voice expired 2026-11-28']],
  },
  {
    name: 'voice replace: missing remotely before its expiry is not called expired',
    lockfile: (lockfile) => (lockfile.voices.narrator!.expiresAt = '2026-11-28T10:00:00.000Z'),
    observe: (observations) => (observations.remoteVoices = { narrator: { status: 'missing', vendorTime: '2026-11-22T10:00:00.000Z' } }),
    expected: [['voice.narrator', 'replace', 'voice vx-narrator no longer exists at fake']],
  },
  {
    name: 'voice replace: --replace voice.narrator',
    options: { replace: ['voice.narrator'] },
    expected: [['voice.narrator', 'replace', 'replacement requested']],
  },
  {
    name: 'voice delete: without --prune, a voice gone from the manifest stays',
    lockfile: (lockfile) => (lockfile.voices.ghost = { provider: 'fake', fingerprint: sha256Hex('ghost'), createdAt: NOW }),
    expected: [],
  },
  {
    name: 'voice delete: with --prune',
    lockfile: (lockfile) => (lockfile.voices.ghost = { provider: 'fake', fingerprint: sha256Hex('ghost'), createdAt: NOW }),
    options: { prune: true },
    expected: [['voice.ghost', 'delete', 'not in the manifest']],
  },
  {
    name: 'line render: a new line',
    manifest: `${base}      - narrator: A new line.\n`,
    expected: [['intro/0004', 'render', 'new line']],
  },
  {
    name: 'line rerender: text changed',
    manifest: base.replace('narrator: The end.', 'narrator: The very end.'),
    expected: [['intro/0003', 'rerender', 'text changed']],
  },
  {
    name: 'line rerender: voice changed',
    manifest: base.replace('narrator: The end.', 'villain: The end.'),
    expected: [['intro/0003', 'rerender', 'voice changed from narrator']],
  },
  {
    name: 'line rerender: options changed',
    manifest: base.replace('options: { speed: 1.1 }', 'options: { speed: 1.2 }'),
    expected: [['intro/laugh', 'rerender', 'options changed']],
  },
  {
    name: 'line rerender: output missing and not cached',
    observe: (observations) => (observations.outputs['out/intro/0003-0003.wav'] = 'missing'),
    expected: [['intro/0003', 'rerender', 'output missing and not in cache']],
  },
  {
    name: 'line rerender: output modified and not cached',
    observe: (observations) => (observations.outputs['out/intro/0003-0003.wav'] = 'modified'),
    expected: [['intro/0003', 'rerender', 'output modified and not in cache']],
  },
  {
    name: 'line rerender: --replace intro/0001',
    options: { replace: ['intro/0001'] },
    expected: [['intro/0001', 'rerender', 'replacement requested']],
  },
  {
    name: 'line rerender: --replace intro/* selects the whole script',
    options: { replace: ['intro/*'] },
    expected: [
      ['intro/0001', 'rerender', 'replacement requested'],
      ['intro/laugh', 'rerender', 'replacement requested'],
      ['intro/0003', 'rerender', 'replacement requested'],
    ],
  },
  {
    name: 'line restore: output missing but cached',
    observe: (observations) => {
      observations.outputs['out/intro/0003-0003.wav'] = 'missing';
      observations.cached = new Set([keyOf(base, 'intro/0003')]);
    },
    expected: [['intro/0003', 'restore', 'output missing; audio in cache']],
  },
  {
    name: 'line restore: output modified, audio cached',
    observe: (observations) => {
      observations.outputs['out/intro/0003-0003.wav'] = 'modified';
      observations.cached = new Set([keyOf(base, 'intro/0003')]);
    },
    expected: [['intro/0003', 'restore', 'output modified; audio in cache']],
  },
  {
    name: 'line restore: a reverted edit whose audio is cached',
    applied: base.replace('narrator: The end.', 'narrator: The end, edited.'),
    observe: (observations) => (observations.cached = new Set([keyOf(base, 'intro/0003')])),
    expected: [['intro/0003', 'restore', "text changed; this version's audio is in cache"]],
  },
  {
    name: 'line move: the path template changed',
    manifest: base.replace('version: 1\n', 'version: 1\noutput:\n  path: "{script}/{line}.{ext}"\n'),
    expected: [
      ['intro/0001', 'move', 'path changed from out/intro/0001-0001.wav'],
      ['intro/laugh', 'move', 'path changed from out/intro/0002-laugh.wav'],
      ['intro/0003', 'move', 'path changed from out/intro/0003-0003.wav'],
    ],
  },
  {
    name: 'line move: renamed to a new id with the same audio (kept even with --prune)',
    manifest: base.replace('- narrator: It was a dark and stormy night.', '- { id: opening, voice: narrator, text: It was a dark and stormy night. }'),
    options: { prune: true },
    expected: [['intro/opening', 'move', 'same audio as intro/0001 (out/intro/0001-0001.wav)']],
  },
  {
    name: 'line delete: without --prune, a line gone from the manifest stays',
    manifest: base.replace('      - narrator: The end.\n', ''),
    expected: [],
  },
  {
    name: 'line delete: with --prune',
    manifest: base.replace('      - narrator: The end.\n', ''),
    options: { prune: true },
    expected: [['intro/0003', 'delete', 'not in the manifest']],
  },
  {
    name: '--target selects a line and pulls in the create of its voice',
    lockfile: (lockfile) => Object.assign(lockfile, emptyLockfile()),
    options: { targets: ['intro/laugh'] },
    expected: [
      ['voice.villain', 'create', 'new voice'],
      ['intro/laugh', 'render', 'new line'],
    ],
  },
  {
    name: '--target a voice selects only the voice',
    lockfile: (lockfile) => Object.assign(lockfile, emptyLockfile()),
    options: { targets: ['voice.narrator'] },
    expected: [['voice.narrator', 'create', 'new voice']],
  },
];

function planFor(row: Pick<Row, 'manifest' | 'applied' | 'lockfile' | 'observe' | 'options'>) {
  const lockfile = appliedLockfile(resolve(row.applied ?? base));
  row.lockfile?.(lockfile);
  const observations = observationsFor(lockfile);
  row.observe?.(observations);
  return createPlan({ manifest: resolve(row.manifest ?? base), lockfile, observations, capabilities, ...(row.options ? { options: row.options } : {}) });
}

describe('createPlan', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const plan = planFor(row);
    expect(plan.changes.map(({ address, action, reason }) => [address, action, reason])).toEqual(row.expected);
  });

  it('bills characters only for render and rerender', () => {
    const plan = planFor({
      manifest: `${base.replace('narrator: The end.', 'narrator: The very end.')}      - narrator: A new line.\n`,
      observe: (observations) => {
        observations.outputs['out/intro/0001-0001.wav'] = 'missing';
        observations.cached = new Set([keyOf(base, 'intro/0001')]);
      },
    });
    expect(plan.changes.map(({ address, action, characters }) => [address, action, characters])).toEqual([
      ['intro/0001', 'restore', 0],
      ['intro/0003', 'rerender', 'The very end.'.length],
      ['intro/0004', 'render', 'A new line.'.length],
    ]);
  });

  it('carries what apply needs on each line change', () => {
    const plan = planFor({ manifest: base.replace('version: 1\n', 'version: 1\noutput:\n  path: "{script}/{line}.{ext}"\n'), options: { targets: ['intro/laugh'] } });
    expect(plan.changes).toEqual([
      {
        kind: 'line', address: 'intro/laugh', action: 'move', reason: 'path changed from out/intro/0002-laugh.wav', provider: 'fake', characters: 0,
        script: 'intro', voice: 'villain', key: keyOf(base, 'intro/laugh'), file: 'out/intro/laugh.wav', from: 'out/intro/0002-laugh.wav',
      },
    ]);
  });

  it('throws a UsageError when a --target matches nothing', () => {
    const attempt = () => planFor({ options: { targets: ['intro/0009'] } });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow("'intro/0009' matches no voice or line. Addresses look like voice.narrator, chapter-01/0003 or chapter-01/*");
  });

  it('throws a UsageError when a --replace matches nothing', () => {
    expect(() => planFor({ options: { replace: ['voice.hero'] } })).toThrow(/'voice\.hero' matches no voice or line/);
  });

  it('lists a deleted line with the rest of its script and a deleted voice with the voices: one block each, in manifest order', () => {
    const applied = `version: 1
voices:
  narrator: { provider: fake, sample: samples/narrator.wav }
  villain: { provider: fake, sample: samples/villain.wav }
scripts:
  one:
    voice: narrator
    lines: [One a., One b., One c.]
  two:
    voice: narrator
    lines: [Two a., Two b., Two c.]
  three:
    voice: narrator
    lines: [Three a.]
`;
    // two/0001 edited, one/0003 and two/0003 gone, script three and the villain gone.
    const now = applied.replace('  villain: { provider: fake, sample: samples/villain.wav }\n', '').replace('Two a.,', 'Two A.,').replace(', One c.]', ']').replace(', Two c.]', ']').replace(/  three:[\s\S]*$/, '');
    const lockfile = appliedLockfile(resolve(applied));
    // The lockfile's own order must not matter.
    lockfile.renders = Object.fromEntries(Object.entries(lockfile.renders).reverse());
    const plan = createPlan({ manifest: resolve(now), lockfile, observations: observationsFor(lockfile), capabilities, options: { prune: true } });
    expect(plan.changes.map((change) => `${change.action} ${change.address}`)).toEqual([
      'delete voice.villain',
      'delete one/0003',
      'rerender two/0001',
      'delete two/0003',
      'delete three/0001',
    ]);
    expect(formatPlan(plan).match(/^(Voices|Script \w+):$/gm)).toEqual(['Voices:', 'Script one:', 'Script two:', 'Script three:']);
  });

  it('is pure: the same inputs give the same plan and are not changed', () => {
    const manifest = resolve(base.replace('narrator: The end.', 'narrator: The very end.'));
    const lockfile = appliedLockfile(resolve(base));
    const observations = observationsFor(lockfile);
    const before = structuredClone({ manifest, lockfile, observations });
    const first = createPlan({ manifest, lockfile, observations, capabilities, options: { prune: true } });
    const second = createPlan({ manifest, lockfile, observations, capabilities, options: { prune: true } });
    expect(second).toEqual(first);
    expect({ manifest, lockfile, observations }).toEqual(before);
  });

  describe('summary', () => {
    const twoProviders = `version: 1
voices:
  narrator: { provider: fake, sample: samples/narrator.wav }
  villain: { provider: other, sample: samples/villain.wav }
scripts:
  intro:
    lines:
      - narrator: Hello there.
      - villain: ${'x'.repeat(1233)}😀
`;

    it('counts voices, lines and billed characters per provider, in code points', () => {
      const manifest = resolve(twoProviders);
      const lockfile = appliedLockfile(manifest);
      delete lockfile.voices.narrator;
      lockfile.renders = {};
      const plan = createPlan({ manifest, lockfile, observations: observationsFor(lockfile), capabilities });
      expect(plan.summary.text).toBe(
        'Plan: 1 voice to create, 2 lines to render (1,246 characters: fake 12, other 1,234), 0 to restore, 0 to move, 0 to delete.',
      );
      expect(plan.summary.characters).toEqual({ total: 1246, byProvider: { fake: 12, other: 1234 } });
      expect(plan.summary.voices).toEqual({ create: 1, replace: 0, delete: 0 });
      expect(plan.summary.lines).toEqual({ render: 2, rerender: 0, restore: 0, move: 0, delete: 0 });
    });

    it('counts replaces, restores, moves and deletes', () => {
      const plan = planFor({
        manifest: base.replace('version: 1\n', 'version: 1\noutput:\n  path: "{script}/{line}.{ext}"\n').replace('      - narrator: The end.\n', ''),
        lockfile: (lockfile) => (lockfile.voices.villain!.expiresAt = '2026-01-01T00:00:00.000Z'),
        observe: (observations) => {
          observations.outputs['out/intro/0002-laugh.wav'] = 'missing';
          observations.cached = new Set([keyOf(base, 'intro/laugh')]);
        },
        options: { prune: true },
      });
      expect(plan.summary.text).toBe('Plan: 0 voices to create, 1 to replace, 0 lines to render (0 characters), 1 to restore, 1 to move, 1 to delete.');
    });

    it('says when nothing changes, and mentions rendered lines no longer in the manifest', () => {
      expect(planFor({}).summary.text).toBe('No changes. Voices and audio are up to date.');
      expect(planFor({ manifest: base.replace('      - narrator: The end.\n', '') }).summary.text).toBe(
        'No changes. Voices and audio are up to date. 1 rendered line no longer in the manifest (kept; --prune deletes them).',
      );
    });
  });

  it('planToJson has exactly the DESIGN §5 fields and leaves no-ops out', () => {
    const plan = planFor({
      manifest: base.replace('narrator: The end.', 'narrator: The very end.'),
      lockfile: (lockfile) => delete lockfile.voices.villain,
    });
    const json = planToJson(plan);
    expect(Object.keys(json).sort()).toEqual(['changes', 'summary']);
    expect(json.changes).toEqual([
      { address: 'voice.villain', kind: 'voice', action: 'create', reason: 'new voice', provider: 'fake', characters: 0 },
      { address: 'intro/0003', kind: 'line', action: 'rerender', reason: 'text changed', provider: 'fake', characters: 13 },
    ]);
    for (const change of json.changes) expect(Object.keys(change).sort()).toEqual(['action', 'address', 'characters', 'kind', 'provider', 'reason']);
    expect(json.summary.text).toBe('Plan: 1 voice to create, 1 line to render (13 characters: fake 13), 0 to restore, 0 to move, 0 to delete.');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('formatPlan shows each change with its symbol and reason, then the summary', () => {
    const plan = planFor({
      manifest: base.replace('narrator: The end.', 'narrator: The very end.'),
      lockfile: (lockfile) => delete lockfile.voices.villain,
    });
    expect(formatPlan(plan)).toBe(
      [
        'Voices:',
        '    + voice.villain create (fake): new voice',
        '',
        'Script intro:',
        '  -/+ intro/0003 rerender out/intro/0003-0003.wav (13 chars, fake): text changed',
        '',
        'Plan: 1 voice to create, 1 line to render (13 characters: fake 13), 0 to restore, 0 to move, 0 to delete.',
        'Estimated cost: unknown (no pricing: set providers.fake.pricing).',
      ].join('\n'),
    );
  });

  it("prices the plan with providers.<name>.pricing, in the summary, the text and --json", () => {
    const priced = base.replace('voices:', 'providers:\n  fake: { pricing: { perMillionCharacters: 1000, perVoiceClone: 2, currency: EUR } }\nvoices:');
    const plan = createPlan({ manifest: resolve(priced), lockfile: emptyLockfile(), observations: { ...observationsFor(emptyLockfile()), samples }, capabilities });
    const characters = plan.summary.characters.total;
    expect(characters).toBe('It was a dark and stormy night.'.length + "Ha! You'll never catch me.".length + 'The end.'.length);
    expect(plan.summary.cost).toMatchObject({ complete: true, total: { EUR: 2 * 2 + characters / 1000 } });
    expect(formatPlan(plan).split('\n').at(-1)).toBe(`Estimated cost: €${(4 + characters / 1000).toFixed(3)} (fake €${(4 + characters / 1000).toFixed(3)}).`);
    expect(planToJson(plan).summary.cost.byProvider).toEqual([{ provider: 'fake', known: true, amount: 4 + characters / 1000, currency: 'EUR', characters, voiceClones: 2 }]);
  });
});

describe('createPlan with a pronunciation lexicon', () => {
  const withLexicon = (lexicon: string, voiceLexicon = '') => `version: 1
lexicon: ${lexicon}
voices:
  narrator: { provider: fake, sample: samples/narrator.wav${voiceLexicon} }
  villain: { provider: fake, sample: samples/villain.wav }
scripts:
  intro:
    lines:
      - narrator: Meet Nguyen at the SQL meetup.
      - villain: Nguyen will never find me.
      - narrator: The end.
`;

  it('re-renders exactly the lines whose lexicon entries changed, saying why', () => {
    const before = resolve(withLexicon('{ nguyen: win, SQL: sequel }'));
    const lockfile = appliedLockfile(before);
    const after = resolve(withLexicon('{ nguyen: when, SQL: sequel }'));
    const plan = createPlan({ manifest: after, lockfile, observations: observationsFor(lockfile), capabilities });
    expect(plan.changes.map((change) => [change.address, change.action, change.reason])).toEqual([
      ['intro/0001', 'rerender', 'lexicon changed'],
      ['intro/0002', 'rerender', 'lexicon changed'],
    ]);
  });

  it('leaves lines that use no lexicon entry alone, and their keys as without a lexicon', () => {
    const plain = resolve(withLexicon('{}'));
    const lockfile = appliedLockfile(plain);
    const added = resolve(withLexicon('{ sql: sequel }'));
    const plan = createPlan({ manifest: added, lockfile, observations: observationsFor(lockfile), capabilities });
    expect(plan.changes.map((change) => change.address)).toEqual(['intro/0001']);
    expect(identifyManifest(added, samples).lines['intro/0003']!.key).toBe(identifyManifest(plain, samples).lines['intro/0003']!.key);
  });

  it("applies a voice's own entries over the global ones, only to that voice", () => {
    const manifest = resolve(withLexicon('{ nguyen: win }', ', lexicon: { nguyen: noo-yen }'));
    expect(manifest.lines.map((line) => [line.lexicon, line.spokenText])).toEqual([
      [{ nguyen: 'noo-yen' }, 'Meet noo-yen at the SQL meetup.'],
      [{ nguyen: 'win' }, 'win will never find me.'],
      [undefined, undefined],
    ]);
  });

  it('bills the characters of the text as sent', () => {
    const manifest = resolve(withLexicon('{ nguyen: Nguyen Van Linh }'));
    const plan = createPlan({ manifest, lockfile: emptyLockfile(), observations: { ...observationsFor(emptyLockfile()), samples }, capabilities });
    const characters = Object.fromEntries(plan.changes.flatMap((change) => (change.kind === 'line' ? [[change.address, change.characters]] : [])));
    expect(characters).toEqual({
      'intro/0001': 'Meet Nguyen Van Linh at the SQL meetup.'.length,
      'intro/0002': 'Nguyen Van Linh will never find me.'.length,
      'intro/0003': 'The end.'.length,
    });
  });
});
