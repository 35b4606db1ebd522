import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { applyPlan, loadProject, observeProject, projectPaths, type ApplyEvent, type ApplyOptions } from '../node.js';
import { parseLockfile } from '../lockfile/parse-lockfile.js';
import type { Lockfile } from '../lockfile/lockfile-types.js';
import { createPlan, type PlanOptions } from '../plan/create-plan.js';
import { fakeRegistry, type FakeProvider } from './fake-provider.js';

/** What `voxform plan` does on the project in `dir`, with `fake` as its only provider: load, observe, plan. */
export async function planWithFake(dir: string, fake: FakeProvider, options: PlanOptions = {}) {
  const registry = fakeRegistry(fake);
  const project = await loadProject({ paths: projectPaths({ cwd: dir }), providers: registry });
  const observations = await observeProject(project);
  const plan = createPlan({ manifest: project.manifest, lockfile: project.lockfile, observations, capabilities: (id) => registry.describe(id).capabilities, options });
  return { registry, project, plan };
}

/** What `voxform apply --yes` does: plan, then apply it; the events it emitted are kept. */
export async function applyWithFake(dir: string, fake: FakeProvider, options: Partial<ApplyOptions> & { planOptions?: PlanOptions } = {}) {
  const planned = await planWithFake(dir, fake, options.planOptions);
  const events: ApplyEvent[] = [];
  const summary = await applyPlan({ project: planned.project, plan: planned.plan, providers: planned.registry, onEvent: (event) => events.push(event), ...options });
  return { ...planned, summary, events };
}

/** The project's voices.lock, parsed and validated. */
export async function readLockfile(dir: string): Promise<Lockfile> {
  return parseLockfile(await readFile(path.join(dir, 'voices.lock'), 'utf8').catch(() => undefined), 'voices.lock');
}
