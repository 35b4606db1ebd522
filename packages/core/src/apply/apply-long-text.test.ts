import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Mp3Encoder } from '@breezystack/lamejs';
import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { createFakeProvider, wavFor, type FakeProvider } from '../__fixtures__/fake-provider.js';
import { applyWithFake as apply, planWithFake as plan, readLockfile } from '../__fixtures__/plan-and-apply.js';
import { sineWav, temporaryDirectories, writeFiles } from '../__fixtures__/test-project.js';
import { mp3Frames } from '../audio/join-mp3.js';
import { decodePcmWav } from '../audio/pcm-wav.js';
import { ApiCallError } from '../errors/api-call-error.js';
import type { Lockfile } from '../lockfile/lockfile-types.js';
import { formatPlan } from '../plan/format-plan.js';

// A line longer than its provider takes in one call: rendered in pieces, each its own billable,
// write-ahead, cached work, joined into one output.

const directories = temporaryDirectories();
const sentences = ['The storm came in at dusk.', 'The keeper lit the lamp.', 'Nobody slept that night.'];
const longLine = sentences.join(' ');

async function createProject(text = longLine, provider = 'fake'): Promise<string> {
  const dir = await directories.create();
  await writeFiles(dir, {
    'voices.yaml': [
      'version: 1',
      'providers:',
      `  ${provider}: { maxTextLength: 30 }`,
      'voices:',
      `  narrator: { provider: ${provider}, sample: samples/narrator.wav }`,
      'scripts:',
      '  intro:',
      '    lines:',
      `      - narrator: ${text}`,
      '      - narrator: Short.',
      '',
    ].join('\n'),
    'samples/narrator.wav': sineWav({ durationMs: 300, frequency: 220 }),
  });
  return dir;
}

const spoken = (fake: FakeProvider) => fake.calls.synthesize.map((request) => request.text);

