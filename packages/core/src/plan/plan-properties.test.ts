import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lockfile as lockfileArbitrary, manifestDocument } from '../__fixtures__/arbitraries.js';
import { createFakeProvider, fakeRegistry } from '../__fixtures__/fake-provider.js';
import { formatDiagnostic } from '../errors/diagnostic.js';
import { sha256Hex } from '../identity/sha256.js';
import { emptyLockfile, type Lockfile } from '../lockfile/lockfile-types.js';
import { parseLockfile } from '../lockfile/parse-lockfile.js';
import { serializeLockfile } from '../lockfile/serialize-lockfile.js';
import type { ManifestDocument, ResolvedManifest } from '../manifest/manifest-types.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import { resolveManifest } from '../manifest/resolve-manifest.js';
import { formatPlan } from './format-plan.js';
import { createPlan, identifyManifest, type Observations } from './create-plan.js';

// Valid manifests and lockfiles, generated: they survive parse → serialise → parse unchanged, and the
// plan is a function of them alone — the same every time, empty once everything is recorded.
const registry = fakeRegistry(createFakeProvider());
const capabilities = (id: string) => registry.describe(id).capabilities;

function resolve(text: string): ResolvedManifest {
  const parsed = parseManifest(text, 'voices.yaml');
  const problems = parsed.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(formatDiagnostic);
  if (!parsed.document || problems.length > 0) throw new Error(`a generated manifest was refused:\n${problems.join('\n')}\n${text}`);
  const resolved = resolveManifest({ parsed: { ...parsed, document: parsed.document }, providers: registry, scriptSources: {} });
  if (!resolved.manifest) throw new Error(`a generated manifest was refused:\n${resolved.diagnostics.map(formatDiagnostic).join('\n')}\n${text}`);
  return resolved.manifest;
}

/** The resolved manifest without source positions, which differ between spellings of the same document. */
function withoutPositions(manifest: ResolvedManifest): unknown {
  return JSON.parse(JSON.stringify(manifest, (key, value: unknown) => (key === 'position' ? undefined : value)));
}

/** The same document spelled three ways: block YAML, YAML with every string double-quoted, JSON. */
const spellings = (document: ManifestDocument) => [
  stringify(document),
  stringify(document, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }),
  JSON.stringify(document, null, 2),
];

function observationsFor(manifest: ResolvedManifest, outputs: Observations['outputs'] = {}): Observations {
  return {
    now: '2026-11-21T10:00:00.000Z',
    samples: Object.fromEntries(Object.keys(manifest.voices).map((name) => [name, { sampleDigest: sha256Hex(`sample ${name}`) }])),
    outputs,
    cached: new Set(),
  };
}

/** What a successful apply of `addresses` records (every line when absent). */
function appliedLockfile(manifest: ResolvedManifest, observations: Observations, addresses?: Set<string>): Lockfile {
  const identity = identifyManifest(manifest, observations.samples);
  const lockfile = emptyLockfile();
  for (const voice of Object.values(manifest.voices)) {
    lockfile.voices[voice.name] = { provider: voice.provider, fingerprint: identity.voices[voice.name]!.fingerprint, sampleSha256: identity.voices[voice.name]!.sampleDigest, createdAt: '2026-11-21T09:00:00.000Z' };
  }
  for (const line of manifest.lines) {
    if (addresses && !addresses.has(line.address)) continue;
    const { key, voiceFingerprint, textSha256, optionsSha256, characters } = identity.lines[line.address]!;
    lockfile.renders[line.address] = { key, voice: line.voice, voiceFingerprint, textSha256, optionsSha256, format: line.format, file: line.file, sha256: sha256Hex(line.address), bytes: 100, durationMs: 10, chars: characters };
  }
  return lockfile;
}

/** The lockfile with its entries in reverse order (the plan must not care). */
function reversed(lockfile: Lockfile): Lockfile {
  return {
    ...lockfile,
    voices: Object.fromEntries(Object.entries(lockfile.voices).reverse()),
    renders: Object.fromEntries(Object.entries(lockfile.renders).reverse()),
    pending: [...lockfile.pending].reverse(),
  };
}

