import { normalizeLoudness, type LoudnessTarget } from './normalize-loudness.js';
import { decodePcmWav, encodePcmWav, WavFormatError, type PcmAudio } from './pcm-wav.js';

export interface AssemblyPart {
  /** The part's name in messages (a line address). */
  name: string;
  wav: Uint8Array;
  /** Silence before this part, in milliseconds (ignored for the first). */
  gapBeforeMs: number;
}

export interface AssembledWav {
  wav: Uint8Array;
  durationMs: number;
  /** What loudness normalisation did, when a target was given and the audio is not silent. */
  loudness?: { target: number; truePeakLimit: number; sourceIntegrated: number; integrated: number; truePeak: number; gainDb: number };
}

/**
 * Joins a chapter's lines, in order, with the given silences between them into one WAV, then (with a
 * target) brings the whole to that loudness with one gain and a peak limiter. The parts must share
 * sample rate and channel count; the result keeps the first part's sample format.
 */
export function assembleWav(parts: AssemblyPart[], loudness?: LoudnessTarget): AssembledWav {
  if (parts.length === 0) throw new Error('a chapter needs at least one line to assemble');
  const decoded = parts.map((part) => decodePcmWav(part.wav, part.name));
  const first = decoded[0]!;
  decoded.forEach((audio, index) => {
    if (audio.sampleRate !== first.sampleRate || audio.channels !== first.channels) {
      throw new WavFormatError(
        `${parts[index]!.name} is ${audio.sampleRate} Hz with ${audio.channels} channel(s) but ${parts[0]!.name} is ${first.sampleRate} Hz with ${first.channels}: ` +
          'lines of one chapter must share sample rate and channels to be assembled (use voices of one provider in the chapter)',
      );
    }
  });
  const { channels, sampleRate } = first;
  const gapFrames = parts.map((part, index) => (index === 0 ? 0 : Math.round((part.gapBeforeMs * sampleRate) / 1000)));
  const totalFrames = decoded.reduce((sum, audio, index) => sum + gapFrames[index]! + audio.samples.length / channels, 0);
  const samples = new Float32Array(totalFrames * channels);
  let at = 0;
  decoded.forEach((audio, index) => {
    at += gapFrames[index]! * channels; // the array starts silent
    samples.set(audio.samples, at);
    at += audio.samples.length;
  });
  let audio: PcmAudio = { sampleRate, channels, encoding: first.encoding, samples };
  let record: AssembledWav['loudness'];
  if (loudness) {
    const normalized = normalizeLoudness(audio, loudness);
    audio = normalized.audio;
    if (Number.isFinite(normalized.after.integrated)) {
      record = {
        target: loudness.target,
        truePeakLimit: loudness.truePeak ?? -1,
        sourceIntegrated: round(normalized.before.integrated),
        integrated: round(normalized.after.integrated),
        truePeak: round(normalized.after.truePeak),
        gainDb: round(normalized.gainDb),
      };
    }
  }
  return { wav: encodePcmWav(audio), durationMs: Math.round((totalFrames * 1000) / sampleRate), ...(record ? { loudness: record } : {}) };
}

const round = (value: number) => Math.round(value * 100) / 100;
