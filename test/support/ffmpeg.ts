import { spawnSync } from 'node:child_process';

/** Whether ffmpeg is on PATH: the examples' book is built only then. */
export const ffmpegAvailable = spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' }).status === 0;

/**
 * The integrated loudness (LUFS) ffmpeg's ebur128 filter measures for a file: an independent meter to
 * check voxform's against. Undefined when ffmpeg is not installed (CI does not install it).
 */
export const ffmpegLoudness: ((file: string) => number) | undefined = ffmpegAvailable
  ? (file) => {
      const run = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8' });
      const summary = run.stderr.slice(run.stderr.lastIndexOf('Summary:'));
      const match = /I:\s+(-?\d+(?:\.\d+)?) LUFS/.exec(summary);
      if (!match) throw new Error(`no integrated loudness in ffmpeg's output:\n${run.stderr.slice(-2000)}`);
      return Number(match[1]);
    }
  : undefined;