const manifests = manifestDocument({ provider: 'fake', fakeOptions: true });

describe('generated manifests', () => {
  it('round-trip: every spelling parses back to the same document and resolves to the same lines', () => {
    fc.assert(
      fc.property(manifests, (document) => {
        const [block, ...others] = spellings(document);
        const parsed = parseManifest(block!, 'voices.yaml');
        expect(parsed.document).toEqual(document);
        expect(stringify(parsed.document)).toBe(block);
        const reference = withoutPositions(resolve(block!));
        for (const text of others) {
          expect(parseManifest(text, 'voices.yaml').document).toEqual(document);
          expect(withoutPositions(resolve(text))).toEqual(reference);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('plan deterministically: the same plan every time and whatever the lockfile order; all to do at first, nothing once applied', () => {
    fc.assert(
      fc.property(manifests, fc.func(fc.boolean()), (document, isRendered) => {
        const manifest = resolve(stringify(document));
        const observations = observationsFor(manifest);
        const first = createPlan({ manifest, lockfile: emptyLockfile(), observations, capabilities });
        expect(createPlan({ manifest, lockfile: emptyLockfile(), observations, capabilities })).toEqual(first);
        expect(first.changes.filter((change) => change.kind === 'voice').map((change) => change.action)).toEqual(Object.keys(manifest.voices).map(() => 'create'));
        expect(first.changes.filter((change) => change.kind === 'line').map((change) => `${change.action} ${change.address}`)).toEqual(manifest.lines.map((line) => `render ${line.address}`));

        // Partly applied: exactly the lines not recorded are left, whatever order the lockfile lists them in.
        const done = new Set(manifest.lines.map((line) => line.address).filter((address) => isRendered(address)));
        const partial = parseLockfile(serializeLockfile(appliedLockfile(manifest, observations, done)), 'voices.lock');
        const outputs = Object.fromEntries(Object.values(partial.renders).map((render) => [render.file, 'unchanged' as const]));
        const partly = createPlan({ manifest, lockfile: partial, observations: observationsFor(manifest, outputs), capabilities });
        expect(createPlan({ manifest, lockfile: reversed(partial), observations: observationsFor(manifest, outputs), capabilities })).toEqual(partly);
        expect(formatPlan(partly)).toBe(formatPlan(createPlan({ manifest, lockfile: reversed(partial), observations: observationsFor(manifest, outputs), capabilities })));
        expect(partly.changes.map((change) => change.address)).toEqual(manifest.lines.map((line) => line.address).filter((address) => !done.has(address)));

        // Fully applied: nothing to do.
        const full = parseLockfile(serializeLockfile(appliedLockfile(manifest, observations)), 'voices.lock');
        const allOutputs = Object.fromEntries(manifest.lines.map((line) => [line.file, 'unchanged' as const]));
        const after = createPlan({ manifest, lockfile: full, observations: observationsFor(manifest, allOutputs), capabilities });
        expect(after.changes).toEqual([]);
        expect(after.summary.text).toBe('No changes. Voices and audio are up to date.');
      }),
      { numRuns: 150 },
    );
  });
});

describe('generated lockfiles', () => {
  it('round-trip: parse(serialise(x)) is x, and serialising it again gives the same bytes', () => {
    fc.assert(
      fc.property(lockfileArbitrary, (lockfile) => {
        const text = serializeLockfile(lockfile);
        const parsed = parseLockfile(text, 'voices.lock');
        // The file lists pending entries in a fixed order (by address, then key), whatever order they were added in.
        const order = (a: Lockfile['pending'][number], b: Lockfile['pending'][number]) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
        expect(parsed).toEqual({ ...lockfile, pending: [...lockfile.pending].sort(order) });
        expect(serializeLockfile(parsed)).toBe(text);
        expect(serializeLockfile(reversed(lockfile))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
