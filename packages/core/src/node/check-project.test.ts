import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, checkProject, loadProject, observeProject, projectPaths } from '../node.js';
import { createFakeProvider, fakeRegistry, type FakeProvider } from '../__fixtures__/fake-provider.js';
import { sineWav, temporaryDirectories, writeFiles } from '../__fixtures__/test-project.js';
import { encodePcmWav } from '../audio/pcm-wav.js';
import { createPlan, type PlanOptions } from '../plan/create-plan.js';
import type { SynthesizeResult } from '../providers/provider-v1.js';

const directories = temporaryDirectories();
const sampleRate = 8000;
const texts = [
  'It was a dark and stormy night.',
  'The keeper climbed the stairs again.',
  'Somewhere below, a boat fought the waves.',
  'Nobody in the village slept that night.',
  'By morning the storm had passed.',
];

/** Speech-like audio for `text`: 70 ms per character of a faded tone, then 200 ms of silence; `kind` spoils it. */
function speak(text: string, kind: 'good' | 'silent' | 'truncated' = 'good'): SynthesizeResult {
  const speechFrames = Math.round(((kind === 'truncated' ? 0.1 : 1) * text.length * 0.07) * sampleRate);
  const samples = new Float32Array(speechFrames + 0.2 * sampleRate);
  const fade = 0.03 * sampleRate;
  for (let frame = 0; frame < speechFrames; frame += 1) {
    const envelope = kind === 'silent' ? 0 : Math.min(1, frame / fade, (speechFrames - frame) / fade);
    samples[frame] = 0.3 * envelope * Math.sin((2 * Math.PI * 180 * frame) / sampleRate);
  }
  return { audio: { type: 'bytes', bytes: encodePcmWav({ sampleRate, channels: 1, encoding: { float: false, bitsPerSample: 16 }, samples }) }, format: 'wav' };
}

async function project(script: string[] = []): Promise<string> {
  const dir = await directories.create();
  await writeFiles(dir, {
    'voices.yaml': ['version: 1', 'voices:', '  narrator: { provider: fake, sample: n.wav }', 'scripts:', '  one:', '    voice: narrator', ...script, '    lines:', ...texts.map((text) => `      - ${text}`), ''].join('\n'),
    'n.wav': sineWav({ durationMs: 300 }),
  });
  return dir;
}

async function apply(dir: string, fake: FakeProvider, options: PlanOptions = {}) {
  const registry = fakeRegistry(fake);
  const loaded = await loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
  const plan = createPlan({ manifest: loaded.manifest, lockfile: loaded.lockfile, observations: await observeProject(loaded), capabilities: (id) => registry.describe(id).capabilities, options });
  await applyPlan({ project: loaded, plan, providers: registry });
  return loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
}

describe('checkProject', () => {
  it('passes clean renders, and names the silent and the truncated line with what was measured', async () => {
    const dir = await project();
    const clean = await apply(dir, createFakeProvider({ synthesize: async (request) => speak(request.text) }));
    expect((await checkProject(clean)).failing).toEqual([]);

    const spoiled = await apply(
      dir,
      createFakeProvider({ synthesize: async (request) => speak(request.text, request.text === texts[1] ? 'silent' : request.text === texts[3] ? 'truncated' : 'good') }),
      { replace: ['one/0002', 'one/0004'] },
    );
    const check = await checkProject(spoiled);
    expect(check.outputs).toHaveLength(5);
    expect(check.failing).toEqual([
      { address: 'one/0002', kind: 'line', file: 'out/one/0002-0002.wav', problems: ['silent: its loudest sample is -inf dBFS'], remedy: 'replace' },
      { address: 'one/0004', kind: 'line', file: 'out/one/0004-0004.wav', problems: [expect.stringMatching(/^lasts 0\.5 s, but 39 characters take narrator about \d\.\d s .*truncated or skipped text\?$/)], remedy: 'replace' },
    ]);

    // --replace of those renders them again; then everything passes.
    const fixed = await apply(dir, createFakeProvider({ synthesize: async (request) => speak(request.text) }), { replace: check.failing.map((output) => output.address) });
    expect((await checkProject(fixed)).failing).toEqual([]);
  });

  it('tells a file changed since apply (restore it, free) from a render that came out wrong (render it again)', async () => {
    const dir = await project();
    const clean = await apply(dir, createFakeProvider({ synthesize: async (request) => speak(request.text) }));
    const file = path.join(dir, clean.lockfile.renders['one/0003']!.file);
    const audio = await readFile(file);
    await writeFile(file, audio.subarray(0, 44 + Math.floor((audio.length - 44) / 20) * 2));
    const check = await checkProject(clean);
    expect(check.failing).toEqual([
      { address: 'one/0003', kind: 'line', file: 'out/one/0003-0003.wav', problems: ['changed since apply wrote it: its sha256 is not the one voices.lock records', expect.stringMatching(/^ends abruptly/), expect.stringMatching(/^lasts /)], remedy: 'restore' },
    ]);
  });

  it('says a chapter off a loudness target it cannot reach needs another target, not assembling again', async () => {
    const dir = await project(['    assemble: true', '    loudness: -1']);
    const applied = await apply(dir, createFakeProvider({ synthesize: async (request) => speak(request.text) }));
    const check = await checkProject(applied);
    expect(check.failing).toEqual([
      {
        address: 'one',
        kind: 'assembly',
        file: 'out/one.wav',
        problems: [
          expect.stringMatching(/^loudness -\d+\.\d LUFS, off its target of -1 LUFS by more than 1 LU$/),
          expect.stringMatching(/^with its true peak held under -1 dBTP this chapter reaches -\d+\.\d LUFS at most, so assembling it again changes nothing: set a loudness target it can reach .* for one$/),
        ],
        remedy: 'settings',
      },
    ]);
  });
});
