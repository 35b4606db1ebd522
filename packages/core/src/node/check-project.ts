import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseBuffer } from 'music-metadata';
import { audioProblems, durationProblem } from '../audio/audio-problems.js';
import { decodePcmWav } from '../audio/pcm-wav.js';
import type { LoadedProject } from './load-project.js';

export interface CheckedOutput {
  /** A line address, or a script name for its assembled chapter. */
  address: string;
  kind: 'line' | 'assembly';
  file: string;
  problems: string[];
  /**
   * What fixes a failing output: `restore`, the file was changed since apply wrote it, and apply puts the
   * recorded audio back (from the cache: free); `replace`, render it again (`--replace`); `settings`, the
   * output is as apply made it and doing it again gives the same: change the manifest.
   */
  remedy?: 'restore' | 'replace' | 'settings';
}

export interface ProjectCheck {
  /** Every output checked, passing or not, in manifest order. */
  outputs: CheckedOutput[];
  failing: CheckedOutput[];
  /** Recorded outputs that could not be checked (missing, or MP3 whose samples voxform does not decode), and why. */
  unchecked: Array<{ address: string; reason: string }>;
}

/**
 * The quality gates of `voxform check`: every rendered line and assembled chapter the lockfile records
 * for the manifest is read back and checked for silence, clipping, an abrupt end, a duration far from
 * what its text predicts (against the median speaking rate of its voice in this project) and, for
 * chapters, loudness off target.
 */
export async function checkProject(project: LoadedProject): Promise<ProjectCheck> {
  const { manifest, lockfile, paths } = project;
  const outputs: CheckedOutput[] = [];
  const unchecked: ProjectCheck['unchecked'] = [];
  const rendered = manifest.lines.flatMap((line) => {
    const render = lockfile.renders[line.address];
    return render && render.file === line.file ? [{ line, render }] : [];
  });

  // The speaking rate of each voice, as this project's own renders show it.
  const rates = new Map<string, number[]>();
  for (const { render } of rendered) {
    if (render.durationMs <= 0 || render.chars < 12) continue;
    rates.set(render.voice, [...(rates.get(render.voice) ?? []), render.chars / (render.durationMs / 1000)]);
  }
  const allRates = [...rates.values()].flat();
  const rateOf = (voice: string) => median((rates.get(voice)?.length ?? 0) >= 3 ? rates.get(voice)! : allRates.length >= 3 ? allRates : []);

  for (const { line, render } of rendered) {
    const bytes = await readFile(path.resolve(paths.dir, render.file)).catch(() => undefined);
    if (!bytes) {
      unchecked.push({ address: line.address, reason: `${render.file} is missing: run voxform apply` });
      continue;
    }
    const problems: string[] = [];
    let durationMs: number;
    if (render.format === 'wav') {
      const audio = decodePcmWav(bytes, render.file);
      durationMs = ((audio.samples.length / audio.channels) * 1000) / audio.sampleRate;
      problems.push(...audioProblems(audio));
    } else {
      durationMs = ((await parseBuffer(bytes, { mimeType: 'audio/mpeg' }, { duration: true })).format.duration ?? 0) * 1000;
      unchecked.push({ address: line.address, reason: 'MP3: only its duration was checked (voxform decodes WAV only)' });
    }
    const durationIssue = durationProblem(durationMs, render.chars, rateOf(render.voice), render.voice);
    if (durationIssue) problems.push(durationIssue);
    if (problems.length > 0 && sha256Of(bytes) !== render.sha256) {
      outputs.push({ address: line.address, kind: 'line', file: render.file, problems: [changedSinceApply, ...problems], remedy: 'restore' });
    } else {
      outputs.push({ address: line.address, kind: 'line', file: render.file, problems, ...(problems.length > 0 ? { remedy: 'replace' as const } : {}) });
    }
  }

  for (const assembly of manifest.assemblies) {
    const locked = lockfile.assemblies?.[assembly.address];
    if (!locked || locked.file !== assembly.file) continue;
    const bytes = await readFile(path.resolve(paths.dir, locked.file)).catch(() => undefined);
    if (!bytes) {
      unchecked.push({ address: assembly.address, reason: `${locked.file} is missing: run voxform apply` });
      continue;
    }
    const problems = audioProblems(decodePcmWav(bytes, locked.file), assembly.loudness ? { loudness: assembly.loudness } : {});
    if (problems.length === 0) {
      outputs.push({ address: assembly.address, kind: 'assembly', file: locked.file, problems });
    } else if (sha256Of(bytes) !== locked.sha256) {
      outputs.push({ address: assembly.address, kind: 'assembly', file: locked.file, problems: [changedSinceApply, ...problems], remedy: 'restore' });
    } else if (assembly.loudness && locked.loudness && problems.every((problem) => problem.startsWith('loudness '))) {
      // As apply built it: the limiter holding the true peak is what kept it off target, and would again.
      const reached = locked.loudness.integrated.toFixed(1);
      const advice = `with its true peak held under ${locked.loudness.truePeakLimit} dBTP this chapter reaches ${reached} LUFS at most, so assembling it again changes nothing: set a loudness target it can reach (${reached} or lower) for ${assembly.address}`;
      outputs.push({ address: assembly.address, kind: 'assembly', file: locked.file, problems: [...problems, advice], remedy: 'settings' });
    } else {
      outputs.push({ address: assembly.address, kind: 'assembly', file: locked.file, problems, remedy: 'replace' });
    }
  }
  return { outputs, failing: outputs.filter((output) => output.problems.length > 0), unchecked };
}

const changedSinceApply = 'changed since apply wrote it: its sha256 is not the one voices.lock records';

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
