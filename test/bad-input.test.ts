import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { badInput, lockfile as lockfileArbitrary, manifestDocument, spokenText } from '../packages/core/src/__fixtures__/arbitraries.js';
import { createFakeProvider, fakeRegistry } from '../packages/core/src/__fixtures__/fake-provider.js';
import { LockfileError, parseLockfile, parseManifest, resolveManifest, type ManifestDocument } from '@voxform/core';
import { root, voxform, type Run } from './support/voxform-process.js';

// The CLI on generated projects: valid ones apply and then plan nothing; broken ones end in a
// positioned message and exit 1, never a stack trace or "this is a bug".
const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});
const sample = path.join(root, 'examples/audiobook/samples/narrator.wav');

async function project(manifest: string, voices: string[] = ['narrator']): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'voxform-bad-input-'));
  directories.push(dir);
  await mkdir(path.join(dir, 'samples'));
  for (const voice of voices) await copyFile(sample, path.join(dir, 'samples', `${voice}.wav`));
  await writeFile(path.join(dir, 'voices.yaml'), manifest);
  return dir;
}

/** A clean failure: exit 1, something said, no stack frame, not reported as a bug. */
function expectCleanFailure(run: Run) {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr.trim()).not.toBe('');
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/this is a bug/i);
}

const validManifest = stringify({
  version: 1,
  voices: { narrator: { provider: 'local', sample: 'samples/narrator.wav' } },
  scripts: { intro: { lines: [{ narrator: 'The lamp keeper could not sleep.' }] } },
});

describe('generated valid projects on the local provider', () => {
  it('apply once, then plan is empty', async () => {
    // Every run renders real audio (espeak-ng): a handful of small projects.
    await fc.assert(
      fc.asyncProperty(manifestDocument({ provider: 'local', text: spokenText, maxScripts: 2, maxLines: 2, maxVoices: 2 }), async (document: ManifestDocument) => {
        const dir = await project(stringify(document), Object.keys(document.voices));
        const applied = await voxform(dir, ['apply', '--yes']);
        expect(applied.stderr).toBe('');
        expect(applied.code).toBe(0);
        const plan = await voxform(dir, ['plan', '--json', '--detailed-exitcode']);
        expect(plan.code).toBe(0);
        expect(JSON.parse(plan.stdout).changes).toEqual([]);
      }),
      { numRuns: 3 },
    );
  }, 180_000);
});

describe('generated broken input through the CLI', () => {
  const registry = fakeRegistry(createFakeProvider({ id: 'local' }));
  const refused = (text: string) => {
    const parsed = parseManifest(text, 'voices.yaml');
    if (!parsed.document) return true;
    const resolved = resolveManifest({ parsed: { ...parsed, document: parsed.document }, providers: registry, scriptSources: {} });
    return parsed.diagnostics.some((diagnostic) => diagnostic.severity === 'error') || resolved.diagnostics.length > 0;
  };
  // A fixed seed: the same few files every run, so a failure here is always reproducible.
  const badManifests = fc.sample(badInput(manifestDocument({ provider: 'local', text: spokenText })).filter(refused), { seed: 9, numRuns: 3 });
  const badLockfiles = fc.sample(
    badInput(lockfileArbitrary).filter((text) => {
      try {
        parseLockfile(text, 'voices.lock');
        return false;
      } catch (error) {
        return LockfileError.isInstance(error);
      }
    }),
    { seed: 9, numRuns: 3 },
  );

  it.each(badManifests.map((text, index) => [index, text] as const))('manifest #%i: validate and plan say where, and exit 1', async (index, text) => {
    const dir = await project(text);
    for (const command of ['validate', 'plan']) {
      const run = await voxform(dir, [command]);
      expectCleanFailure(run);
      expect(run.stderr).toMatch(/^\S*voices\.yaml:\d+:\d+: /m); // the path as the user gave it (-C dir)
      expect(run.stderr).toMatch(/\d+ problems? found; nothing was written\./);
    }
    if (index > 0) return; // --json once is enough
    const json = await voxform(dir, ['validate', '--json']);
    expect(json.code).toBe(1);
    const { valid, diagnostics } = JSON.parse(json.stdout) as { valid: boolean; diagnostics: Array<{ line: number; column: number }> };
    expect(valid).toBe(false);
    for (const diagnostic of diagnostics) expect(diagnostic.line).toBeGreaterThan(0);
  }, 60_000);

  it.each(badLockfiles.map((text, index) => [index, text] as const))('voices.lock #%i: plan (and apply) say where and how to recover, and exit 1', async (index, text) => {
    const dir = await project(validManifest);
    await writeFile(path.join(dir, 'voices.lock'), text);
    for (const args of index === 0 ? [['plan'], ['apply', '--yes']] : [['plan']]) {
      const run = await voxform(dir, args);
      expectCleanFailure(run);
      expect(run.stderr).toMatch(/voices\.lock:\d+:\d+: /);
      expect(run.stderr).toMatch(/git checkout|git add/);
    }
    expect(await readFile(path.join(dir, 'voices.lock'), 'utf8')).toBe(text); // never reset
  }, 60_000);

  it('a conflict-marked voices.lock: an explanation of how to resolve it, the file untouched', async () => {
    const dir = await project(validManifest);
    expect((await voxform(dir, ['apply', '--yes'])).code).toBe(0);
    const lockfile = await readFile(path.join(dir, 'voices.lock'), 'utf8');
    const [head, ...rest] = lockfile.split('renders:\n');
    const conflicted = `${head}renders:\n<<<<<<< HEAD\n${rest.join('renders:\n').replace('pending:', '=======\n>>>>>>> chapter-two\npending:')}`;
    await writeFile(path.join(dir, 'voices.lock'), conflicted);

    const run = await voxform(dir, ['plan']);
    expectCleanFailure(run);
    expect(run.stderr).toMatch(/voices\.lock:\d+:1: git merge conflict marker '<<<<<<<'/);
    expect(run.stderr).toMatch(/voices\.lock has unresolved merge conflicts \(1 conflict between HEAD and chapter-two\)/);
    expect(run.stderr).toContain('keep the entries of both sides');
    expect(run.stderr).toMatch(/git checkout --ours \S*voices\.lock/);
    expect(await readFile(path.join(dir, 'voices.lock'), 'utf8')).toBe(conflicted);
  }, 60_000);

  it('a voices.lock that is not a file: a message, not a bug report', async () => {
    const dir = await project(validManifest);
    await mkdir(path.join(dir, 'voices.lock'));
    const run = await voxform(dir, ['plan']);
    expectCleanFailure(run);
    expect(run.stderr).toMatch(/Error: cannot read \S*voices\.lock \(EISDIR/);
  }, 60_000);

  it.each([
    [['apply', '--parallelism', '0'], "option '--parallelism <count>' argument '0' is invalid. expected a whole number of at least 1, got '0'"],
    [['apply', '--max-download-mb', 'big'], "expected a whole number of at least 1, got 'big'"],
    [['emulator', '--port', '70000'], "expected a port from 0 to 65535, got '70000'"],
  ])('a bad option value (%j): says which and why', async (args, message) => {
    const run = await voxform(await project(validManifest), args);
    expectCleanFailure(run);
    expect(run.stderr).toContain(message);
  }, 60_000);
});
