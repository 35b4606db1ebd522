import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether ffmpeg can be run (books need it). Looked up once per process. */
let found: boolean | undefined;
export function ffmpegAvailable(): boolean {
  found ??= spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' }).status === 0;
  return found;
}

export interface BookChapter {
  title: string;
  /** The chapter's audio file (absolute). */
  file: string;
  durationMs: number;
}

/**
 * Writes an M4B (AAC in MP4) of the chapters in order, with a chapter marker at the start of each and
 * the title in its metadata, using ffmpeg. `outputFile` is written whole or not at all: ffmpeg writes a
 * temp file beside it, which the caller renames into place.
 */
export async function buildBook(options: { title: string; chapters: BookChapter[]; outputFile: string; bitrate: number; signal: AbortSignal }): Promise<void> {
  const metadataFile = path.join(path.dirname(options.outputFile), `.${path.basename(options.outputFile)}.${randomBytes(6).toString('hex')}.ffmetadata`);
  const escape = (value: string) => value.replace(/[=;#\\\n]/g, (character) => `\\${character}`);
  const lines = [';FFMETADATA1', `title=${escape(options.title)}`];
  let start = 0;
  for (const chapter of options.chapters) {
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${start}`, `END=${start + chapter.durationMs}`, `title=${escape(chapter.title)}`);
    start += chapter.durationMs;
  }
  await writeFile(metadataFile, `${lines.join('\n')}\n`);
  const inputs = options.chapters.flatMap((chapter) => ['-i', chapter.file]);
  const count = options.chapters.length;
  const concat = `${options.chapters.map((_chapter, index) => `[${index}:a]`).join('')}concat=n=${count}:v=0:a=1[book]`;
  try {
    await run(
      'ffmpeg',
      [
        '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
        ...inputs,
        '-f', 'ffmetadata', '-i', metadataFile,
        '-filter_complex', concat,
        '-map', '[book]', '-map_metadata', String(count), '-map_chapters', String(count),
        '-c:a', 'aac', '-b:a', `${options.bitrate}k`,
        // No encoder version or time in the file: the same chapters give the same bytes.
        '-fflags', '+bitexact', '-flags:a', '+bitexact',
        '-movflags', '+faststart', '-brand', 'M4B ', '-f', 'mp4', options.outputFile,
      ],
      { signal: options.signal, maxBuffer: 10 * 1024 * 1024 },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ffmpeg could not build ${path.basename(options.outputFile)}${stderr ? `: ${stderr.split('\n').slice(-3).join(' ')}` : ''}`, { cause: error });
  } finally {
    await rm(metadataFile, { force: true });
  }
}
