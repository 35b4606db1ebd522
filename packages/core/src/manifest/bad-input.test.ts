import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { badInput, lockfile as lockfileArbitrary, manifestDocument } from '../__fixtures__/arbitraries.js';
import { createFakeProvider, fakeRegistry } from '../__fixtures__/fake-provider.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { LockfileError } from '../errors/lockfile-error.js';
import { parseLockfile } from '../lockfile/parse-lockfile.js';
import { parseManifest } from './parse-manifest.js';
import { resolveManifest } from './resolve-manifest.js';

// Random and broken input: the parsers never throw anything but their structured errors, and every
// error says where (line and column) it is.
const registry = fakeRegistry(createFakeProvider());

/** Parsing hostile YAML must never reach Object.prototype (`__proto__` keys, merge keys). */
function expectNoPollution() {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
}

function expectPositions(diagnostics: readonly Diagnostic[], text: string) {
  const lines = text.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/).length;
  for (const diagnostic of diagnostics) {
    expect(diagnostic.message).not.toBe('');
    expect(diagnostic.line, diagnostic.message).toBeGreaterThanOrEqual(1);
    expect(diagnostic.column, diagnostic.message).toBeGreaterThanOrEqual(1);
    expect(diagnostic.line, diagnostic.message).toBeLessThanOrEqual(lines + 1);
  }
}

describe('bad manifests', () => {
  it('give diagnostics with positions, never an exception', () => {
    fc.assert(
      fc.property(badInput(manifestDocument({ provider: 'fake', fakeOptions: true })), (text) => {
        const parsed = parseManifest(text, 'voices.yaml');
        const diagnostics = [...parsed.diagnostics];
        if (parsed.document) {
          diagnostics.push(...resolveManifest({ parsed: { ...parsed, document: parsed.document }, providers: registry, scriptSources: {} }).diagnostics);
        } else {
          expect(diagnostics.some((diagnostic) => diagnostic.severity === 'error')).toBe(true);
        }
        expectPositions(diagnostics, text);
        expectNoPollution();
      }),
      { numRuns: Number(process.env.VOXFORM_FUZZ_RUNS ?? 1000) },
    );
  });
});

describe('bad lockfiles', () => {
  it('throw a LockfileError with positions and a way to recover, nothing else', () => {
    fc.assert(
      fc.property(badInput(lockfileArbitrary), (text) => {
        try {
          parseLockfile(text, 'voices.lock');
        } catch (error) {
          if (!LockfileError.isInstance(error)) throw error;
          expect(error.diagnostics.length).toBeGreaterThan(0);
          expectPositions(error.diagnostics, text);
          expect(error.message).toMatch(/git checkout|git add/);
        }
        expectNoPollution();
      }),
      { numRuns: Number(process.env.VOXFORM_FUZZ_RUNS ?? 1000) },
    );
  });
});
