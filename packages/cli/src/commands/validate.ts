import { formatDiagnostic } from '@voxform/core';
import { loadProject } from '@voxform/core/node';
import { EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';

export async function validateCommand(context: CommandContext): Promise<number> {
  const project = await loadProject({ paths: context.paths, providers: context.providers });
  const { manifest } = project;
  const characters = manifest.lines.reduce((total, line) => total + [...line.text].length, 0);
  const facts = {
    valid: true,
    voices: Object.keys(manifest.voices).length,
    scripts: manifest.scripts.length,
    lines: manifest.lines.length,
    characters,
    warnings: project.warnings,
  };
  if (context.terminal.json) {
    context.terminal.out(JSON.stringify(facts, null, 2));
    return EXIT_OK;
  }
  for (const warning of project.warnings) context.terminal.error(formatDiagnostic(warning));
  context.terminal.out(
    `${context.paths.display(context.paths.manifestFile)} is valid: ${facts.voices} voice${facts.voices === 1 ? '' : 's'}, ` +
      `${facts.scripts} script${facts.scripts === 1 ? '' : 's'}, ${facts.lines} line${facts.lines === 1 ? '' : 's'} (${characters.toLocaleString('en-US')} characters).`,
  );
  return EXIT_OK;
}
