import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import wavefile from 'wavefile';
import { DEFAULT_MAX_DOWNLOAD_BYTES, formatBytes } from '../http/size-limits.js';
import type { AudioFormat, AudioSource } from '../providers/provider-v1.js';
import { tempFileBeside } from './temp-file.js';

export interface StoredAudio {
  sha256: string;
  bytes: number;
  durationMs: number;
  mtimeMs: number;
}

/**
 * Streams audio into `outputFile` and the cache: written to a temp file beside the output while
 * hashed, checked (container magic bytes, a readable non-zero duration), then copied into the cache
 * and renamed into place. Memory stays flat whatever the audio's size; a crash leaves at most a temp file.
 */
export async function storeAudio(options: {
  source: AudioSource;
  format: AudioFormat;
  outputFile: string;
  /** Where the content-addressed cache keeps a copy; absent: no copy (voice previews). */
  cacheFile?: string;
  signal: AbortSignal;
  /** Downloads a `url` source; defaults to the global fetch, looked up at call time. */
  fetch?: typeof fetch;
  /** Largest audio accepted, in bytes; more fails with an {@link AudioTooLargeError}. Default {@link DEFAULT_MAX_DOWNLOAD_BYTES}. */
  maxBytes?: number;
}): Promise<StoredAudio> {
  const temp = tempFileBeside(options.outputFile);
  try {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
    const { sha256, bytes, head } = await writeHashed(await chunksOf(options.source, options.signal, options.fetch, maxBytes), temp, options.signal, maxBytes);
    const durationMs = await checkAudio(temp, head, options.format, bytes);
    if (options.cacheFile) {
      const cacheFile = options.cacheFile;
      const cacheTemp = tempFileBeside(cacheFile);
      await inFolder(cacheTemp, () => copyFile(temp, cacheTemp, constants.COPYFILE_FICLONE));
      await rename(cacheTemp, cacheFile);
    }
    await rename(temp, options.outputFile);
    const { mtimeMs } = await stat(options.outputFile);
    return { sha256, bytes, durationMs, mtimeMs };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Runs `create` (which makes `file`), creating the folder first only when it is missing: a mkdir per line adds up. */
async function inFolder<T>(file: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(file), { recursive: true });
    return create();
  }
}

/**
 * Copies a cache entry to `outputFile` (through a temp file and rename), hashing it on the way, checked as
 * audio and, with `recordedSha256` (the hashes voices.lock recorded for that render key: one per rendering
 * of it), against them: a damaged entry is removed, never restored.
 */
export async function restoreAudio(options: { cacheFile: string; outputFile: string; format: AudioFormat; signal: AbortSignal; recordedSha256?: ReadonlySet<string> }): Promise<StoredAudio> {
  const temp = tempFileBeside(options.outputFile);
  await mkdir(path.dirname(options.outputFile), { recursive: true });
  try {
    const { sha256, bytes, head } = await writeHashed(createReadStream(options.cacheFile), temp, options.signal);
    const recorded = options.recordedSha256;
    if (recorded && recorded.size > 0 && !recorded.has(sha256)) {
      throw new AudioCheckError(
        `the audio in the cache (${path.basename(options.cacheFile)}) is damaged: its sha256 is ${sha256.slice(0, 12)}…, voices.lock recorded ${[...recorded].map((hash) => `${hash.slice(0, 12)}…`).join(' or ')}. ` +
          'It was removed from the cache and nothing was written; `voxform plan` now shows the line to render again.',
      );
    }
    const durationMs = await checkAudio(temp, head, options.format, bytes);
    await rename(temp, options.outputFile);
    const { mtimeMs } = await stat(options.outputFile);
    return { sha256, bytes, durationMs, mtimeMs };
  } catch (error) {
    // A damaged cache entry must not be restored again: remove it so the line is rendered instead.
    if (error instanceof AudioCheckError) await rm(options.cacheFile, { force: true });
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/** Puts an existing output file's audio into the cache (before it is moved or overwritten). */
export async function cacheFromFile(file: string, cacheFile: string): Promise<void> {
  await mkdir(path.dirname(cacheFile), { recursive: true });
  const temp = tempFileBeside(cacheFile);
  await copyFile(file, temp, constants.COPYFILE_FICLONE);
  await rename(temp, cacheFile);
}

export class AudioCheckError extends Error {
  override name = 'AudioCheckError';
}

/** The audio is larger than the limit: what answered sent more than any line needs. */
export class AudioTooLargeError extends Error {
  override name = 'AudioTooLargeError';
  constructor(maxBytes: number, received: string) {
    super(
      `the audio is larger than the limit of ${formatBytes(maxBytes)} (${received}); nothing was kept. ` +
        'If the line really is that long, raise the limit: voxform apply --max-download-mb <megabytes>',
    );
  }
}

async function chunksOf(source: AudioSource, signal: AbortSignal, fetchFunction: typeof fetch | undefined, maxBytes: number): Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>> {
  switch (source.type) {
    case 'bytes':
      return [source.bytes];
    case 'stream':
      return isReadableStream(source.stream) ? chunksOfWebStream(source.stream) : source.stream;
    case 'url': {
      const response = await (fetchFunction ?? globalThis.fetch)(source.url, { ...(source.headers ? { headers: source.headers } : {}), signal });
      if (!response.ok || !response.body) {
        throw new Error(`downloading the audio failed: HTTP ${response.status} from ${new URL(source.url).host}`);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        void response.body.cancel().catch(() => {});
        throw new AudioTooLargeError(maxBytes, `${declared} bytes announced`);
      }
      return chunksOfWebStream(response.body);
    }
  }
}

/**
 * Reads a web stream chunk by chunk, only when asked: unlike `Readable.fromWeb`, which starts reading at
 * once and emits a failure before anyone listens (an uncaught exception, when a download breaks off
 * before the temp file is open).
 */
async function* chunksOfWebStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopped early (a failed write, an abort): let the source go.
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | undefined)?.getReader === 'function';
}

