import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { UsageError } from '../errors/usage-error.js';
import type { PlanOptions } from '../plan/create-plan.js';
import type { Plan } from '../plan/plan-types.js';
import type { LoadedProject } from './load-project.js';

/** `plan --out FILE`: the plan plus what it was made from, so `apply FILE` can refuse a stale one. */
export interface PlanFile {
  planFileVersion: 1;
  createdAt: string;
  /** The manifest the plan is for, relative to the working directory when it was made. */
  manifest: string;
  digests: LoadedProject['digests'];
  options: PlanOptions;
  plan: Plan;
}

export async function writePlanFile(file: string, project: LoadedProject, plan: Plan, options: PlanOptions): Promise<void> {
  const content: PlanFile = {
    planFileVersion: 1,
    createdAt: new Date().toISOString(),
    manifest: project.paths.display(project.paths.manifestFile),
    digests: project.digests,
    options,
    plan,
  };
  await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
}

export async function readPlanFile(file: string): Promise<PlanFile> {
  let content: PlanFile;
  try {
    content = JSON.parse(await readFile(file, 'utf8')) as PlanFile;
  } catch (error) {
    throw new UsageError(`Cannot read the plan file ${file}: ${(error as Error).message}. Make one with \`voxform plan --out ${file}\`.`);
  }
  if (content?.planFileVersion !== 1 || !content.plan || !content.digests) {
    throw new UsageError(`${file} is not a voxform plan file. Make one with \`voxform plan --out ${file}\`.`);
  }
  return content;
}

/** Throws unless the project is exactly as it was when the plan was made. */
export function checkPlanIsCurrent(planFile: PlanFile, project: LoadedProject, file: string): void {
  const changed = [
    planFile.digests.manifest !== project.digests.manifest ? 'the manifest (or a script or sample it names)' : undefined,
    planFile.digests.lockfile !== project.digests.lockfile ? 'voices.lock' : undefined,
  ].filter(Boolean);
  if (changed.length > 0) {
    throw new UsageError(`The plan in ${file} is stale: ${changed.join(' and ')} changed since it was made. Run \`voxform plan --out ${file}\` again and review it.`);
  }
}
