import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { Observations } from '../plan/create-plan.js';
import { hashFile, sampleDigests, type LoadedProject } from './load-project.js';

const cacheName = /^([0-9a-f]{64})\.(wav|mp3)$/;

/** The render keys whose audio is in the cache, from the cache folder's file names. */
export async function readCacheKeys(cacheDir: string): Promise<Set<string>> {
  try {
    const names = await readdir(cacheDir);
    return new Set(names.flatMap((name) => cacheName.exec(name)?.[1] ?? []));
  } catch {
    return new Set();
  }
}

/**
 * Looks at the output files the lockfile records and the cache. Like git's index, a file whose size
 * and mtime match the lockfile is taken as unchanged without reading it; others are hashed. `verify`
 * hashes everything.
 */
export async function observeProject(
  project: LoadedProject,
  options: { verify?: boolean; now?: Date; remoteVoices?: Observations['remoteVoices'] } = {},
): Promise<Observations> {
  const outputs: Observations['outputs'] = {};
  const limit = pLimit(16);
  await Promise.all(
    Object.values(project.lockfile.renders).map((render) =>
      limit(async () => {
        const file = path.resolve(project.paths.dir, render.file);
        try {
          const info = await stat(file);
          if (!options.verify && info.size === render.bytes && render.mtimeMs !== undefined && Math.abs(info.mtimeMs - render.mtimeMs) < 1) {
            outputs[render.file] = 'unchanged';
          } else if (info.size !== render.bytes) {
            outputs[render.file] = 'modified';
          } else {
            outputs[render.file] = (await hashFile(file)) === render.sha256 ? 'unchanged' : 'modified';
          }
        } catch {
          outputs[render.file] = 'missing';
        }
      }),
    ),
  );
  return {
    now: (options.now ?? new Date()).toISOString(),
    samples: sampleDigests(project),
    outputs,
    cached: await readCacheKeys(project.paths.cacheDir),
    ...(options.remoteVoices ? { remoteVoices: options.remoteVoices } : {}),
  };
}