describe('a line longer than the provider takes in one call', () => {
  it('is rendered sentence by sentence with the same voice and options, joined into one file, and billed by its pieces', async () => {
    const dir = await createProject();
    const fake = createFakeProvider();
    const first = await plan(dir, fake);
    const change = first.plan.changes.find((candidate) => candidate.address === 'intro/0001');
    expect(change).toMatchObject({ action: 'render', pieces: 3, characters: sentences.join('').length });
    expect(formatPlan(first.plan)).toContain(`intro/0001 render out/intro/0001-0001.wav (${sentences.join('').length} chars in 3 pieces, fake)`);

    const { summary } = await apply(dir, fake);
    expect(summary.failures).toEqual([]);
    expect(spoken(fake).sort()).toEqual([...sentences, 'Short.'].sort());
    const [firstPiece] = fake.calls.synthesize.filter((request) => request.text === sentences[0]);
    expect(firstPiece!.voice.remoteId).toBe(fake.calls.synthesize.find((request) => request.text === 'Short.')!.voice.remoteId);

    const lockfile = await readLockfile(dir);
    expect(lockfile.renders['intro/0001']).toMatchObject({ pieces: 3, chars: sentences.join('').length });
    expect(lockfile.renders['intro/0002']!.pieces).toBeUndefined();
    expect(lockfile.pending).toEqual([]);
    // One file holding the three pieces' audio (the fake speaks 120 ms per call).
    const audio = decodePcmWav(await readFile(path.join(dir, 'out/intro/0001-0001.wav')));
    expect(audio.samples.length).toBe(3 * decodePcmWav((wavFor('x').audio as { bytes: Uint8Array }).bytes).samples.length);

    const again = await plan(dir, fake);
    expect(again.plan.changes).toEqual([]);
  });

  it('has each piece\'s own pending entry on disk before its call, and none after', async () => {
    const dir = await createProject();
    const seen: Array<{ text: string; pending: Lockfile['pending'] }> = [];
    const fake = createFakeProvider({
      async synthesize(request) {
        seen.push({ text: request.text, pending: (await readLockfile(dir)).pending });
        return wavFor(request.text);
      },
    });
    await apply(dir, fake);
    for (const [index, sentence] of sentences.entries()) {
      const call = seen.find((entry) => entry.text === sentence)!;
      expect(call.pending).toContainEqual(expect.objectContaining({ kind: 'line', address: `intro/0001#${index + 1}` }));
    }
    expect((await readLockfile(dir)).pending).toEqual([]);
  });

  it('re-renders only the edited piece: the unchanged pieces come from the cache', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const edited = `${sentences[0]} ${sentences[1]} Everyone slept well.`;
    await writeFile(path.join(dir, 'voices.yaml'), (await readFile(path.join(dir, 'voices.yaml'), 'utf8')).replace(longLine, edited));
    const fake = createFakeProvider();
    const { summary, plan: planned } = await apply(dir, fake);
    expect(planned.changes.map((change) => `${change.action} ${change.address}`)).toEqual(['rerender intro/0001']);
    // The plan bills what apply will send: the edited piece's characters, not the whole line's.
    expect(planned.changes[0]).toMatchObject({ characters: 'Everyone slept well.'.length, pieces: 3, piecesCached: 2 });
    expect(planned.summary.text).toContain(`(${'Everyone slept well.'.length} characters: fake ${'Everyone slept well.'.length})`);
    expect(formatPlan(planned)).toContain(`intro/0001 rerender out/intro/0001-0001.wav (${'Everyone slept well.'.length} chars in 1 of 3 pieces, fake)`);
    expect(summary.failures).toEqual([]);
    expect(spoken(fake)).toEqual(['Everyone slept well.']);
    expect(summary.characters).toBe(planned.changes[0]!.characters);
  });

  it('bills every piece again on --replace, cached or not', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const replaced = await plan(dir, createFakeProvider(), { replace: ['intro/0001'] });
    expect(replaced.plan.changes[0]).toMatchObject({ action: 'rerender', characters: sentences.join('').length, pieces: 3 });
    expect(replaced.plan.changes[0]).not.toHaveProperty('piecesCached');
  });

  it('never sends again on its own a piece the vendor may have billed, nor the pieces already done; --replace renders the line again', async () => {
    const dir = await createProject();
    const unreadable = new ApiCallError({ provider: 'Fake', method: 'POST', url: 'https://fake.test/speak', status: 200, problem: 'HTTP 200 with a body that is not valid JSON', isRetryable: false, mayHaveBeenAccepted: true });
    const failing = createFakeProvider({
      async synthesize(request) {
        if (request.text === sentences[1]) throw unreadable;
        return wavFor(request.text);
      },
    });
    const first = await apply(dir, failing);
    expect(first.summary.failures).toEqual([{ address: 'intro/0001', provider: 'fake', message: expect.stringMatching(/voxform apply --replace intro\/0001` to render it anyway/), replaceAddress: 'intro/0001' }]);
    expect((await readLockfile(dir)).pending.map((entry) => entry.address)).toEqual(['intro/0001#2']);

    const fake = createFakeProvider();
    const second = await apply(dir, fake);
    // Pieces 1 and 3 are in the cache and piece 2 waits for --replace: nothing to bill.
    expect(second.plan.changes.find((change) => change.address === 'intro/0001')).toMatchObject({ action: 'render', characters: 0, awaitsReplace: true, piecesCached: 2 });
    expect(spoken(fake)).toEqual([]);
    expect(second.summary.failures).toEqual([{ address: 'intro/0001#2', provider: 'fake', message: expect.stringMatching(/may already have been billed.*voxform apply --replace intro\/0001` to render it anyway/), replaceAddress: 'intro/0001' }]);
    expect(second.summary.lines).toMatchObject({ failed: 1, skipped: 0 });

    const replaced = await apply(dir, fake, { planOptions: { replace: ['intro/0001'] } });
    expect(replaced.summary.failures).toEqual([]);
    expect(spoken(fake).sort()).toEqual([...sentences].sort());
    expect((await readLockfile(dir)).pending).toEqual([]);
  });

  it('resumes a piece whose vendor task was recorded before a crash, without submitting it again', async () => {
    const dir = await createProject();
    const crashing = createFakeProvider({
      async synthesize(request, context) {
        if (request.text !== sentences[2]) return wavFor(request.text);
        await context.recordTask({ taskId: 'task-piece-3' });
        throw new ApiCallError({ provider: 'Fake', method: 'GET', url: 'https://fake.test/task', problem: 'the connection broke', isRetryable: true });
      },
    });
    await apply(dir, crashing);
    expect((await readLockfile(dir)).pending).toEqual([expect.objectContaining({ address: 'intro/0001#3', task: { taskId: 'task-piece-3' } })]);

    const fake = createFakeProvider();
    const { summary } = await apply(dir, fake);
    expect(summary.failures).toEqual([]);
    expect(spoken(fake)).toEqual([]);
    expect(fake.calls.resumeSynthesis).toEqual([expect.objectContaining({ task: { taskId: 'task-piece-3' }, request: expect.objectContaining({ text: sentences[2] }) })]);
    expect((await readLockfile(dir)).renders['intro/0001']).toMatchObject({ pieces: 3 });
  });

  it('joins MP3 pieces frame by frame into one stream as long as the pieces together', async () => {
    const dir = await createProject(longLine, 'mp3');
    // A second of tone per piece, encoded as a vendor would send it.
    const mp3 = (seconds: number) => {
      const samples = new Int16Array(Math.round(seconds * 22050));
      for (let index = 0; index < samples.length; index += 1) samples[index] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * index) / 22050));
      const encoder = new Mp3Encoder(1, 22050, 48);
      return Uint8Array.from([...encoder.encodeBuffer(samples), ...encoder.flush()]);
    };
    const fake = createFakeProvider({ id: 'mp3', capabilities: { outputFormats: ['mp3'] }, synthesize: async () => ({ audio: { type: 'bytes', bytes: mp3(1) }, format: 'mp3' }) });
    const { summary } = await apply(dir, fake);
    expect(summary.failures).toEqual([]);
    const joined = await readFile(path.join(dir, 'out/intro/0001-0001.mp3'));
    expect(mp3Frames(joined)).toHaveLength(3 * mp3Frames(mp3(1)).length);
    const { format } = await parseBuffer(joined, { mimeType: 'audio/mpeg' }, { duration: true });
    expect(format.duration).toBeGreaterThan(3);
    expect(format.duration).toBeLessThan(3.3);
    expect((await readLockfile(dir)).renders['intro/0001']).toMatchObject({ pieces: 3, format: 'mp3' });
  });
});
