import { formatPlan, formatPlanMarkdown, planToJson } from '@voxform/core';
import { writePlanFile } from '@voxform/core/node';
import { EXIT_CHANGES, EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { checkBudget, makePlan, type PlanningOptions } from './make-plan.js';

export async function planCommand(context: CommandContext, options: PlanningOptions & { detailedExitcode: boolean; out?: string; maxCost?: number; format: 'text' | 'markdown' | 'json' }): Promise<number> {
  const { project, plan, planOptions } = await makePlan(context, options);
  const { terminal } = context;
  const json = terminal.json || options.format === 'json';
  if (json) {
    terminal.out(JSON.stringify(planToJson(plan), null, 2));
  } else if (options.format === 'markdown') {
    // Whole, even with --quiet: it is the comment a workflow posts.
    terminal.out(formatPlanMarkdown(plan).trimEnd());
  } else if (terminal.quiet) {
    terminal.out(plan.summary.text);
    if (plan.summary.cost.text) terminal.out(plan.summary.cost.text);
  } else {
    terminal.out(colorPlan(formatPlan(plan), context));
  }
  // After the plan is shown, so the reader sees what is over budget; before it is saved for apply.
  checkBudget(plan, options.maxCost);
  if (options.out) {
    await writePlanFile(options.out, project, plan, planOptions);
    const saved = `Saved the plan to ${options.out}. Apply exactly this with: voxform apply ${options.out}`;
    // Markdown is a comment body and JSON a document: the note goes beside them, not into them.
    if (options.format === 'markdown') terminal.error(saved);
    else if (!json) terminal.out(saved);
  }
  return options.detailedExitcode && plan.changes.length > 0 ? EXIT_CHANGES : EXIT_OK;
}

export function colorPlan(text: string, context: CommandContext): string {
  const { style } = context.terminal;
  return text
    .split('\n')
    .map((line) => {
      const symbol = line.trimStart().split(' ')[0];
      if (symbol === '+') return style('green', line);
      if (symbol === '-/+') return style('yellow', line);
      if (symbol === '-') return style('red', line);
      if (symbol === '<=' || symbol === '→') return style('cyan', line);
      if (line.startsWith('Plan:')) return style('bold', line);
      return line;
    })
    .join('\n');
}
