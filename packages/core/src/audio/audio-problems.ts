import { measureLoudness } from './measure-loudness.js';
import type { PcmAudio } from './pcm-wav.js';

export interface AudioExpectations {
  /** A loudness target the audio was brought to (assembled chapters): off by more than 1 LU is a problem. */
  loudness?: { target: number; truePeak: number };
}

/** Below this peak (dBFS) audio counts as silent. */
const silentPeakDb = -50;
/** At least this many consecutive full-scale samples count as clipping. */
const clippedRun = 3;
/** A file whose last 20 ms are louder than this (dBFS RMS) stops mid-sound: cut off. */
const abruptEndDb = -30;

/**
 * What is wrong with rendered audio, in words (empty when nothing is): silence, clipping, an end
 * that stops mid-sound (truncated), a loudness off its target. Each problem says what was measured.
 */
export function audioProblems(audio: PcmAudio, expectations: AudioExpectations = {}): string[] {
  const { channels, sampleRate, samples } = audio;
  const problems: string[] = [];
  const measured = measureLoudness(audio);
  if (measured.samplePeak < silentPeakDb) {
    problems.push(`silent: its loudest sample is ${formatDb(measured.samplePeak)} dBFS`);
    return problems; // nothing else means anything in silence
  }

  let runs = 0;
  let firstRunAt = -1;
  for (let channel = 0; channel < channels; channel += 1) {
    let length = 0;
    for (let frame = 0; frame < samples.length / channels; frame += 1) {
      if (Math.abs(samples[frame * channels + channel]!) >= 0.999) {
        length += 1;
        if (length === clippedRun) {
          runs += 1;
          if (firstRunAt < 0 || frame < firstRunAt) firstRunAt = frame;
        }
      } else length = 0;
    }
  }
  if (runs > 0) problems.push(`clipped: ${runs} run${runs === 1 ? '' : 's'} of full-scale samples, the first at ${(firstRunAt / sampleRate).toFixed(2)} s`);

  const tail = Math.min(samples.length / channels, Math.round(sampleRate * 0.02));
  let energy = 0;
  for (let index = samples.length - tail * channels; index < samples.length; index += 1) energy += samples[index]! ** 2;
  const tailDb = 10 * Math.log10(energy / (tail * channels) || Number.MIN_VALUE);
  if (tailDb > abruptEndDb) problems.push(`ends abruptly: its last 20 ms are at ${formatDb(tailDb)} dBFS, not silence (cut off?)`);

  if (expectations.loudness) {
    const { target, truePeak } = expectations.loudness;
    if (!(Math.abs(measured.integrated - target) <= 1)) {
      problems.push(`loudness ${formatDb(measured.integrated)} LUFS, off its target of ${target} LUFS by more than 1 LU`);
    }
    if (measured.truePeak > truePeak + 0.1) problems.push(`true peak ${formatDb(measured.truePeak)} dBTP, over its limit of ${truePeak} dBTP`);
  }
  return problems;
}

/** Why a line's duration is far from what its text predicts, or undefined when it is plausible. */
export function durationProblem(durationMs: number, characters: number, charactersPerSecond: number, voice: string): string | undefined {
  // Short lines vary too much ("Ha!" can take anything from a blip to a long laugh).
  if (characters < 12 || !(charactersPerSecond > 0)) return undefined;
  const expectedMs = (characters / charactersPerSecond) * 1000;
  if (durationMs >= expectedMs / 2.5 && durationMs <= expectedMs * 2.5) return undefined;
  return (
    `lasts ${(durationMs / 1000).toFixed(1)} s, but ${characters} characters take ${voice} about ${(expectedMs / 1000).toFixed(1)} s ` +
    `(${charactersPerSecond.toFixed(1)} characters per second, its median): ${durationMs < expectedMs ? 'truncated or skipped text?' : 'garbled, repeated or padded?'}`
  );
}

const formatDb = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-inf');
