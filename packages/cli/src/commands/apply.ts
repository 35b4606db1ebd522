import { createInterface } from 'node:readline/promises';
import { formatPlan, UsageError, type Plan } from '@voxform/core';
import { applyPlan, checkPlanIsCurrent, createNodeDispatcher, loadProject, readPlanFile, type ApplySummary, type LoadedProject } from '@voxform/core/node';
import { EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { createProgress } from '../progress.js';
import { checkBudget, makePlan, type PlanningOptions } from './make-plan.js';
import { colorPlan } from './plan.js';

export async function applyCommand(
  context: CommandContext,
  planFile: string | undefined,
  options: PlanningOptions & { yes: boolean; parallelism: number; failFast: boolean; maxDownloadMb?: number; maxCost?: number; check?: boolean },
): Promise<number> {
  const { terminal } = context;
  let project: LoadedProject;
  let plan: Plan;
  if (planFile) {
    const saved = await readPlanFile(planFile);
    project = await loadProject({ paths: context.paths, providers: context.providers, saveSnapshot: true });
    checkPlanIsCurrent(saved, project, planFile);
    plan = saved.plan;
  } else {
    ({ project, plan } = await makePlan(context, options));
  }

  if (plan.changes.length === 0 && project.lockfile.pending.length === 0) {
    if (terminal.json) terminal.out(JSON.stringify({ summary: plan.summary.text, applied: false }));
    else terminal.out(plan.summary.text);
    return options.check ? (await import('./check.js')).checkAfterApply(context, project) : EXIT_OK;
  }
  if (!terminal.json && !terminal.quiet) terminal.out(colorPlan(formatPlan(plan), context));
  checkBudget(plan, options.maxCost);

  if (!planFile && !options.yes) {
    if (!terminal.interactive) {
      throw new UsageError(
        'apply spends money at the vendors and needs a yes: add --yes (as in CI), or save and review a plan first: voxform plan --out plan.json && voxform apply plan.json',
      );
    }
    const answer = await ask('\nApply these changes? Only "yes" is accepted: ');
    if (answer.trim() !== 'yes') {
      terminal.out('Apply cancelled; nothing was done.');
      return EXIT_ERROR;
    }
  }

  // First Ctrl-C: finish what runs. Second: abort it (task ids stay recorded for the next apply).
  const stop = new AbortController();
  const abort = new AbortController();
  const onSignal = () => (stop.signal.aborted ? abort.abort() : stop.abort());
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = createProgress(context, plan);
  const dispatcher = await createNodeDispatcher(context.dispatcher);
  let summary: ApplySummary;
  try {
    summary = await applyPlan({
      project,
      plan,
      providers: context.providers,
      parallelism: options.parallelism,
      failFast: options.failFast,
      stopSignal: stop.signal,
      abortSignal: abort.signal,
      onEvent: progress.onEvent,
      dispatcher,
      command: `voxform apply${planFile ? ` ${planFile}` : ''}`,
      ...(options.maxDownloadMb === undefined ? {} : { maxDownloadBytes: options.maxDownloadMb * 1024 * 1024 }),
    });
  } finally {
    await progress.done();
    await dispatcher.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const failed = summary.failures.length > 0 || summary.interrupted;
  if (terminal.json) {
    // One JSON document: the check's findings go inside it.
    const check = options.check && !failed ? await (await import('./check.js')).checkQuietly(context, project) : undefined;
    terminal.out(JSON.stringify({ summary, applied: true, ...(check ? { check: { failing: check.failing, unchecked: check.unchecked, checked: check.outputs.length } } : {}) }, null, 2));
    return failed || (check?.failing.length ?? 0) > 0 ? EXIT_ERROR : EXIT_OK;
  }
  terminal.out(describeSummary(summary, context));
  if (failed) return EXIT_ERROR;
  return options.check ? (await import('./check.js')).checkAfterApply(context, project) : EXIT_OK;
}

/** The closing lines of apply: what was done, what failed and why, and what to run next. */
export function describeSummary(summary: ApplySummary, context: CommandContext): string {
  const { style } = context.terminal;
  const lines: string[] = [];
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const facts = [
    `${summary.voices.done} voice change${summary.voices.done === 1 ? '' : 's'}`,
    `${summary.lines.done} line${summary.lines.done === 1 ? '' : 's'} done`,
    `${summary.characters.toLocaleString('en-US')} characters billed`,
  ];
  const assembled = summary.assemblies.done - summary.assemblies.deleted;
  if (assembled > 0) facts.push(`${assembled} chapter or book file${assembled === 1 ? '' : 's'} assembled`);
  if (summary.assemblies.deleted > 0) facts.push(`${summary.assemblies.deleted} chapter or book file${summary.assemblies.deleted === 1 ? '' : 's'} deleted`);
  const skipped = summary.lines.skipped + summary.assemblies.skipped;
  if (skipped > 0) facts.push(`${skipped} skipped`);
  const failed = summary.lines.failed + summary.voices.failed + summary.assemblies.failed;
  if (failed > 0) facts.push(`${failed} failed`);
  const headline = summary.interrupted ? 'Apply interrupted' : failed > 0 ? 'Apply finished with failures' : 'Apply complete';
  lines.push(style(failed > 0 || summary.interrupted ? 'red' : 'green', `${headline}: ${facts.join(', ')} in ${seconds} s.`));
  for (const failure of summary.failures) lines.push(style('red', `  ✗ ${failure.address} (${failure.provider}): ${failure.message}`));
  if (failed > 0 || summary.failures.length > 0 || summary.interrupted) lines.push(whatNext(summary));
  return lines.join('\n');
}

/**
 * What to run to do the rest. Work the vendor may already have billed never goes through on another
 * plain apply, only with `--replace <address>`; anything else (interrupted, temporary) does.
 */
function whatNext(summary: ApplySummary): string {
  const replace = [...new Set(summary.failures.flatMap((failure) => (failure.replaceAddress ? [failure.replaceAddress] : [])))];
  const applyAgain = summary.interrupted || summary.failures.some((failure) => !failure.replaceAddress);
  const recorded = 'Everything that finished is recorded in voices.lock';
  const command = `\`voxform apply --replace ${replace.join(' ')}\``;
  if (replace.length === 0) return `${recorded}; run \`voxform apply\` again to do the rest.`;
  if (!applyAgain) {
    return `${recorded}. The rest may already have been billed, so voxform will not send it again on its own: once you have checked your vendor account, run ${command} to send it anyway.`;
  }
  return `${recorded}; run \`voxform apply\` again to do the rest, except ${replace.join(', ')}: ${replace.length === 1 ? 'it' : 'they'} may already have been billed, so only ${command} sends ${replace.length === 1 ? 'it' : 'them'}, once you have checked your vendor account.`;
}

async function ask(question: string): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await readline.question(question);
  } finally {
    readline.close();
  }
}
