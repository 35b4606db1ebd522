import { costOverBudget, createPlan, UsageError, type Plan, type PlanOptions, type VoiceCheck } from '@voxform/core';
import { loadProject, observeProject, type LoadedProject } from '@voxform/core/node';
import type { CommandContext } from '../main.js';

export interface PlanningOptions {
  target?: string[];
  replace?: string[];
  prune: boolean;
  verify: boolean;
  refresh: boolean;
}

/** Load, observe, plan: shared by `plan` and `apply`. */
export async function makePlan(context: CommandContext, options: PlanningOptions): Promise<{ project: LoadedProject; plan: Plan; planOptions: PlanOptions }> {
  const project = await loadProject({ paths: context.paths, providers: context.providers, saveSnapshot: true });
  const remoteVoices = options.refresh ? await checkRemoteVoices(context, project) : undefined;
  const observations = await observeProject(project, { verify: options.verify, ...(remoteVoices ? { remoteVoices } : {}) });
  const planOptions: PlanOptions = {
    ...(options.target ? { targets: options.target } : {}),
    ...(options.replace ? { replace: options.replace } : {}),
    prune: options.prune,
  };
  const plan = createPlan({
    manifest: project.manifest,
    lockfile: project.lockfile,
    observations,
    capabilities: (id) => context.providers.describe(id).capabilities,
    options: planOptions,
  });
  return { project, plan, planOptions };
}

/** `--refresh`: asks each vendor whether the voices the lockfile records still exist. */
async function checkRemoteVoices(context: CommandContext, project: LoadedProject): Promise<Record<string, VoiceCheck>> {
  const result: Record<string, VoiceCheck> = {};
  for (const [name, voice] of Object.entries(project.lockfile.voices)) {
    if (!voice.remoteId || !context.providers.has(voice.provider)) continue;
    const described = context.providers.describe(voice.provider);
    if (!described.doCheckVoice) continue;
    const variable = project.manifest.providers[voice.provider]?.apiKeyEnv ?? described.capabilities.apiKeyEnv;
    const apiKey = variable ? process.env[variable] : undefined;
    if (variable && !apiKey) throw new UsageError(`--refresh asks ${described.displayName}, which needs an API key in $${variable}: export it, or plan without --refresh.`);
    const { baseUrl, region, options } = project.manifest.providers[voice.provider] ?? {};
    const provider = context.providers.create(voice.provider, {
      ...(apiKey ? { apiKey } : {}),
      ...(baseUrl ? { baseUrl } : {}),
      ...(region ? { region } : {}),
      ...(options ? { options } : {}),
    });
    result[name] = await provider.doCheckVoice!(
      { remoteId: voice.remoteId, ...(voice.expiresAt ? { expiresAt: voice.expiresAt } : {}), ...(voice.data ? { data: voice.data } : {}) },
      { signal: new AbortController().signal, recordTask: async () => {}, reportStatus: () => {} },
    );
  }
  return result;
}

/** `--max-cost`: throws a UsageError (exit 1) when the plan's estimate is over it or cannot be checked. */
export function checkBudget(plan: Plan, maxCost: number | undefined): void {
  if (maxCost === undefined || plan.changes.length === 0) return;
  // A plan file written before cost estimates has none: nothing to check it against.
  const problem = plan.summary.cost ? costOverBudget(plan.summary.cost, maxCost) : `the plan has no cost estimate, so --max-cost ${maxCost} cannot be checked: make it again with voxform plan --out.`;
  if (problem) throw new UsageError(`Refusing: ${problem}`);
}
