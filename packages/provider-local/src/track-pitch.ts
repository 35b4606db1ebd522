import { PitchDetector } from 'pitchy';
import type { MonoAudio } from './decode-wav.js';

/** One analysis frame. Frames are `hopSeconds` apart; a frame's time is the centre of its window. */
export interface PitchFrame {
  timeSeconds: number;
  /** McLeod pitch estimate in Hz; meaningful only when `voiced`. */
  pitchHz: number;
  /** How periodic the frame is, 0–1 (pitchy's clarity). */
  clarity: number;
  /** Level of the frame (RMS over the window) in dB relative to full scale. */
  decibels: number;
  /** Clear enough, loud enough, and with a pitch inside the human speaking range. */
  voiced: boolean;
}

export interface PitchTrack {
  hopSeconds: number;
  frames: PitchFrame[];
}

/** Lowest and highest fundamental frequency counted as speech, in Hz. */
export const speakingPitchRange = { minimumHz: 60, maximumHz: 500 } as const;

const hopSeconds = 0.01;
/**
 * A window must hold at least two periods of the lowest pitch (40 ms is 2.4 periods at 60 Hz); longer
 * windows smear the pitch movement of intonation and lower the clarity of real voiced frames.
 */
const windowSeconds = 0.04;
/** pitchy's key-maximum threshold (the `k` of the McLeod paper). */
const peakThreshold = 0.9;
/**
 * Frames whose chosen peak is less periodic than this are not counted as voiced. 0.9 rejected most of
 * the voiced frames of low or fast voices (including espeak-ng's male ones) without moving the median.
 */
const clarityThreshold = 0.8;
/** Frames quieter than this are silence or background, whatever their periodicity. */
const silenceFloorDecibels = -55;
/** ...and so are frames this far below the loudest part of the recording. */
const dynamicRangeDecibels = 35;

/**
 * Frame-wise pitch (McLeod pitch method, through pitchy) over 40 ms windows every 10 ms. A frame is
 * voiced when its clarity is at least 0.8, its pitch lies in 60–500 Hz and its level is within 35 dB of
 * the recording's loud parts (and above −55 dBFS).
 */
export function trackPitch(audio: MonoAudio): PitchTrack {
  const { sampleRate, samples } = audio;
  const windowLength = Math.round(sampleRate * windowSeconds);
  const hopLength = Math.max(1, Math.round(sampleRate * hopSeconds));
  const detector = PitchDetector.forFloat32Array(windowLength);
  detector.clarityThreshold = peakThreshold;
  const window = new Float32Array(windowLength);
  let mean = 0;
  for (const sample of samples) mean += sample;
  mean /= samples.length || 1;

  const frames: PitchFrame[] = [];
  for (let start = 0; start + windowLength <= samples.length; start += hopLength) {
    let energy = 0;
    for (let index = 0; index < windowLength; index += 1) {
      const value = (samples[start + index] ?? 0) - mean;
      window[index] = value;
      energy += value * value;
    }
    const rms = Math.sqrt(energy / windowLength);
    const decibels = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
    const [pitchHz, clarity] = rms > 0 ? detector.findPitch(window, sampleRate) : [0, 0];
    frames.push({
      timeSeconds: (start + windowLength / 2) / sampleRate,
      pitchHz,
      clarity,
      decibels,
      voiced: false,
    });
  }

  const loud = percentile(frames.map((frame) => frame.decibels).filter(Number.isFinite), 0.95);
  const levelFloor = Math.max(silenceFloorDecibels, (loud ?? silenceFloorDecibels) - dynamicRangeDecibels);
  for (const frame of frames) {
    frame.voiced =
      frame.decibels >= levelFloor &&
      frame.clarity >= clarityThreshold &&
      frame.pitchHz >= speakingPitchRange.minimumHz &&
      frame.pitchHz <= speakingPitchRange.maximumHz;
  }
  return { hopSeconds, frames };
}

/** Median pitch of the voiced frames, in Hz; `undefined` when no frame is voiced. */
export function medianPitch(track: PitchTrack): number | undefined {
  return percentile(
    track.frames.filter((frame) => frame.voiced).map((frame) => frame.pitchHz),
    0.5,
  );
}

/** The `fraction` quantile (0–1) of `values`, by linear interpolation; `undefined` for no values. */
export function percentile(values: number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  const position = (sorted.length - 1) * fraction;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const lowerValue = sorted[lower] ?? 0;
  const upperValue = sorted[upper] ?? lowerValue;
  return lowerValue + (upperValue - lowerValue) * (position - lower);
}
