import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeProvider, fakeRegistry } from '../__fixtures__/fake-provider.js';
import { sineWav, temporaryDirectories, writeFiles } from '../__fixtures__/test-project.js';
import { applyPlan } from '../apply/apply-plan.js';
import { createPlan } from '../plan/create-plan.js';
import { loadProject, projectPaths } from './load-project.js';
import { observeProject } from './observe-project.js';

const directories = temporaryDirectories();
const registry = fakeRegistry(createFakeProvider());
const capabilities = (id: string) => registry.describe(id).capabilities;
const manifest = 'version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello there.\n      - narrator: Goodbye.\n';

/** A project rendered once: two output files recorded in voices.lock and in the cache. */
async function renderedProject() {
  const dir = await directories.create();
  await writeFiles(dir, { 'voices.yaml': manifest, 'n.wav': sineWav() });
  const load = () => loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
  const project = await load();
  const plan = createPlan({ manifest: project.manifest, lockfile: project.lockfile, observations: await observeProject(project), capabilities });
  await applyPlan({ project, plan, providers: registry });
  return { dir, load, file: path.join(dir, 'out/intro/0001-0001.wav') };
}

describe('observeProject', () => {
  it('sees recorded outputs as unchanged, and lists the cache', async () => {
    const { load } = await renderedProject();
    const project = await load();
    const observations = await observeProject(project, { now: new Date('2026-11-21T12:00:00Z') });
    expect(observations.outputs).toEqual({ 'out/intro/0001-0001.wav': 'unchanged', 'out/intro/0002-0002.wav': 'unchanged' });
    expect([...observations.cached].sort()).toEqual(Object.values(project.lockfile.renders).map((render) => render.key).sort());
    expect(observations.now).toBe('2026-11-21T12:00:00.000Z');
    expect(observations.samples.narrator?.sampleDigest).toBe(project.samples.narrator?.sample.digest);
  });

  it('reports a missing output and one whose size changed', async () => {
    const { dir, load, file } = await renderedProject();
    await rm(file);
    await writeFile(path.join(dir, 'out/intro/0002-0002.wav'), sineWav({ durationMs: 50 }));
    expect((await observeProject(await load())).outputs).toEqual({ 'out/intro/0001-0001.wav': 'missing', 'out/intro/0002-0002.wav': 'modified' });
  });

  it('trusts size and mtime like git’s index, and hashes everything with verify', async () => {
    const { load, file } = await renderedProject();
    const { mtime, atime } = await stat(file);
    const bytes = await readFile(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff; // same size, other content
    await writeFile(file, bytes);
    await utimes(file, atime, mtime);
    const project = await load();
    expect((await observeProject(project)).outputs['out/intro/0001-0001.wav']).toBe('unchanged');
    expect((await observeProject(project, { verify: true })).outputs['out/intro/0001-0001.wav']).toBe('modified');
  });

  it('hashes a file whose mtime changed, and finds it unchanged when its content is', async () => {
    const { load, file } = await renderedProject();
    await utimes(file, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    expect((await observeProject(await load())).outputs['out/intro/0001-0001.wav']).toBe('unchanged');
  });
});
