import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emulatorControl } from './support/reliability.js';
import { root, startEmulatorProcess, startVoxform, voxform, type EmulatorProcess, type Run } from './support/voxform-process.js';

// Two `voxform apply` processes on one project, against `voxform emulator` over real HTTP.
let emulator: EmulatorProcess;
let env: Record<string, string>;
const directories: string[] = [];

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  env = { AIVOICECLONEFREE_API_KEY: emulator.keys.aivoiceclonefree };
}, 60_000);
afterAll(async () => {
  emulator?.stop();
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});
afterEach(async () => {
  await emulatorControl(emulator.url).reset();
});
/** The billable work the emulator accepted, and what it accepted twice. */
async function billing(): Promise<{ billable: string[]; duplicates: unknown[] }> {
  const log = await emulatorControl(emulator.url).calls();
  return { billable: log.calls.flatMap((call) => (call.billable ? [call.billable.kind] : [])), duplicates: log.duplicates };
}

/** Two lines at AI Voice Clone Free: every line is a vendor task, which the stuckTasks fault holds. */
async function project(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'voxform-concurrency-'));
  directories.push(dir);
  await mkdir(path.join(dir, 'samples'));
  await copyFile(path.join(root, 'examples/multi-vendor/samples/caller.wav'), path.join(dir, 'samples/caller.wav'));
  await writeFile(
    path.join(dir, 'voices.yaml'),
    [
      'version: 1',
      'providers:',
      '  aivoiceclonefree:',
      '    apiKey: ${AIVOICECLONEFREE_API_KEY}',
      `    baseUrl: ${emulator.url}/aivoiceclonefree`,
      'voices:',
      '  caller:',
      '    provider: aivoiceclonefree',
      '    sample: samples/caller.wav',
      'scripts:',
      '  call:',
      '    lines:',
      '      - caller: Hello? Is anybody there?',
      '      - caller: I am calling from a boat.',
      '',
    ].join('\n'),
  );
  return dir;
}

function finished(child: ReturnType<typeof startVoxform>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const lockMessage = /Error: Another voxform \(voxform apply, pid (\d+) on (\S+), since (\d{4}-\d\d-\d\dT[\d:.]+Z)\) holds the state lock .*apply\.lock\. Wait for it to finish\. If pid \1 is not a voxform apply \(the apply died and its pid was reused\), run `voxform unlock --force`\./;

describe('two applies on one project', () => {
  it('runs one; the other exits 1 naming the holder (pid, host, since) and what to do', async () => {
    const dir = await project();
    // Tasks stay processing until the fault is lifted, so whichever apply wins is still running when the other asks.
    await emulatorControl(emulator.url).setFaults('aivoiceclonefree', { stuckTasks: true });
    const children = [startVoxform(['-C', dir, 'apply', '--yes'], { env }), startVoxform(['-C', dir, 'apply', '--yes'], { env })];
    const runs = children.map(finished);
    const first = await Promise.race(runs.map((run, index) => run.then((result) => ({ result, index }))));
    const winner = children[1 - first.index]!;

    expect(first.result.code).toBe(1);
    const [, pid, host] = lockMessage.exec(first.result.stderr) ?? [];
    expect(first.result.stderr).toMatch(lockMessage);
    expect(Number(pid)).toBe(winner.pid);
    expect(host).toBe(hostname());
    expect(first.result.stderr).not.toMatch(/\n\s+at /); // no stack trace

    await emulatorControl(emulator.url).clearFaults();
    const second = await runs[1 - first.index]!;
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const lock = parse(await readFile(path.join(dir, 'voices.lock'), 'utf8')) as { renders: Record<string, unknown>; pending: unknown[] };
    expect(Object.keys(lock.renders).sort()).toEqual(['call/0001', 'call/0002']);
    expect(lock.pending).toEqual([]);
    // Only the winner paid: one task per line, none twice.
    expect(await billing()).toEqual({ billable: ['synthesis', 'synthesis'], duplicates: [] });
  }, 90_000);

  it('detects the lock of a SIGKILLed apply as stale, says so, and resumes its work without paying twice', async () => {
    const dir = await project();
    await emulatorControl(emulator.url).setFaults('aivoiceclonefree', { stuckTasks: true });
    const killed = startVoxform(['-C', dir, 'apply', '--yes'], { env });
    // Kill it once both tasks are recorded in voices.lock.
    await until(async () => {
      const text = await readFile(path.join(dir, 'voices.lock'), 'utf8').catch(() => '');
      const pending = text ? ((parse(text) as { pending: Array<{ task?: { taskId?: string } }> }).pending ?? []) : [];
      return pending.filter((entry) => entry.task?.taskId).length === 2 ? true : undefined;
    }, 'both tasks to be recorded');
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.once('exit', resolve));
    const left = JSON.parse(await readFile(path.join(dir, '.voxform/apply.lock'), 'utf8')) as { pid: number };
    expect(left.pid).toBe(killed.pid);

    await emulatorControl(emulator.url).clearFaults();
    const resumed = await voxform(dir, ['apply', '--yes'], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`Removed a stale state lock: voxform apply (pid ${killed.pid} on ${hostname()}, since `);
    expect(resumed.stderr).toContain('is no longer running');
    expect(await billing()).toEqual({ billable: ['synthesis', 'synthesis'], duplicates: [] });
    await expect(readFile(path.join(dir, '.voxform/apply.lock'))).rejects.toThrow(/ENOENT/);
  }, 90_000);

  it('refuses a lock it cannot prove stale (another host) until `voxform unlock` clears it', async () => {
    const dir = await project();
    await mkdir(path.join(dir, '.voxform'));
    const holder = { pid: 4242, host: 'build-agent-7', startedAt: '2026-11-21T10:00:00.000Z', command: 'voxform apply' };
    await writeFile(path.join(dir, '.voxform/apply.lock'), JSON.stringify(holder));

    const refused = await voxform(dir, ['apply', '--yes'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Another voxform (voxform apply, pid 4242 on build-agent-7, since 2026-11-21T10:00:00.000Z) holds the state lock');
    expect(refused.stderr).toContain('another host');
    expect(refused.stderr).toContain('`voxform unlock`');
    expect((await billing()).billable).toEqual([]);

    const unlocked = await voxform(dir, ['unlock']);
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout).toContain('Removed the state lock of voxform apply (pid 4242 on build-agent-7, since 2026-11-21T10:00:00.000Z)');
    expect((await voxform(dir, ['unlock'])).stdout).toContain('No state lock was held.');

    const applied = await voxform(dir, ['apply', '--yes'], { env });
    expect(applied.code).toBe(0);
    expect(await billing()).toEqual({ billable: ['synthesis', 'synthesis'], duplicates: [] });
  }, 90_000);
});
