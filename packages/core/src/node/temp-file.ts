import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a file is written before it is renamed into place: `.<name>.<12 hex>.tmp` beside it. One pattern
 * for every such file voxform writes (audio, cache entries, voices.lock), so that the next apply can tell
 * what a killed one left behind from anything else in the folder.
 */
export function tempFileBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}

const tempFileName = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

/** Whether `name` is a {@link tempFileBeside} name; with `of`, beside a file named `of` only. */
export function isTempFileName(name: string, of?: string): boolean {
  const match = tempFileName.exec(name);
  return match !== null && (of === undefined || match[1] === of);
}

/**
 * Lists `folder` once and removes the files in it that `isLeftover` picks, through `checkRemove` (which
 * may refuse one). Returns the names of everything else in the folder. Housekeeping, so it never fails:
 * a folder that cannot be listed has no names, a file that cannot be removed stays (a folder is never
 * removed). Only for folders no other process writes temp files into: the caller holds the state lock.
 */
export async function removeLeftoverFiles(
  folder: string,
  isLeftover: (name: string) => boolean,
  checkRemove: (file: string) => Promise<string> = async (file) => file,
): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const leftovers = names.filter(isLeftover);
  await Promise.all(leftovers.map((name) => checkRemove(path.join(folder, name)).then((file) => rm(file, { force: true })).catch(() => {})));
  return names.filter((name) => !isLeftover(name));
}
