import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadProject, observeProject, projectPaths } from '../node.js';
import { createFakeProvider, fakeRegistry, wavFor, type FakeProvider } from '../__fixtures__/fake-provider.js';
import { applyWithFake as apply, planWithFake as plan, readLockfile } from '../__fixtures__/plan-and-apply.js';
import { sineWav, temporaryDirectories, writeFiles } from '../__fixtures__/test-project.js';
import { decodePcmWav } from '../audio/pcm-wav.js';
import { measureLoudness } from '../audio/measure-loudness.js';
import { createPlan } from '../plan/create-plan.js';
import { formatPlan } from '../plan/format-plan.js';

const directories = temporaryDirectories();

function manifestText(options: { loudness?: boolean; assembleOutro?: boolean; book?: boolean } = {}): string {
  return [
    'version: 1',
    ...(options.loudness === false ? [] : ['output: { loudness: -20 }']),
    'voices:',
    '  narrator: { provider: fake, sample: samples/narrator.wav }',
    '  villain: { provider: fake, sample: samples/villain.wav }',
    'scripts:',
    '  intro:',
    '    assemble: { lineGapMs: 300, paragraphGapMs: 900 }',
    '    lines:',
    '      - narrator: It was a dark and stormy night.',
    '      - narrator: The lamp was lit.',
    '      - villain: Ha! You will never catch me.',
    '  outro:',
    ...(options.assembleOutro === false ? [] : ['    assemble: true']),
    '    lines:',
    '      - narrator: The end.',
    '      - narrator: Or was it?',
    ...(options.book ? ['books:', '  tale: { title: A Tale, chapters: [intro, outro] }'] : []),
    '',
  ].join('\n');
}

async function createProject(options: Parameters<typeof manifestText>[0] = {}): Promise<string> {
  const dir = await directories.create();
  await writeFiles(dir, {
    'voices.yaml': manifestText(options),
    'samples/narrator.wav': sineWav({ durationMs: 300, frequency: 220 }),
    'samples/villain.wav': sineWav({ durationMs: 300, frequency: 110 }),
  });
  return dir;
}

const actions = (planned: { changes: Array<{ action: string; address: string }> }) => planned.changes.map((change) => `${change.action} ${change.address}`);
/** Frames of the fake's 120 ms line audio at 8 kHz. */
const lineFrames = decodePcmWav((wavFor('x').audio as { bytes: Uint8Array }).bytes).samples.length;

