import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors/usage-error.js';
import { acquireStateLock, readStateLock, removeStateLock, stateLockFile } from './state-lock.js';

// Real processes: a lock between applies is only tested by applies that are separate processes.
const stateLockModule = fileURLToPath(new URL('./state-lock.ts', import.meta.url));

/**
 * A process that takes the lock at `startAt` (wall clock, so that all of them try at the same moment),
 * prints `{"acquired":true}` and holds it until its stdin closes, or prints the refusal and exits 1.
 */
function contender(stateDir: string, startAt: number): { child: ChildProcess; outcome: Promise<{ acquired: boolean; message?: string; pid: number }> } {
  const script = `
    const { acquireStateLock } = await import(${JSON.stringify(stateLockModule)});
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, ${startAt} - Date.now())));
    try {
      const lock = await acquireStateLock(${JSON.stringify(stateDir)}, 'voxform apply');
      console.log(JSON.stringify({ acquired: true, pid: process.pid }));
      process.stdin.resume();
      process.stdin.on('end', async () => { await lock.release(); process.exit(0); });
    } catch (error) {
      console.log(JSON.stringify({ acquired: false, message: error.message, pid: process.pid }));
      process.exit(1);
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const outcome = new Promise<{ acquired: boolean; message?: string; pid: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`contender exited with ${code} before answering`)));
  });
  return { child, outcome };
}

const children: ChildProcess[] = [];
const directories: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});
async function stateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'voxform-lock-'));
  directories.push(dir);
  return path.join(dir, '.voxform');
}

/** Starts `count` contenders together; returns the winners and the refusals once every loser has answered. */
async function race(dir: string, count: number) {
  const startAt = Date.now() + 1500; // time for every process to start first
  const contenders = Array.from({ length: count }, () => contender(dir, startAt));
  const outcomes = await Promise.all(contenders.map((item) => item.outcome));
  return {
    winners: outcomes.filter((outcome) => outcome.acquired),
    losers: outcomes.filter((outcome) => !outcome.acquired),
    release: async () => {
      for (const { child } of contenders) child.stdin!.end();
      await Promise.all(contenders.map(({ child }) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    },
  };
}

describe('the state lock between processes', () => {
  it('lets exactly one of several processes started together in, and tells the others who holds it', async () => {
    const dir = await stateDir();
    const { winners, losers, release } = await race(dir, 5);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(4);
    for (const loser of losers) {
      expect(loser.message).toContain(`voxform apply, pid ${winners[0]!.pid} on ${hostname()}, since `);
      expect(loser.message).toContain('voxform unlock');
    }
    expect(await readStateLock(dir)).toMatchObject({ pid: winners[0]!.pid, host: hostname(), command: 'voxform apply' });
    await release();
    expect(await readStateLock(dir)).toBeUndefined();
  }, 30_000);

  it('detects the lock of a SIGKILLed process as stale, and only one of several processes takes it over', async () => {
    const dir = await stateDir();
    const killed = contender(dir, 0);
    const { pid } = await killed.outcome;
    killed.child.kill('SIGKILL');
    await new Promise((resolve) => killed.child.once('exit', resolve));
    expect(await readStateLock(dir)).toMatchObject({ pid });

    const { winners, losers, release } = await race(dir, 5);
    expect(winners).toHaveLength(1);
    for (const loser of losers) expect(loser.message).toContain(`pid ${winners[0]!.pid} on ${hostname()}`);
    await release();
  }, 30_000);
});

describe('acquireStateLock', () => {
  it('says which stale lock it removed', async () => {
    const dir = await stateDir();
    const killed = contender(dir, 0);
    const { pid } = await killed.outcome;
    killed.child.kill('SIGKILL');
    await new Promise((resolve) => killed.child.once('exit', resolve));

    const lock = await acquireStateLock(dir, 'voxform apply');
    expect(lock.staleRemoved).toMatchObject({ pid, host: hostname(), command: 'voxform apply' });
    expect(await readStateLock(dir)).toMatchObject({ pid: process.pid });
    await lock.release();
  }, 30_000);

  it('does not take over the lock of a live process, nor one held on another host', async () => {
    const dir = await stateDir();
    const held = await acquireStateLock(dir, 'voxform apply');
    await expect(acquireStateLock(dir, 'voxform apply')).rejects.toThrow(`pid ${process.pid} on ${hostname()}`);
    await held.release();

    await writeFile(stateLockFile(dir), JSON.stringify({ pid: 4_000_000, host: 'build-agent-7', startedAt: '2026-11-21T10:00:00.000Z', command: 'voxform apply' }));
    const refusal = acquireStateLock(dir, 'voxform apply');
    await expect(refusal).rejects.toThrow(/pid 4000000 on build-agent-7, since 2026-11-21T10:00:00.000Z/);
    await expect(refusal).rejects.toThrow(/another host.*voxform unlock/s);
  });

  it('refuses a lock file it cannot read, saying how to clear it, and removeStateLock clears it', async () => {
    const dir = await stateDir();
    await acquireStateLock(dir, 'x').then((lock) => lock.release()); // creates the folder
    await writeFile(stateLockFile(dir), '{ not json');
    await expect(acquireStateLock(dir, 'voxform apply')).rejects.toThrow(/unreadable.*voxform unlock/s);
    expect(await removeStateLock(dir)).toBeUndefined();
    const lock = await acquireStateLock(dir, 'voxform apply');
    expect(JSON.parse(await readFile(stateLockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });
});

describe('removeStateLock', () => {
  it('refuses the lock of a running process on this host, naming it and how to go on, and leaves it in place', async () => {
    const dir = await stateDir();
    const holder = contender(dir, 0);
    const { pid } = await holder.outcome;

    const refusal = removeStateLock(dir);
    await expect(refusal).rejects.toThrow(UsageError);
    await expect(refusal).rejects.toThrow(`voxform apply, pid ${pid} on ${hostname()}, since `);
    await expect(refusal).rejects.toThrow(/Stop that process first.*voxform unlock --force/s);
    expect(await readStateLock(dir)).toMatchObject({ pid, host: hostname(), command: 'voxform apply' });
    // The holder keeps it: another apply is still refused.
    await expect(acquireStateLock(dir, 'voxform apply')).rejects.toThrow(`pid ${pid} on ${hostname()}`);
  }, 30_000);

  it('removes a running process\'s lock when forced (its pid reused by another program), and says whose it was', async () => {
    const dir = await stateDir();
    const holder = contender(dir, 0);
    const { pid } = await holder.outcome;
    expect(await removeStateLock(dir, { force: true })).toMatchObject({ pid, host: hostname() });
    expect(await readStateLock(dir)).toBeUndefined();
  }, 30_000);

  it('removes the lock of a process that is gone, and one held on another host (which cannot be checked)', async () => {
    const dir = await stateDir();
    await acquireStateLock(dir, 'x').then((lock) => lock.release()); // creates the folder
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await writeFile(stateLockFile(dir), JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-11-21T10:00:00.000Z', command: 'voxform apply' }));
    expect(await removeStateLock(dir)).toMatchObject({ pid: dead, host: hostname() });
    expect(await readStateLock(dir)).toBeUndefined();

    // A pid that is running here, but the lock says another host: this host's processes say nothing about it.
    await writeFile(stateLockFile(dir), JSON.stringify({ pid: process.pid, host: 'build-agent-7', startedAt: '2026-11-21T10:00:00.000Z', command: 'voxform apply' }));
    expect(await removeStateLock(dir)).toMatchObject({ pid: process.pid, host: 'build-agent-7' });
    expect(await readStateLock(dir)).toBeUndefined();
    expect(await removeStateLock(dir)).toBeUndefined();
  });
});
