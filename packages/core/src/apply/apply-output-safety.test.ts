import { mkdir, readFile, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, loadProject, observeProject, projectPaths } from '../node.js';
import { createFakeProvider, fakeRegistry, type FakeProvider } from '../__fixtures__/fake-provider.js';
import { sineWav, temporaryDirectories, writeFiles } from '../__fixtures__/test-project.js';
import { parseLockfile } from '../lockfile/parse-lockfile.js';
import { createPlan, type PlanOptions } from '../plan/create-plan.js';

// The write-time defence: whatever the file system holds, apply writes and deletes only inside the
// output folder (and, for files the lockfile recorded, the project).
const directories = temporaryDirectories();

function manifestText(scripts: { intro?: boolean; outro?: boolean } = { intro: true, outro: true }): string {
  return [
    'version: 1',
    'voices:',
    '  narrator: { provider: fake, sample: samples/narrator.wav }',
    'scripts:',
    ...(scripts.intro ? ['  intro:', '    lines:', '      - narrator: It was a dark night.', '      - narrator: The end.'] : []),
    ...(scripts.outro ? ['  outro:', '    lines:', '      - narrator: Or was it?'] : []),
    '',
  ].join('\n');
}

async function setup() {
  const root = await directories.create();
  const dir = path.join(root, 'project');
  const outside = path.join(root, 'outside');
  await mkdir(outside);
  await writeFiles(dir, { 'voices.yaml': manifestText(), 'samples/narrator.wav': sineWav({ durationMs: 300 }) });
  return { dir, outside };
}

async function apply(dir: string, fake: FakeProvider, options: PlanOptions = {}) {
  const registry = fakeRegistry(fake);
  const project = await loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
  const plan = createPlan({ manifest: project.manifest, lockfile: project.lockfile, observations: await observeProject(project), capabilities: (id) => registry.describe(id).capabilities, options });
  return applyPlan({ project, plan, providers: registry });
}

describe('apply and the output folder', () => {
  it('refuses to write through a link in the output folder that leads outside, before paying for the line', async () => {
    const { dir, outside } = await setup();
    await mkdir(path.join(dir, 'out'));
    await symlink(outside, path.join(dir, 'out/intro'));
    const fake = createFakeProvider();
    const summary = await apply(dir, fake);

    expect(summary.failures.map((failure) => failure.address).sort()).toEqual(['intro/0001', 'intro/0002']);
    for (const failure of summary.failures) {
      expect(failure.message).toMatch(/^refused to write out\/intro\/000\d-000\d\.wav: out\/intro is a symbolic link to .*outside, outside the output folder out\. voxform writes only inside the output folder/);
    }
    expect(fake.calls.synthesize.map((request) => request.text)).toEqual(['Or was it?']);
    expect(await readdir(outside)).toEqual([]);
    const lockfile = parseLockfile(await readFile(path.join(dir, 'voices.lock'), 'utf8'), 'voices.lock');
    expect(Object.keys(lockfile.renders)).toEqual(['outro/0001']);
  });

  it('with --prune, does not delete through a link that leads outside the project', async () => {
    const { dir, outside } = await setup();
    expect((await apply(dir, createFakeProvider())).failures).toEqual([]);
    // The outro folder is swapped for a link to files that must survive, and outro leaves the manifest.
    await rename(path.join(dir, 'out/outro'), path.join(dir, 'outro-was-here'));
    await writeFile(path.join(outside, '0001-0001.wav'), 'precious');
    await symlink(outside, path.join(dir, 'out/outro'));
    await writeFile(path.join(dir, 'voices.yaml'), manifestText({ intro: true }));

    const summary = await apply(dir, createFakeProvider(), { prune: true });
    expect(summary.failures).toEqual([
      { address: 'outro/0001', provider: 'fake', message: expect.stringMatching(/^refused to delete out\/outro\/0001-0001\.wav: its folder leads to .*outside through a symbolic link/) },
    ]);
    expect(await readFile(path.join(outside, '0001-0001.wav'), 'utf8')).toBe('precious');
  });

  it('fails a line whose audio is over maxDownloadBytes, keeps nothing, and does not pay for it again on its own', async () => {
    const { dir } = await setup();
    const fake = createFakeProvider();
    const registry = fakeRegistry(fake);
    const project = await loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
    const plan = createPlan({ manifest: project.manifest, lockfile: project.lockfile, observations: await observeProject(project), capabilities: (id) => registry.describe(id).capabilities });
    const summary = await applyPlan({ project, plan, providers: registry, maxDownloadBytes: 1024 });
    expect(summary.failures).toHaveLength(3);
    for (const failure of summary.failures) expect(failure.message).toMatch(/^the audio is larger than the limit of 1 KiB \(more than \d+ bytes received\)/);
    expect(await readdir(path.join(dir, 'out/intro'))).toEqual([]);
    // The vendor was paid: the write-ahead entries stay, so the next apply asks before paying again.
    const lockfile = parseLockfile(await readFile(path.join(dir, 'voices.lock'), 'utf8'), 'voices.lock');
    expect(lockfile.pending.map((entry) => entry.address).sort()).toEqual(['intro/0001', 'intro/0002', 'outro/0001']);
  });
});