describe('chapter assembly', () => {
  it('plans, builds and records one file per assembled script, with the gaps asked for; then plans nothing', async () => {
    const dir = await createProject({ loudness: false });
    const fake = createFakeProvider();
    const first = await plan(dir, fake);
    expect(actions(first.plan).filter((action) => action.startsWith('assemble'))).toEqual(['assemble intro', 'assemble outro']);
    expect(formatPlan(first.plan)).toContain('Chapters:\n    + intro assemble out/intro.wav: new chapter');
    expect(first.plan.summary.text).toMatch(/0 to delete, 2 chapters to assemble\.$/);

    const { summary } = await apply(dir, fake);
    expect(summary.failures).toEqual([]);
    expect(summary.assemblies).toEqual({ done: 2, deleted: 0, failed: 0, skipped: 0 });

    const lockfile = await readLockfile(dir);
    expect(lockfile.assemblies!.intro!.parts).toEqual(
      ['intro/0001', 'intro/0002', 'intro/0003'].map((address) => ({ address, key: lockfile.renders[address]!.key, sha256: lockfile.renders[address]!.sha256 })),
    );
    expect(lockfile.assemblies!.intro!.loudness).toBeUndefined();
    // Narrator, narrator (300 ms: same paragraph), villain (900 ms: the speaker changes).
    const intro = decodePcmWav(await readFile(path.join(dir, 'out/intro.wav')));
    expect(intro.samples.length).toBe(3 * lineFrames + (0.3 + 0.9) * intro.sampleRate);
    const outro = decodePcmWav(await readFile(path.join(dir, 'out/outro.wav')));
    expect(outro.samples.length).toBe(2 * lineFrames + 0.4 * outro.sampleRate);

    expect((await plan(dir, fake)).plan.changes).toEqual([]);
  });

  it('brings each chapter to output.loudness and records what it measured', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const lockfile = await readLockfile(dir);
    for (const script of ['intro', 'outro']) {
      const measured = measureLoudness(decodePcmWav(await readFile(path.join(dir, `out/${script}.wav`))));
      expect(Math.abs(measured.integrated + 20)).toBeLessThanOrEqual(0.5);
      expect(lockfile.assemblies![script]!.loudness).toMatchObject({ target: -20, truePeakLimit: -1, integrated: expect.closeTo(measured.integrated, 1) });
    }
  });

  it('rebuilds only the chapter whose line changed, naming the line; and a chapter whose file is gone', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const before = await readLockfile(dir);
    await writeFile(path.join(dir, 'voices.yaml'), manifestText().replace('The lamp was lit.', 'The lamp went out.'));
    const fake = createFakeProvider();
    const edited = await apply(dir, fake);
    expect(actions(edited.plan)).toEqual(['rerender intro/0002', 'reassemble intro']);
    expect(edited.plan.changes[1]!.reason).toBe('intro/0002 changed');
    const after = await readLockfile(dir);
    expect(after.assemblies!.outro).toEqual(before.assemblies!.outro);
    expect(after.assemblies!.intro!.sha256).not.toBe(before.assemblies!.intro!.sha256);

    await rm(path.join(dir, 'out/outro.wav'));
    const missing = await plan(dir, fake);
    expect(missing.plan.changes).toEqual([expect.objectContaining({ address: 'outro', action: 'reassemble', reason: 'output missing' })]);
  });

  it('rebuilds the chapter of a line rendered again on --replace (same key, new audio)', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const before = await readLockfile(dir);
    const replaced = await apply(dir, createFakeProvider({ synthesize: async (request) => wavFor(`${request.text}!`) }), { planOptions: { replace: ['intro/0002'] } });
    expect(actions(replaced.plan)).toEqual(['rerender intro/0002', 'reassemble intro']);
    expect(replaced.plan.changes[1]!.reason).toBe('intro/0002 rendered again');
    const after = await readLockfile(dir);
    expect(after.assemblies!.intro!.sha256).not.toBe(before.assemblies!.intro!.sha256);
    expect(after.assemblies!.intro!.parts[1]!.sha256).toBe(after.renders['intro/0002']!.sha256);
  });

  it('rebuilds a chapter whose line was rendered again by an apply that did not build it', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    await apply(dir, createFakeProvider({ synthesize: async (request) => wavFor(`${request.text}!`) }), { planOptions: { replace: ['outro/0001'], targets: ['outro/0001'] } });
    const planned = await plan(dir, createFakeProvider());
    expect(planned.plan.changes).toEqual([expect.objectContaining({ address: 'outro', action: 'reassemble', reason: 'outro/0001 rendered again' })]);
  });

  it('skips a chapter whose line failed, saying so, and builds it on the next apply', async () => {
    const dir = await createProject();
    const failing = createFakeProvider({
      async synthesize(request) {
        if (request.text === 'Or was it?') throw new Error('the vendor said no');
        return wavFor(request.text);
      },
    });
    const { summary } = await apply(dir, failing);
    expect(summary.assemblies).toEqual({ done: 1, deleted: 0, failed: 0, skipped: 1 });
    expect(summary.failures).toContainEqual({ address: 'outro', provider: 'voxform', message: expect.stringMatching(/not assembled: outro\/0002 is not rendered/) });
    expect((await readLockfile(dir)).assemblies!.outro).toBeUndefined();

    const retried = await apply(dir, createFakeProvider());
    expect(actions(retried.plan)).toEqual(['render outro/0002', 'assemble outro']);
    expect(retried.summary.failures).toEqual([]);
  });

  it('builds a chapter from the line files when the cache is gone', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    await rm(path.join(dir, '.voxform/cache'), { recursive: true });
    await rm(path.join(dir, 'out/intro.wav'));
    const fake = createFakeProvider();
    const { summary } = await apply(dir, fake);
    expect(summary.failures).toEqual([]);
    expect(fake.calls.synthesize).toEqual([]);
  });

  it('deletes the chapter file of a script no longer assembled, with --prune', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    await writeFile(path.join(dir, 'voices.yaml'), manifestText({ assembleOutro: false }));
    const fake = createFakeProvider();
    expect((await plan(dir, fake)).plan.changes).toEqual([]);
    const pruned = await apply(dir, fake, { planOptions: { prune: true } });
    expect(actions(pruned.plan)).toEqual(['delete outro']);
    // Done, but not assembled: the summary must not report a deleted file as built.
    expect(pruned.summary.assemblies).toEqual({ done: 1, deleted: 1, failed: 0, skipped: 0 });
    await expect(readFile(path.join(dir, 'out/outro.wav'))).rejects.toThrow();
    expect(Object.keys((await readLockfile(dir)).assemblies!)).toEqual(['intro']);
  });

  describe('a book', () => {
    const ffmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

    it('is left out of the plan without ffmpeg, which the summary says; the chapters are built', async () => {
      const dir = await createProject({ book: true });
      const fake = createFakeProvider();
      const registry = fakeRegistry(fake);
      const project = await loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
      const observations = { ...(await observeProject(project)), ffmpeg: false };
      const planned = createPlan({ manifest: project.manifest, lockfile: project.lockfile, observations, capabilities: (id) => registry.describe(id).capabilities });
      expect(actions(planned).filter((action) => action.startsWith('assemble'))).toEqual(['assemble intro', 'assemble outro']);
      expect(planned.summary.text).toMatch(/2 chapters to assemble\. 1 book is not built: ffmpeg is not installed \(apt install ffmpeg/);
    });

    it.skipIf(!ffmpeg)('is one M4B with a chapter marker per chapter, rebuilt only when a chapter changed (ffmpeg)', async () => {
      const dir = await createProject({ book: true });
      const fake = createFakeProvider();
      const first = await apply(dir, fake);
      expect(actions(first.plan).filter((action) => action.startsWith('assemble'))).toEqual(['assemble intro', 'assemble outro', 'assemble book.tale']);
      expect(first.summary.failures).toEqual([]);
      const lockfile = await readLockfile(dir);
      const book = lockfile.assemblies!['book.tale']!;
      expect(book).toMatchObject({ file: 'out/tale.m4b', format: 'm4b', parts: [{ address: 'intro', key: lockfile.assemblies!.intro!.key }, { address: 'outro', key: lockfile.assemblies!.outro!.key }] });
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_chapters', '-show_format', '-of', 'json', path.join(dir, book.file)], { encoding: 'utf8' });
      const { chapters, format } = JSON.parse(probe.stdout) as { chapters: Array<{ start_time: string; tags: { title: string } }>; format: { tags: { title: string } } };
      expect(format.tags.title).toBe('A Tale');
      expect(chapters.map((chapter) => [chapter.tags.title, Number(chapter.start_time)])).toEqual([['intro', 0], ['outro', lockfile.assemblies!.intro!.durationMs / 1000]]);
      expect((await plan(dir, fake)).plan.changes).toEqual([]);

      await writeFile(path.join(dir, 'voices.yaml'), manifestText({ book: true }).replace('The end.', 'The very end.'));
      const edited = await plan(dir, fake);
      expect(actions(edited.plan)).toEqual(['rerender outro/0001', 'reassemble outro', 'reassemble book.tale']);
      expect(edited.plan.changes[2]!.reason).toBe('outro changed');
    });
  });
});
