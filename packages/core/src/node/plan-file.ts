import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

/** Writes the plan to `file`, refusing to replace a file that is not a plan file (the manifest, say). */
export async function writePlanFile(file: string, project: LoadedProject, plan: Plan, options: PlanOptions): Promise<void> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && !isPlanFile(parseJson(existing))) {
    throw new UsageError(
      `${file} exists and is not a voxform plan file, so \`plan --out\` leaves it as it is${sameFile(file, project) ? ` (it is the project's ${path.basename(file)})` : ''}. ` +
        `Save the plan under another name, such as \`voxform plan --out plan.json\`.`,
    );
  }
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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the plan file ${file}: ${(error as Error).message}. Make one with \`voxform plan --out ${file}\`.`);
  }
  const content = parseJson(text);
  if (!isPlanFile(content)) {
    // Not the same file name in the hint: it names a file that exists, maybe the manifest.
    throw new UsageError(
      `${file} is not a voxform plan file: \`voxform apply <planfile>\` takes a plan saved with \`voxform plan --out plan.json\`. ` +
        'To apply the manifest as it is now, run `voxform apply` without a file.',
    );
  }
  return content;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isPlanFile(content: unknown): content is PlanFile {
  const candidate = content as Partial<PlanFile> | undefined;
  return typeof candidate === 'object' && candidate !== null && candidate.planFileVersion === 1 && !!candidate.plan && !!candidate.digests;
}

function sameFile(file: string, project: LoadedProject): boolean {
  const target = path.resolve(file);
  return target === path.resolve(project.paths.manifestFile) || target === path.resolve(project.paths.lockfileFile);
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
