import { decodePcmWav, encodePcmWav, WavFormatError, type PcmAudio } from './pcm-wav.js';

/** Longest silence left between two joined pieces, by default: about a sentence pause. */
export const DEFAULT_JOIN_PAUSE_MS = 300;

export interface JoinWavOptions {
  /** Most silence kept at a join, in milliseconds (half from each side). Default {@link DEFAULT_JOIN_PAUSE_MS}. */
  pauseMs?: number;
  /** Below this level (dBFS) a frame counts as silence. Default -50. */
  silenceDb?: number;
  /** Length of the fade applied on each side of a join, in milliseconds. Default 5. */
  fadeMs?: number;
}

export interface JoinedWav {
  wav: Uint8Array;
  /** Frame index where each piece after the first starts in the joined audio. */
  joins: number[];
  audio: PcmAudio;
}

/**
 * Joins WAV pieces of one line (rendered separately because of the provider's text limit) into one
 * file, as if spoken in one go: at each join the silence the two pieces carry is trimmed so at most
 * `pauseMs` remains, and a short fade on either side of the cut keeps it from clicking. Every piece
 * must have the same sample rate, channel count and sample format; the result keeps that format.
 */
export function joinWav(pieces: Uint8Array[], options: JoinWavOptions = {}): JoinedWav {
  if (pieces.length === 0) throw new Error('joinWav needs at least one piece');
  const decoded = pieces.map((bytes, index) => decodePcmWav(bytes, `piece ${index + 1}`));
  const first = decoded[0]!;
  decoded.forEach((piece, index) => {
    if (piece.sampleRate !== first.sampleRate || piece.channels !== first.channels || piece.encoding.bitsPerSample !== first.encoding.bitsPerSample || piece.encoding.float !== first.encoding.float) {
      throw new WavFormatError(
        `piece ${index + 1} is ${describe(piece)} but piece 1 is ${describe(first)}: the provider returned pieces of one line in different formats, which cannot be joined`,
      );
    }
  });
  const { channels, sampleRate } = first;
  const halfPause = Math.round(((options.pauseMs ?? DEFAULT_JOIN_PAUSE_MS) * sampleRate) / 1000 / 2);
  const fade = Math.max(1, Math.round(((options.fadeMs ?? 5) * sampleRate) / 1000));
  const threshold = 10 ** ((options.silenceDb ?? -50) / 20);

  // The frames kept of each piece: its silent edges at joins trimmed to half the pause.
  const ranges = decoded.map((piece, index) => {
    const frames = piece.samples.length / channels;
    let start = 0;
    let end = frames;
    if (index > 0) start = Math.max(0, firstLoudFrame(piece, threshold) - halfPause);
    if (index < decoded.length - 1) end = Math.min(frames, lastLoudFrame(piece, threshold) + 1 + halfPause);
    return { start, end: Math.max(start, end) };
  });
  const total = ranges.reduce((sum, range) => sum + range.end - range.start, 0);
  const samples = new Float32Array(total * channels);
  const joins: number[] = [];
  let at = 0;
  decoded.forEach((piece, index) => {
    const { start, end } = ranges[index]!;
    const frames = end - start;
    samples.set(piece.samples.subarray(start * channels, end * channels), at * channels);
    if (index > 0) {
      joins.push(at);
      applyFade(samples, channels, at, Math.min(fade, frames), 'in');
    }
    if (index < decoded.length - 1) applyFade(samples, channels, at + frames - Math.min(fade, frames), Math.min(fade, frames), 'out');
    at += frames;
  });
  const audio: PcmAudio = { sampleRate, channels, encoding: first.encoding, samples };
  return { wav: encodePcmWav(audio), joins, audio };
}

function describe(audio: PcmAudio): string {
  return `${audio.sampleRate} Hz, ${audio.channels} channel${audio.channels === 1 ? '' : 's'}, ${audio.encoding.bitsPerSample}-bit ${audio.encoding.float ? 'float' : 'PCM'}`;
}

function frameIsLoud(audio: PcmAudio, frame: number, threshold: number): boolean {
  for (let channel = 0; channel < audio.channels; channel += 1) {
    if (Math.abs(audio.samples[frame * audio.channels + channel]!) >= threshold) return true;
  }
  return false;
}

function firstLoudFrame(audio: PcmAudio, threshold: number): number {
  const frames = audio.samples.length / audio.channels;
  for (let frame = 0; frame < frames; frame += 1) if (frameIsLoud(audio, frame, threshold)) return frame;
  return frames;
}

function lastLoudFrame(audio: PcmAudio, threshold: number): number {
  for (let frame = audio.samples.length / audio.channels - 1; frame >= 0; frame -= 1) if (frameIsLoud(audio, frame, threshold)) return frame;
  return -1;
}

/** A raised-cosine fade over `length` frames starting at `start`. */
function applyFade(samples: Float32Array, channels: number, start: number, length: number, direction: 'in' | 'out'): void {
  for (let offset = 0; offset < length; offset += 1) {
    const progress = (offset + 0.5) / length;
    const gain = 0.5 - 0.5 * Math.cos(Math.PI * (direction === 'in' ? progress : 1 - progress));
    for (let channel = 0; channel < channels; channel += 1) samples[(start + offset) * channels + channel]! *= gain;
  }
}
