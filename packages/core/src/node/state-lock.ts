import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors/usage-error.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/*
 * One apply at a time per project: `.voxform/apply.lock` holds the holder's pid, host and start time.
 * Written by hand rather than with proper-lockfile because staleness here is "the holder's process is
 * gone", which a pid check answers at once, where an mtime heartbeat needs a timer and a wait.
 */

export function stateLockFile(stateDir: string): string {
  return path.join(stateDir, 'apply.lock');
}

export async function acquireStateLock(stateDir: string, command: string): Promise<{ release(): Promise<void>; staleRemoved?: LockHolder }> {
  const file = stateLockFile(stateDir);
  await mkdir(stateDir, { recursive: true });
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  let staleRemoved: LockHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${JSON.stringify(holder, null, 2)}\n`);
      await handle.sync();
      await handle.close();
      return {
        release: async () => {
          await rm(file, { force: true });
        },
        ...(staleRemoved ? { staleRemoved } : {}),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = await readStateLock(stateDir);
    if (current && current.host === holder.host && !isAlive(current.pid)) {
      staleRemoved = current;
      await rm(file, { force: true });
      continue;
    }
    throw new UsageError(
      current
        ? `Another voxform (${current.command}, pid ${current.pid} on ${current.host}, since ${current.startedAt}) holds the state lock ${file}. ` +
            `Wait for it to finish; if that process is gone, run \`voxform unlock\`.`
        : `The state lock ${file} is held but unreadable. If no other voxform is running, run \`voxform unlock\`.`,
    );
  }
  throw new UsageError(`Could not take the state lock ${file}: it keeps coming back. Is another voxform starting right now?`);
}

export async function readStateLock(stateDir: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(stateLockFile(stateDir), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Removes the state lock whoever holds it (`voxform unlock`). Returns the holder it removed. */
export async function removeStateLock(stateDir: string): Promise<LockHolder | undefined> {
  const holder = await readStateLock(stateDir);
  await rm(stateLockFile(stateDir), { force: true });
  return holder;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
