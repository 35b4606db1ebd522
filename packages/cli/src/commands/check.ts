import { checkProject, loadProject, type LoadedProject, type ProjectCheck } from '@voxform/core/node';
import { EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';

/** `voxform check`: the quality gates over what voices.lock records; exit 1 listing what fails them. */
export async function checkCommand(context: CommandContext): Promise<number> {
  const project = await loadProject({ paths: context.paths, providers: context.providers });
  return reportCheck(context, await checkProject(project));
}

/** `apply --check`: the same gates right after an apply, on the project as it now is. */
export async function checkAfterApply(context: CommandContext, applied: LoadedProject): Promise<number> {
  const project = await loadProject({ paths: applied.paths, providers: context.providers });
  return reportCheck(context, await checkProject(project));
}

/** The gates' findings after an apply, not printed (for `apply --json --check`). */
export async function checkQuietly(context: CommandContext, applied: LoadedProject): Promise<ProjectCheck> {
  return checkProject(await loadProject({ paths: applied.paths, providers: context.providers }));
}

function reportCheck(context: CommandContext, check: ProjectCheck): number {
  const { terminal } = context;
  if (terminal.json) {
    terminal.out(JSON.stringify({ failing: check.failing, unchecked: check.unchecked, checked: check.outputs.length }, null, 2));
    return check.failing.length > 0 ? EXIT_ERROR : EXIT_OK;
  }
  for (const output of check.failing) {
    terminal.out(terminal.style('red', `✗ ${output.address} (${output.file})`));
    for (const problem of output.problems) terminal.out(`    ${problem}`);
  }
  if (!terminal.quiet) for (const item of check.unchecked) terminal.out(`  ${item.address}: not checked: ${item.reason}`);
  const lines = check.outputs.filter((output) => output.kind === 'line').length;
  const chapters = check.outputs.length - lines;
  const what = `${lines} line${lines === 1 ? '' : 's'}${chapters > 0 ? ` and ${chapters} chapter${chapters === 1 ? '' : 's'}` : ''}`;
  if (check.failing.length === 0) {
    terminal.out(terminal.style('green', `Checked ${what}: no problem found.`));
    return EXIT_OK;
  }
  const remedies: string[] = [];
  const restore = check.failing.filter((output) => output.remedy === 'restore');
  if (restore.length > 0) {
    remedies.push(`Put back the audio voices.lock records for ${restore.map((output) => output.address).join(', ')} (from .voxform/cache, free): voxform apply`);
  }
  // A chapter is rebuilt with its lines; one that fails on its own is reassembled by --replace of it.
  const failingLines = check.failing.filter((output) => output.kind === 'line' && output.remedy === 'replace').map((output) => output.address);
  const failingChapters = check.failing.filter(
    (output) => output.kind === 'assembly' && output.remedy === 'replace' && !failingLines.some((line) => line.startsWith(`${output.address}/`)),
  );
  const replace = [...failingLines, ...failingChapters.map((output) => output.address)];
  if (replace.length > 0) remedies.push(`Render them again: voxform apply ${replace.map((address) => `--replace ${address}`).join(' ')}`);
  const settings = check.failing.filter((output) => output.remedy === 'settings');
  if (settings.length > 0) remedies.push(`Change the manifest for ${settings.map((output) => output.address).join(', ')}, as said above; then voxform apply`);
  terminal.out(`${check.failing.length} of ${check.outputs.length} checked files failed (${what} checked). ${remedies.join('. ')}`);
  return EXIT_ERROR;
}