/** How much of the audio's start is kept in memory for the checks: a WAV header with its usual chunks. */
const headLimit = 64 * 1024;
/** Received chunks are written in batches of about this size: one write per network chunk costs more CPU than the data. */
const writeBatchBytes = 1024 * 1024;

async function writeHashed(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  file: string,
  signal: AbortSignal,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ sha256: string; bytes: number; head: Buffer }> {
  const hash = createHash('sha256');
  const handle = await inFolder(file, () => open(file, 'w'));
  let bytes = 0;
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  const writeBatch = async () => {
    if (batch.length === 1) await handle.write(batch[0]!);
    else if (batch.length > 1) await handle.writev(batch);
    batch = [];
    batchBytes = 0;
  };
  try {
    for await (const chunk of chunks) {
      signal.throwIfAborted();
      bytes += chunk.byteLength;
      // Checked before writing: the disk never holds more than the limit.
      if (bytes > maxBytes) throw new AudioTooLargeError(maxBytes, `more than ${bytes} bytes received`);
      hash.update(chunk);
      if (headBytes < headLimit) {
        // A view, not a copy: each chunk is a fresh buffer, and only the concatenation below is kept.
        const part = chunk.subarray(0, headLimit - headBytes);
        head.push(part);
        headBytes += part.byteLength;
      }
      batch.push(chunk);
      batchBytes += chunk.byteLength;
      if (batchBytes >= writeBatchBytes) await writeBatch();
    }
    await writeBatch();
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes, head: Buffer.concat(head) };
}

/** Why audio starting with `head` (its first 16 bytes or more) is not `format`, or undefined when its magic bytes fit. */
export function audioFormatProblem(head: Uint8Array, format: AudioFormat, bytes: number): string | undefined {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 16));
  const isWav = text.length >= 12 && text.toString('latin1', 0, 4) === 'RIFF' && text.toString('latin1', 8, 12) === 'WAVE';
  const isMp3 = text.length >= 3 && (text.toString('latin1', 0, 3) === 'ID3' || (text[0] === 0xff && (text[1]! & 0xe0) === 0xe0));
  if ((format === 'wav' && isWav) || (format === 'mp3' && isMp3)) return undefined;
  return `the audio received is not ${format} (${bytes} bytes starting ${JSON.stringify(text.toString('latin1', 0, 8))}): the vendor answered with something else`;
}

async function checkAudio(file: string, head: Buffer, format: AudioFormat, bytes: number): Promise<number> {
  const problem = audioFormatProblem(head, format, bytes);
  if (problem) throw new AudioCheckError(problem);
  let duration = format === 'wav' ? wavHeaderDuration(head, bytes) : undefined;
  if (duration === undefined) {
    try {
      duration = (await parseFile(file, { duration: true, skipCovers: true })).format.duration;
    } catch (error) {
      throw new AudioCheckError(`the ${format} audio received cannot be read (${(error as Error).message})`);
    }
  }
  if (!duration || !Number.isFinite(duration) || duration <= 0) {
    throw new AudioCheckError(`the ${format} audio received is empty (${bytes} bytes, no duration)`);
  }
  return Math.round(duration * 1000);
}

/**
 * A WAV file's duration from its header (the first bytes received), when the header says it plainly:
 * a data chunk whose size fits in the file. Reading it from the bytes in hand saves opening the file
 * again for music-metadata, which costs more CPU than the rest of storing a short line. Anything
 * unusual (a streamed size, RF64, a header past the first bytes) is left to music-metadata.
 */
function wavHeaderDuration(head: Buffer, bytes: number): number | undefined {
  try {
    const wave = new wavefile.WaveFile();
    wave.fromBuffer(head, false);
    const { byteRate } = wave.fmt as { byteRate: number };
    const { chunkSize } = wave.data as { chunkSize: number };
    if (wave.container !== 'RIFF' || !(byteRate > 0) || !(chunkSize > 0) || chunkSize > bytes - 44) return undefined;
    return chunkSize / byteRate;
  } catch {
    return undefined;
  }
}
