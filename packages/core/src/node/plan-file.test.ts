import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeRegistry } from '../__fixtures__/fake-provider.js';
import { sineWav, temporaryDirectories, writeFiles } from '../__fixtures__/test-project.js';
import { UsageError } from '../errors/usage-error.js';
import { emptyLockfile } from '../lockfile/lockfile-types.js';
import { serializeLockfile } from '../lockfile/serialize-lockfile.js';
import { createPlan } from '../plan/create-plan.js';
import { loadProject, projectPaths } from './load-project.js';
import { observeProject } from './observe-project.js';
import { checkPlanIsCurrent, readPlanFile, writePlanFile } from './plan-file.js';

const directories = temporaryDirectories();
const registry = fakeRegistry();
const manifest = 'version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello there.\n';

async function savedPlan() {
  const dir = await directories.create();
  await writeFiles(dir, { 'voices.yaml': manifest, 'n.wav': sineWav(), 'voices.lock': serializeLockfile(emptyLockfile()) });
  const load = () => loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
  const project = await load();
  const options = { targets: ['intro/*'] };
  const plan = createPlan({ manifest: project.manifest, lockfile: project.lockfile, observations: await observeProject(project), capabilities: (id) => registry.describe(id).capabilities, options });
  const file = path.join(dir, 'plan.json');
  await writePlanFile(file, project, plan, options);
  return { dir, load, file, plan, options, project };
}

describe('plan files', () => {
  it('round-trip the plan, its options and what it was made from', async () => {
    const { load, file, plan, options, project } = await savedPlan();
    const saved = await readPlanFile(file);
    expect(saved).toMatchObject({ planFileVersion: 1, manifest: 'voices.yaml', plan, options, digests: project.digests });
    expect(() => checkPlanIsCurrent(saved, project, 'plan.json')).not.toThrow();
    const reloaded = await load();
    expect(() => checkPlanIsCurrent(saved, reloaded, 'plan.json')).not.toThrow();
  });

  it('is stale once the manifest changed', async () => {
    const { dir, load, file } = await savedPlan();
    await writeFiles(dir, { 'voices.yaml': manifest.replace('Hello there.', 'Hello again.') });
    const error = (async () => checkPlanIsCurrent(await readPlanFile(file), await load(), 'plan.json'))();
    await expect(error).rejects.toThrow(UsageError);
    await expect(error).rejects.toThrow('The plan in plan.json is stale: the manifest (or a script or sample it names) changed since it was made.');
  });

  it('is stale once a sample changed', async () => {
    const { dir, load, file } = await savedPlan();
    await writeFiles(dir, { 'n.wav': sineWav({ frequency: 500 }) });
    await expect((async () => checkPlanIsCurrent(await readPlanFile(file), await load(), 'plan.json'))()).rejects.toThrow(/the manifest \(or a script or sample it names\) changed/);
  });

  it('is stale once the lockfile changed', async () => {
    const { dir, load, file } = await savedPlan();
    await appendFile(path.join(dir, 'voices.lock'), '# touched\n');
    await expect((async () => checkPlanIsCurrent(await readPlanFile(file), await load(), 'plan.json'))()).rejects.toThrow(/stale: voices\.lock changed/);
  });

  it('refuses a file that is not a plan file', async () => {
    const { dir } = await savedPlan();
    const other = path.join(dir, 'other.json');
    await writeFile(other, '{"changes": []}');
    await expect(readPlanFile(other)).rejects.toThrow(`${other} is not a voxform plan file: \`voxform apply <planfile>\` takes a plan saved with \`voxform plan --out plan.json\`.`);
    await expect(readPlanFile(path.join(dir, 'missing.json'))).rejects.toThrow(UsageError);
  });

  it('refuses the manifest as a plan file without suggesting to write a plan over it', async () => {
    const { dir } = await savedPlan();
    const manifestFile = path.join(dir, 'voices.yaml');
    const error = readPlanFile(manifestFile);
    await expect(error).rejects.toThrow(/is not a voxform plan file.*voxform plan --out plan\.json.*run `voxform apply` without a file/);
    await expect(error).rejects.not.toThrow(`--out ${manifestFile}`);
  });

  it('never writes a plan over a file that is not a plan file, such as the manifest or the lockfile', async () => {
    const { dir, project, plan, options } = await savedPlan();
    for (const name of ['voices.yaml', 'voices.lock', 'notes.json']) {
      const file = path.join(dir, name);
      if (name === 'notes.json') await writeFile(file, '{"mine": true}');
      const before = await readFile(file, 'utf8');
      await expect(writePlanFile(file, project, plan, options)).rejects.toThrow(/exists and is not a voxform plan file.*Save the plan under another name/);
      expect(await readFile(file, 'utf8')).toBe(before);
    }
    await expect(writePlanFile(path.join(dir, 'voices.yaml'), project, plan, options)).rejects.toThrow("(it is the project's voices.yaml)");
  });

  it('writes a plan over an earlier plan file', async () => {
    const { file, project, plan, options } = await savedPlan();
    await writeFile(file, (await readFile(file, 'utf8')).replace('"createdAt": "', '"createdAt": "earlier '));
    await writePlanFile(file, project, plan, options);
    expect((await readPlanFile(file)).createdAt).not.toMatch(/^earlier/);
  });
});
