import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_JOIN_PAUSE_MS, ProviderRegistry, createPlan, decodePcmWav, identifyManifest, joinWav, parseLockfile, type Plan, type PlannedLineChange } from '@voxform/core';
import { applyPlan, loadProject, observeProject, projectPaths, sampleDigests } from '@voxform/core/node';
import { createLocalProvider } from '@voxform/provider-local';
import { root } from './support/voxform-process.js';

// Issue 7's "done" for long text: a 12,000-character chapter on the offline `local` provider limited to
// 1,000 characters per call renders as one seamless file.

const sentences = [
  'The lighthouse stood on the last rock before the open sea, and its keeper had lived there for eleven winters.',
  'Every evening he climbed the hundred and twelve steps, trimmed the wick, and wound the clockwork that turned the lens.',
  'Ships passed far out, their lights like sparks, and none of them ever knew his name.',
  'In the spring a letter came, the first in years, written in a hand he did not recognise.',
  'It asked whether he remembered the night of the great storm, when a small boat had vanished below the cliffs.',
  'He read it twice, folded it carefully, and put it in the drawer with the logbooks.',
  'That night the wind rose early; the glass fell, the gulls went quiet, and the sea turned the colour of slate.',
];

function chapterText(characters: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let index = 0; length < characters; index += 1) {
    const sentence = sentences[index % sentences.length]!;
    parts.push(sentence);
    length += sentence.length + 1;
  }
  return parts.join(' ');
}

describe('a 12,000-character chapter on a provider taking 1,000 characters per call', () => {
  let dir: string;
  const registry = new ProviderRegistry().register('local', (settings) => createLocalProvider(settings));
  const text = chapterText(12_000);
  const planFor = async () => {
    const project = await loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
    const plan = createPlan({ manifest: project.manifest, lockfile: project.lockfile, observations: await observeProject(project), capabilities: (id) => registry.describe(id).capabilities });
    return { project, plan };
  };
  let plan: Plan;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'voxform-long-text-'));
    await copyFile(path.join(root, 'examples/audiobook/samples/narrator.wav'), path.join(dir, 'narrator.wav'));
    await writeFile(
      path.join(dir, 'voices.yaml'),
      ['version: 1', 'providers:', '  local: { maxTextLength: 1000 }', 'voices:', '  narrator: { provider: local, sample: narrator.wav }', 'scripts:', '  chapter-07:', '    lines:', `      - narrator: ${JSON.stringify(text)}`, ''].join('\n'),
    );
    const planned = await planFor();
    plan = planned.plan;
    const summary = await applyPlan({ project: planned.project, plan, providers: registry });
    expect(summary.failures).toEqual([]);
  }, 180_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('was planned as one line in pieces of at most 1,000 characters', () => {
    expect(text.length).toBeGreaterThanOrEqual(12_000);
    const [change] = plan.changes.filter((candidate): candidate is PlannedLineChange => candidate.kind === 'line');
    expect(plan.changes.filter((candidate) => candidate.kind === 'line')).toHaveLength(1);
    expect(change!.pieces).toBeGreaterThanOrEqual(13);
  });

  it('renders one file that is exactly the pieces joined, with no long silence and no click at any join', async () => {
    const lockfile = parseLockfile(await readFile(path.join(dir, 'voices.lock'), 'utf8'), 'voices.lock');
    const render = lockfile.renders['chapter-07/0001']!;
    const { project } = await planFor();
    const pieceKeys = identifyManifest(project.manifest, sampleDigests(project)).lines['chapter-07/0001']!.pieces!.map((piece) => piece.key);
    expect(render.pieces).toBe(pieceKeys.length);

    const output = await readFile(path.join(dir, render.file));
    const pieces = await Promise.all(pieceKeys.map((key) => readFile(path.join(dir, '.voxform/cache', `${key}.wav`))));
    const joined = joinWav(pieces);
    expect(Buffer.from(joined.wav).equals(output)).toBe(true);

    const { samples, sampleRate } = decodePcmWav(output);
    const silence = 10 ** (-50 / 20);
    expect(joined.joins).toHaveLength(pieces.length - 1);
    for (const join of joined.joins) {
      let start = join;
      let end = join;
      while (start > 0 && Math.abs(samples[start - 1]!) < silence) start -= 1;
      while (end < samples.length && Math.abs(samples[end]!) < silence) end += 1;
      expect(((end - start) * 1000) / sampleRate).toBeLessThanOrEqual(DEFAULT_JOIN_PAUSE_MS + 1);
      let largestStep = 0;
      const window = Math.round(sampleRate * 0.005);
      // The cut and the fades on either side of it: a click would be a jump here.
      for (let index = join - window; index < join + window; index += 1) largestStep = Math.max(largestStep, Math.abs(samples[index]! - samples[index - 1]!));
      expect(largestStep).toBeLessThan(0.02);
    }
  });

  it('has nothing left to do on the next plan', async () => {
    expect((await planFor()).plan.changes).toEqual([]);
  });
});
