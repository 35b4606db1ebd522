import { statSync, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { LockedAssembly, LockedRender } from '../lockfile/lockfile-types.js';

type RecordedFile = Pick<LockedRender | LockedAssembly, 'file' | 'bytes' | 'mtimeMs' | 'sha256'>;
import type { Observations } from '../plan/create-plan.js';
import { ffmpegAvailable } from './build-book.js';
import { hashFile, sampleDigests, type LoadedProject } from './load-project.js';

const cacheName = /^([0-9a-f]{64})\.(wav|mp3)$/;

/** The render keys whose audio is in the cache, from the cache folder's file names. */
export async function readCacheKeys(cacheDir: string): Promise<Set<string>> {
  try {
    return cacheKeysOf(await readdir(cacheDir));
  } catch {
    return new Set();
  }
}

/** The render keys whose audio is in the cache, from the names of the files in it. */
export function cacheKeysOf(names: string[]): Set<string> {
  return new Set(names.flatMap((name) => cacheName.exec(name)?.[1] ?? []));
}

function statIfAny(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES…: not a file voxform can use
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
  const toHash: Array<{ render: RecordedFile; file: string }> = [];
  // Synchronous on purpose: 10,000 stat calls take about 30 ms this way and 250 ms through the thread pool.
  for (const render of [...Object.values(project.lockfile.renders), ...Object.values(project.lockfile.assemblies ?? {})]) {
    const file = path.resolve(project.paths.dir, render.file);
    const info = statIfAny(file);
    if (!info?.isFile()) outputs[render.file] = 'missing';
    else if (info.size !== render.bytes) outputs[render.file] = 'modified';
    else if (!options.verify && render.mtimeMs !== undefined && Math.abs(info.mtimeMs - render.mtimeMs) < 1) outputs[render.file] = 'unchanged';
    else toHash.push({ render, file });
  }
  const limit = pLimit(16);
  await Promise.all(
    toHash.map(({ render, file }) =>
      limit(async () => {
        outputs[render.file] = await hashFile(file).then(
          (sha256) => (sha256 === render.sha256 ? 'unchanged' : 'modified'),
          () => 'missing' as const,
        );
      }),
    ),
  );
  return {
    now: (options.now ?? new Date()).toISOString(),
    samples: sampleDigests(project),
    outputs,
    cached: await readCacheKeys(project.paths.cacheDir),
    ...(project.manifest.books.length > 0 ? { ffmpeg: ffmpegAvailable() } : {}),
    ...(options.remoteVoices ? { remoteVoices: options.remoteVoices } : {}),
  };
}
