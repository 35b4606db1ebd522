import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject, projectPaths } from '@voxform/core/node';
import { createFakeProvider, fakeRegistry } from '../__fixtures__/fake-provider.js';
import { listFiles, sineWav, temporaryDirectories, writeFiles } from '../__fixtures__/test-project.js';
import { formatDiagnostic } from '../errors/diagnostic.js';
import { LockfileError } from '../errors/lockfile-error.js';
import { ManifestError } from '../errors/manifest-error.js';
import { UsageError } from '../errors/usage-error.js';
import { emptyLockfile } from '../lockfile/lockfile-types.js';
import { parseLockfile } from '../lockfile/parse-lockfile.js';
import { serializeLockfile } from '../lockfile/serialize-lockfile.js';
import { readLockfileSnapshot, writeLockfileSnapshot } from './lockfile-snapshot.js';

const directories = temporaryDirectories();

/** Loads the project in `dir`, naming files relative to it as the CLI does when run there. */
function load(dir: string, registry = fakeRegistry()) {
  return loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
}

async function manifestError(promise: Promise<unknown>): Promise<ManifestError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(ManifestError.isInstance(error), `expected a ManifestError, got ${String(error)}`).toBe(true);
  return error as ManifestError;
}

describe('loadProject', () => {
  it('reports every problem of one manifest at once, with positions, and writes nothing', async () => {
    const dir = await directories.create();
    const secret = 'sk-live-0123456789abcdef0123';
    await writeFiles(dir, {
      'voices.yaml': [
        'version: 1', //                                                   1
        'providers:',
        '  fake:',
        `    apiKey: ${secret}`, //                                        4  literal key
        'voices:',
        '  narrator:',
        '    provider: fake',
        '    sample: samples/narrator.wav',
        '  villain:',
        '    provider: fake',
        '    sample: samples/villain.wav', //                             11  no such file
        '    options: { timbre: dark }', //                               12  unknown option
        'scripts:',
        '  intro:',
        '    lines:',
        '      - narrator: Hello.', //                                    16
        '      - hero: Who goes there?', //                               17  unknown voice
        '      - { id: "0001", voice: villain, text: Again. }', //        18  duplicate id
        '',
      ].join('\n'),
      'samples/narrator.wav': sineWav(),
    });
    const before = await listFiles(dir);

    const error = await manifestError(load(dir));

    expect(error.diagnostics.map(formatDiagnostic)).toEqual([
      'voices.yaml:4:13: providers.fake.apiKey: must be a reference to an environment variable such as ${MINIMAX_API_KEY}, never the key itself: keys in voices.yaml end up in git. Put the key in the environment and reference it.',
      "voices.yaml:11:13: voices.villain.sample: sample file samples/villain.wav does not exist (paths are relative to the manifest's folder, .)",
      "voices.yaml:12:16: voices.villain.options.timbre: unknown voice option for fake: 'timbre' (allowed: need_noise_reduction, accent)",
      "voices.yaml:17:9: scripts.intro.lines[1].hero: unknown voice 'hero' (declared voices: narrator, villain): declare it under voices: or fix the name",
      "voices.yaml:18:15: scripts.intro.lines[2].id: duplicate line address 'intro/0001' (first at voices.yaml:16:9): give each line of a script a different id",
    ]);
    expect(error.message).toMatch(/^5 problems in the manifest:\n/);
    expect(error.message).not.toContain(secret);
    expect(await listFiles(dir)).toEqual(before);
  });

  it('reads a project: resolved manifest, probed samples, empty lockfile and digests', async () => {
    const dir = await directories.create();
    const sample = sineWav({ durationMs: 500 });
    await writeFiles(dir, {
      'voices.yaml': 'version: 1\nvoices:\n  narrator: { provider: fake, sample: samples/narrator.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n',
      'samples/narrator.wav': sample,
    });
    const project = await load(dir);
    expect(project.manifest.lines.map((line) => line.address)).toEqual(['intro/0001']);
    expect(project.samples.narrator?.sample).toMatchObject({
      digest: createHash('sha256').update(sample).digest('hex'),
      format: 'wav',
      bytes: sample.byteLength,
      durationMs: 500,
      reference: { source: 'file', location: 'samples/narrator.wav' },
    });
    expect(project.lockfile).toEqual({ lockfileVersion: 1, voices: {}, renders: {}, pending: [] });
    expect(project.digests.lockfile).toBe(createHash('sha256').update('').digest('hex'));
  });

  it('changes the manifest digest when a sample changes, not only the manifest text', async () => {
    const dir = await directories.create();
    await writeFiles(dir, {
      'voices.yaml': 'version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n',
      'n.wav': sineWav({ frequency: 300 }),
    });
    const first = await load(dir);
    await writeFiles(dir, { 'n.wav': sineWav({ frequency: 301 }) });
    const second = await load(dir);
    expect(second.digests.manifest).not.toBe(first.digests.manifest);
  });

  it('reads `from:` files relative to the manifest', async () => {
    const dir = await directories.create();
    await writeFiles(dir, {
      'voices.yaml': 'version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  two:\n    voice: narrator\n    from: chapters/02.md\n',
      'n.wav': sineWav(),
      'chapters/02.md': '# Two\n\nIt was *late*.\n',
    });
    const project = await load(dir);
    expect(project.manifest.lines.map((line) => [line.address, line.text])).toEqual([
      ['two/0001', 'Two'],
      ['two/0002', 'It was late.'],
    ]);
  });

  it('reports a missing `from:` file at the from node', async () => {
    const dir = await directories.create();
    await writeFiles(dir, {
      'voices.yaml': 'version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  two:\n    voice: narrator\n    from: chapters/02.md\n',
      'n.wav': sineWav(),
    });
    const error = await manifestError(load(dir));
    expect(error.diagnostics.map(formatDiagnostic)).toEqual([
      'voices.yaml:7:11: scripts.two.from: chapters/02.md does not exist (paths are relative to voices.yaml)',
    ]);
  });

  it("checks samples against the provider's limits, probed from the file", async () => {
    const dir = await directories.create();
    const strict = createFakeProvider({ id: 'strict', displayName: 'Strict', capabilities: { sample: { formats: ['wav'], minDurationMs: 1000, maxBytes: 1_000_000 } } });
    const mp3Only = createFakeProvider({ id: 'mp3in', displayName: 'Mp3 In', capabilities: { sample: { formats: ['mp3'] } } });
    await writeFiles(dir, {
      'voices.yaml': [
        'version: 1',
        'voices:',
        '  short: { provider: strict, sample: short.wav }',
        '  big: { provider: strict, sample: big.wav }',
        '  noise: { provider: strict, sample: noise.wav }',
        '  converted: { provider: mp3in, sample: voice.wav }',
        'scripts:',
        '  intro:',
        '    lines:',
        '      - short: Hello.',
        '',
      ].join('\n'),
      'short.wav': sineWav({ durationMs: 400 }),
      'big.wav': sineWav({ durationMs: 70_000 }), // 1.12 MB of 16-bit 8 kHz PCM
      'noise.wav': 'this is not audio at all',
      'voice.wav': sineWav({ durationMs: 1500 }),
    });
    const error = await manifestError(load(dir, fakeRegistry(strict, mp3Only)));
    expect(error.diagnostics.map(formatDiagnostic)).toEqual([
      'voices.yaml:3:38: voices.short.sample: short.wav lasts 0.4 s; at least 1.0 s of speech is needed: record a longer sample',
      'voices.yaml:4:36: voices.big.sample: big.wav is 1.1 MB; at most 1.0 MB is accepted: trim or compress it',
      'voices.yaml:5:38: voices.noise.sample: noise.wav is not readable audio (no audio container recognised): use a WAV, MP3 or M4A file',
      'voices.yaml:6:41: voices.converted.sample: voice.wav is wav; this provider takes mp3: convert it (e.g. ffmpeg -i voice.wav sample.mp3)',
    ]);
  });

  it('gives a helpful error when there is no manifest', async () => {
    const dir = await directories.create();
    const error = await manifestError(load(dir));
    expect(error.message).toContain('no manifest here: run `voxform init`');
  });

  it('refuses a damaged lockfile with a LockfileError', async () => {
    const dir = await directories.create();
    await writeFiles(dir, {
      'voices.yaml': 'version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n',
      'n.wav': sineWav(),
      'voices.lock': 'lockfileVersion: 1\nvoices: [\n',
    });
    const error = await load(dir).catch((thrown: unknown) => thrown);
    expect(LockfileError.isInstance(error)).toBe(true);
    expect((error as LockfileError).diagnostics[0]).toMatchObject({ file: 'voices.lock', line: 3 });
  });

  it('says a voices.lock it cannot read is not a file, as a UsageError (not an unexpected error)', async () => {
    const dir = await directories.create();
    await writeFiles(dir, {
      'voices.yaml': 'version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n',
      'n.wav': sineWav(),
      'voices.lock/oops': 'a folder where the lockfile should be',
    });
    const error = await load(dir).catch((thrown: unknown) => thrown);
    expect(UsageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^cannot read voices\.lock \(EISDIR.*\): it must be a file voxform can read; nothing was done\.$/);
  });

  describe('the lockfile snapshot in .voxform/', () => {
    const manifest = 'version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n';
    const lockfileText = (remoteId: string) =>
      serializeLockfile({ ...emptyLockfile(), voices: { narrator: { provider: 'fake', fingerprint: 'f'.repeat(64), remoteId, createdAt: '2026-11-21T10:00:00.000Z' } } });
    const digest = (text: string) => createHash('sha256').update(text).digest('hex');

    it('is written by a load that asks for it, holding the parse of exactly that text', async () => {
      const dir = await directories.create();
      const text = lockfileText('vx-1');
      await writeFiles(dir, { 'voices.yaml': manifest, 'n.wav': sineWav(), 'voices.lock': text });
      await load(dir); // validate's load: writes nothing
      expect(await listFiles(dir)).not.toContain('.voxform/voices.lock.json');
      await loadProject({ paths: projectPaths({ cwd: dir }), providers: fakeRegistry(), saveSnapshot: true });
      expect(await readLockfileSnapshot(path.join(dir, '.voxform'), digest(text))).toEqual(parseLockfile(text, 'voices.lock'));
    });

    it('is read instead of the YAML only when it is the parse of the same text', async () => {
      const dir = await directories.create();
      const text = lockfileText('vx-from-yaml');
      await writeFiles(dir, { 'voices.yaml': manifest, 'n.wav': sineWav(), 'voices.lock': text });
      const stateDir = path.join(dir, '.voxform');
      // A snapshot that says something else proves which one was read.
      await writeLockfileSnapshot(stateDir, digest(text), parseLockfile(lockfileText('vx-from-snapshot'), 'voices.lock'));
      expect((await load(dir)).lockfile.voices.narrator?.remoteId).toBe('vx-from-snapshot');

      await writeFiles(dir, { 'voices.lock': lockfileText('vx-edited') }); // e.g. git pull
      expect((await load(dir)).lockfile.voices.narrator?.remoteId).toBe('vx-edited');
    });

    it('never hides a damaged lockfile, whatever snapshot is there', async () => {
      const dir = await directories.create();
      const text = lockfileText('vx-1');
      await writeFiles(dir, { 'voices.yaml': manifest, 'n.wav': sineWav(), 'voices.lock': text });
      await loadProject({ paths: projectPaths({ cwd: dir }), providers: fakeRegistry(), saveSnapshot: true });
      await writeFiles(dir, { 'voices.lock': `${text}<<<<<<< HEAD\n` });
      expect(LockfileError.isInstance(await load(dir).catch((thrown: unknown) => thrown))).toBe(true);
    });

    it('is ignored when unreadable or written by another format', async () => {
      const dir = await directories.create();
      const text = lockfileText('vx-1');
      await writeFiles(dir, { 'voices.yaml': manifest, 'n.wav': sineWav(), 'voices.lock': text, '.voxform/voices.lock.json': '{"format":' });
      expect((await load(dir)).lockfile.voices.narrator?.remoteId).toBe('vx-1');
      await writeFiles(dir, { '.voxform/voices.lock.json': JSON.stringify({ format: '0:old', digest: digest(text), lockfile: emptyLockfile() }) });
      expect((await load(dir)).lockfile.voices.narrator?.remoteId).toBe('vx-1');
    });
  });
});
