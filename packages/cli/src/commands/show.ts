import { readFile } from 'node:fs/promises';
import { parseLockfile } from '@voxform/core';
import { EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';

export async function showCommand(context: CommandContext): Promise<number> {
  const { paths, terminal } = context;
  const text = await readFile(paths.lockfileFile, 'utf8').catch(() => undefined);
  const lockfile = parseLockfile(text, paths.display(paths.lockfileFile));
  if (terminal.json) {
    terminal.out(JSON.stringify(lockfile, null, 2));
    return EXIT_OK;
  }
  if (text === undefined) {
    terminal.out(`No ${paths.display(paths.lockfileFile)} yet: run \`voxform apply\` to create voices and render lines.`);
    return EXIT_OK;
  }
  terminal.out(terminal.style('bold', 'Voices'));
  for (const [name, voice] of Object.entries(lockfile.voices)) {
    const facts = [voice.provider, voice.remoteId, `created ${voice.createdAt}`, voice.expiresAt ? `expires ${voice.expiresAt} unless used` : undefined];
    terminal.out(`  voice.${name}  ${facts.filter(Boolean).join(', ')}`);
  }
  const scripts = new Map<string, { lines: number; durationMs: number; chars: number }>();
  for (const [address, render] of Object.entries(lockfile.renders)) {
    const script = address.split('/')[0]!;
    const entry = scripts.get(script) ?? { lines: 0, durationMs: 0, chars: 0 };
    entry.lines++;
    entry.durationMs += render.durationMs;
    entry.chars += render.chars;
    scripts.set(script, entry);
  }
  terminal.out(terminal.style('bold', 'Renders'));
  for (const [script, entry] of scripts) {
    terminal.out(`  ${script}  ${entry.lines} line${entry.lines === 1 ? '' : 's'}, ${formatDuration(entry.durationMs)}, ${entry.chars.toLocaleString('en-US')} characters`);
  }
  if (terminal.verbose) {
    for (const [address, render] of Object.entries(lockfile.renders)) {
      terminal.out(`    ${address}  ${render.file}  ${formatDuration(render.durationMs)}  ${render.voice}  sha256 ${render.sha256.slice(0, 12)}`);
    }
  }
  if (lockfile.pending.length > 0) {
    terminal.out(terminal.style('bold', 'Pending (settled by the next apply)'));
    for (const entry of lockfile.pending) {
      terminal.out(`  ${entry.address}  ${entry.kind} at ${entry.provider} since ${entry.startedAt}${entry.task?.taskId ? `, task ${entry.task.taskId}` : ''}`);
    }
  }
  return EXIT_OK;
}

function formatDuration(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}
