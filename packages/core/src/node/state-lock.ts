import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
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
 *
 * The lock file appears complete or not at all (written aside, then hard-linked into place, which fails
 * when it exists), so a process that loses the race always reads who won. Taking over a stale lock is
 * serialised by a second, short-lived lock: without it, two processes that both saw the dead holder
 * could each remove it, the second removing the lock the first had just taken, and both would run.
 */

export function stateLockFile(stateDir: string): string {
  return path.join(stateDir, 'apply.lock');
}

export async function acquireStateLock(stateDir: string, command: string): Promise<{ release(): Promise<void>; staleRemoved?: LockHolder }> {
  const file = stateLockFile(stateDir);
  await mkdir(stateDir, { recursive: true });
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  const text = `${JSON.stringify(holder, null, 2)}\n`;
  let staleRemoved: LockHolder | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await createExclusive(file, text)) {
      return {
        release: async () => {
          await rm(file, { force: true });
        },
        ...(staleRemoved ? { staleRemoved } : {}),
      };
    }
    const current = await readHolder(file);
    // Gone since: its holder finished, or another process removed it as stale. Try again.
    if (current === 'missing') continue;
    if (current !== 'unreadable' && isStale(current)) {
      if (await removeIfStill(file, current)) staleRemoved = current;
      continue;
    }
    throw new UsageError(
      current !== 'unreadable'
        ? `Another voxform (${current.command}, pid ${current.pid} on ${current.host}, since ${current.startedAt}) holds the state lock ${file}. ` +
            (current.host === holder.host
              ? // A gone process's lock would have been taken over above: only a reused pid gets here wrongly.
                `Wait for it to finish. If pid ${current.pid} is not a voxform apply (the apply died and its pid was reused), run \`voxform unlock --force\`.`
              : `It runs on another host, which voxform cannot check: wait for it to finish, or if it is gone, run \`voxform unlock\`.`)
        : `The state lock ${file} is held but unreadable. If no other voxform is running, run \`voxform unlock\`.`,
    );
  }
  throw new UsageError(`Could not take the state lock ${file}: it keeps coming back. Is another voxform starting right now?`);
}

export async function readStateLock(stateDir: string): Promise<LockHolder | undefined> {
  const holder = await readHolder(stateLockFile(stateDir));
  return typeof holder === 'string' ? undefined : holder;
}

/** The lock's holder; `missing` when there is no lock file, `unreadable` when it holds no holder. */
async function readHolder(file: string): Promise<LockHolder | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    return value && Number.isInteger(value.pid) && value.pid! > 0 && typeof value.host === 'string' ? (value as LockHolder) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/**
 * Removes the state lock (`voxform unlock`) and returns the holder it removed; undefined when there was
 * none, or none could be read from it. A holder on this host whose process runs is an apply at work, so
 * its lock is kept and a {@link UsageError} names it, unless `force` (its pid now belongs to another
 * program). A holder on another host cannot be checked: its lock is removed.
 */
export async function removeStateLock(stateDir: string, options: { force?: boolean } = {}): Promise<LockHolder | undefined> {
  const file = stateLockFile(stateDir);
  for (let attempt = 0; attempt < 20; attempt++) {
    const holder = await readHolder(file);
    if (holder === 'missing') return undefined;
    if (holder === 'unreadable') {
      await rm(file, { force: true });
      return undefined;
    }
    if (!options.force && holder.host === hostname() && isAlive(holder.pid)) {
      throw new UsageError(
        `The state lock ${file} is held by a running process: ${holder.command}, pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}. ` +
          '`voxform unlock` only clears a lock left by a process that died: removing it now would let a second apply run beside this one and pay twice. ' +
          `Stop that process first (or let it finish). If you are sure pid ${holder.pid} is not a voxform apply (the apply died and its pid was reused), run \`voxform unlock --force\`.`,
      );
    }
    // Only this holder's lock: one taken meanwhile (a new apply over the dead holder's) is checked again.
    if (await removeIfStill(file, holder)) return holder;
  }
  throw new UsageError(`Could not remove the state lock ${file}: it keeps changing hands. Is a voxform apply starting right now?`);
}

/** Creates `file` holding `text`, complete, unless it exists. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: exclusive create, with a moment in which the file is empty.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createInPlace(file, text);
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

async function createInPlace(file: string, text: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Removes the lock at `file` if it is still `stale`'s, one process at a time. */
async function removeIfStill(file: string, stale: LockHolder): Promise<boolean> {
  const breaker = `${file}.break`;
  const me = `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await createExclusive(breaker, me)) {
      try {
        const current = await readStateLock(path.dirname(file));
        if (!current || !sameHolder(current, stale)) return false;
        await rm(file, { force: true });
        return true;
      } finally {
        await rm(breaker, { force: true });
      }
    }
    // Another process is removing it (a matter of milliseconds), or died doing so.
    const breaking = await readFile(breaker, 'utf8').then((text) => JSON.parse(text) as { pid: number; host: string }, () => undefined);
    if (breaking && breaking.host === hostname() && !isAlive(breaking.pid)) await rm(breaker, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}

/** The holder ran on this host and its process is gone. Another host's processes cannot be checked. */
function isStale(holder: LockHolder): boolean {
  return holder.host === hostname() && !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
