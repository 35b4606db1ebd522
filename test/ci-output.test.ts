import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from './support/voxform-process.js';

// What apply prints in a terminal with and without `CI` set. util-linux's `script` gives the CLI a real
// pseudo-terminal, so this is the case where a live display would redraw: CI runners that allocate a
// TTY, or a developer trying CI=true locally.
const hasScript = spawnSync('script', ['--version']).status === 0;
const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

async function project(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'voxform-ci-output-'));
  directories.push(dir);
  await mkdir(path.join(dir, 'samples'));
  await copyFile(path.join(root, 'examples/audiobook/samples/narrator.wav'), path.join(dir, 'samples/narrator.wav'));
  await writeFile(
    path.join(dir, 'voices.yaml'),
    ['version: 1', 'voices:', '  narrator: { provider: local, sample: samples/narrator.wav }', 'scripts:', '  intro:', '    lines:', '      - narrator: One.', '      - narrator: Two.', ''].join('\n'),
  );
  return dir;
}

/** `voxform -C dir <args>` inside a 120×40 pseudo-terminal; everything it wrote, as the terminal got it. */
function inTerminal(dir: string, args: string[], env: Record<string, string | undefined>): { code: number | null; output: string } {
  const bin = path.join(root, 'packages/cli/src/bin.ts');
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  const command = ['stty cols 120 rows 40;', quote(process.execPath), '--conditions=source --import tsx', quote(bin), '-C', quote(dir), ...args.map(quote)].join(' ');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: root, env: childEnv, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, output: result.stdout };
}

/** Escape sequences other than colours: cursor moves, line erases, hidden cursor — what a redraw uses. */
const cursorControl = (output: string) => output.replace(/\x1b\[[0-9;]*m/g, '').match(/\x1b\[[0-9;?]*[A-Za-z]/g) ?? [];

describe.skipIf(!hasScript)('apply in a terminal', () => {
  it('with CI set: no question, no redraw, one plain line per event', async () => {
    const dir = await project();
    const unattended = inTerminal(dir, ['apply'], { CI: 'true' });
    expect(unattended.code).toBe(1);
    expect(unattended.output).toContain('apply spends money at the vendors and needs a yes: add --yes');

    const run = inTerminal(dir, ['apply', '--yes'], { CI: 'true' });
    expect(run.code, run.output).toBe(0);
    expect(cursorControl(run.output)).toEqual([]);
    const lines = run.output.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/);
    expect(lines).toContain('[COMPLETED] voice.narrator: create (local)');
    // In the order the lines finished, each with its script's running count.
    expect(lines.filter((line) => line.startsWith('[OUTPUT] '))).toEqual([
      expect.stringMatching(/^\[OUTPUT\] intro\/000[12] rendered \(local\) · intro 1\/2$/),
      expect.stringMatching(/^\[OUTPUT\] intro\/000[12] rendered \(local\) · intro 2\/2$/),
    ]);
    expect(lines).toContain('[COMPLETED] intro: 2/2 lines');
  }, 120_000);

  it('without CI: the live display redraws (what CI mode turns off)', async () => {
    const dir = await project();
    const run = inTerminal(dir, ['apply', '--yes'], { CI: undefined });
    expect(run.code, run.output).toBe(0);
    expect(cursorControl(run.output).length).toBeGreaterThan(0);
    expect(run.output).not.toContain('[OUTPUT]');
  }, 120_000);
});
