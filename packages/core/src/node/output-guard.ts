import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where an apply may write and delete. The manifest and lockfile schemas already refuse paths that
 * climb out (`..`, absolute, `\`); this is the defence at write time, which also sees the file system:
 * a symbolic link below the output folder that leads out of it (committed to the repository, or made
 * by hand) is refused rather than followed. The output folder itself may be a link (to a larger disk).
 */
export interface OutputGuard {
  /**
   * Checks that `file` (absolute) lies inside the output folder through no escaping link, creating the
   * folders on its way; returns `file`. Throws an {@link OutputPathError} otherwise.
   */
  prepareWrite(file: string): Promise<string>;
  /**
   * Checks that `file` (absolute), recorded in the lockfile or a plan, may be deleted: inside the project
   * or the output folder, through no escaping link. Throws an {@link OutputPathError} otherwise.
   */
  checkRemove(file: string): Promise<string>;
}

export class OutputPathError extends Error {
  override name = 'OutputPathError';
}

export function createOutputGuard(options: { projectDir: string; outputDir: string }): OutputGuard {
  const projectDir = path.resolve(options.projectDir);
  const outputDir = path.resolve(options.projectDir, options.outputDir);
  const display = (file: string) => path.relative(projectDir, file).split(path.sep).join('/') || '.';
  let realOutput: Promise<string> | undefined;
  let realProject: Promise<string> | undefined;
  // Folders already checked (or made) in this apply: one lstat per folder, not per file.
  const safeFolders = new Set<string>();

  const outputRoot = () => (realOutput ??= mkdir(outputDir, { recursive: true }).then(() => realpath(outputDir)));
  const projectRoot = () => (realProject ??= realpath(projectDir));

  async function prepareWrite(file: string): Promise<string> {
    const relative = path.relative(outputDir, file);
    if (!isInside(relative)) {
      throw new OutputPathError(`refused to write ${display(file)}: it is outside the output folder ${display(outputDir)}`);
    }
    const root = await outputRoot();
    let folder = outputDir;
    for (const segment of path.dirname(relative).split(path.sep)) {
      if (segment === '.' || segment === '') continue;
      folder = path.join(folder, segment);
      if (safeFolders.has(folder)) continue;
      const info = await lstat(folder).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!info) {
        await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
      } else if (info.isSymbolicLink()) {
        const target = await realpath(folder);
        if (!isWithin(path.relative(root, target))) {
          throw new OutputPathError(
            `refused to write ${display(file)}: ${display(folder)} is a symbolic link to ${target}, outside the output folder ${display(outputDir)}. ` +
              'voxform writes only inside the output folder: remove the link (or point output.dir at the place you want the audio).',
          );
        }
      }
      safeFolders.add(folder);
    }
    return file;
  }

  async function checkRemove(file: string): Promise<string> {
    const refused = (why: string) => new OutputPathError(`refused to delete ${display(file)}: ${why}. voxform deletes only files it wrote inside the project.`);
    const insideProject = isInside(path.relative(projectDir, file));
    const insideOutput = isInside(path.relative(outputDir, file));
    if (!insideProject && !insideOutput) throw refused('it is outside the project');
    let folder: string;
    try {
      folder = await realpath(path.dirname(file));
    } catch {
      return file; // no such folder: nothing to delete
    }
    const roots = [await projectRoot(), ...(insideOutput ? [await outputRoot()] : [])];
    if (!roots.some((root) => isWithin(path.relative(root, folder)))) throw refused(`its folder leads to ${folder} through a symbolic link`);
    return file;
  }

  return { prepareWrite, checkRemove };
}

/** A relative path that stays below its base (and is not the base itself). */
function isInside(relative: string): boolean {
  return relative !== '' && isWithin(relative);
}

/** A relative path that is its base or below it. */
function isWithin(relative: string): boolean {
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
