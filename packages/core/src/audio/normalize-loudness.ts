import { blockPowers, integratedLoudness, measureLoudness, type LoudnessMeasurement } from './measure-loudness.js';
import type { PcmAudio } from './pcm-wav.js';

export interface LoudnessTarget {
  /** Integrated loudness to reach, in LUFS (e.g. -18 for audiobooks, -16 for podcasts). */
  target: number;
  /** Highest true peak allowed, in dBTP. Default -1. */
  truePeak?: number;
}

export interface NormalizedAudio {
  audio: PcmAudio;
  /** The one gain applied to the whole audio, in dB (before the peak limiter). */
  gainDb: number;
  before: LoudnessMeasurement;
  after: LoudnessMeasurement;
}

export const DEFAULT_TRUE_PEAK = -1;

/**
 * Brings audio to a loudness target with one gain for all of it (so the level of its parts keeps
 * their relation: a chapter does not jump from line to line), then a look-ahead peak limiter that
 * only touches the few peaks the gain would push over `truePeak`. A second pass corrects the little
 * loudness the limiter takes away. Silent audio is returned as it is.
 */
export function normalizeLoudness(audio: PcmAudio, target: LoudnessTarget): NormalizedAudio {
  const ceiling = target.truePeak ?? DEFAULT_TRUE_PEAK;
  const before = measureLoudness(audio);
  if (!Number.isFinite(before.integrated)) return { audio, gainDb: 0, before, after: before };
  let gainDb = target.target - before.integrated;
  let result = audio;
  for (let pass = 0; pass < 2; pass += 1) {
    result = limitPeaks(withGain(audio, gainDb), ceiling);
    const reached = integratedLoudness(blockPowers(result));
    if (Math.abs(reached - target.target) < 0.05) break;
    gainDb += target.target - reached;
  }
  return { audio: result, gainDb, before, after: measureLoudness(result) };
}

function withGain(audio: PcmAudio, gainDb: number): PcmAudio {
  const gain = 10 ** (gainDb / 20);
  const samples = new Float32Array(audio.samples.length);
  for (let index = 0; index < samples.length; index += 1) samples[index] = audio.samples[index]! * gain;
  return { ...audio, samples };
}

/**
 * A look-ahead limiter on the sample peaks, linked across channels: the gain reaches its lowest point
 * over 5 ms before a peak (never a step, so no click) and recovers over 100 ms. Inter-sample peaks can
 * still overshoot the sample ceiling slightly, so it is lowered until the true peak fits.
 */
function limitPeaks(audio: PcmAudio, ceilingDb: number): PcmAudio {
  let sampleCeilingDb = ceilingDb;
  let result = audio;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const peak = measureLoudness(result).truePeak;
    if (peak <= ceilingDb + 0.01) return result;
    if (attempt > 0) sampleCeilingDb -= peak - ceilingDb + 0.05;
    result = applyLimiter(audio, 10 ** (sampleCeilingDb / 20));
  }
  return result;
}

function applyLimiter(audio: PcmAudio, ceiling: number): PcmAudio {
  const { channels, sampleRate, samples } = audio;
  const frames = Math.floor(samples.length / channels);
  const window = Math.max(1, Math.round(sampleRate * 0.005));
  const releasePerFrame = 1 / Math.max(1, Math.round(sampleRate * 0.1));
  // The gain each frame needs on its own.
  const needed = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame += 1) {
    let peak = 0;
    for (let channel = 0; channel < channels; channel += 1) peak = Math.max(peak, Math.abs(samples[frame * channels + channel]!));
    needed[frame] = peak > ceiling ? ceiling / peak : 1;
  }
  // The lowest need over the next `window` frames (a monotonic queue keeps this linear in time)…
  const ahead = new Float32Array(frames);
  const queue = new Int32Array(frames);
  let head = 0;
  let tail = 0;
  for (let frame = frames - 1; frame >= 0; frame -= 1) {
    while (tail > head && needed[queue[tail - 1]!]! >= needed[frame]!) tail -= 1;
    queue[tail++] = frame;
    while (queue[head]! >= frame + window) head += 1;
    ahead[frame] = needed[queue[head]!]!;
  }
  // …averaged over the last `window` frames: each average includes this frame's own need, so it never
  // lets a peak through, and it glides instead of stepping. Then a slow release back to unity.
  const output = new Float32Array(samples.length);
  let sum = 0;
  let gain = 1;
  for (let frame = 0; frame < frames; frame += 1) {
    sum += ahead[frame]!;
    if (frame >= window) sum -= ahead[frame - window]!;
    // Before the first full window, the missing terms are the first frame's look-ahead, which covers this frame too.
    const smoothed = frame >= window - 1 ? sum / window : (sum + (window - 1 - frame) * ahead[0]!) / window;
    gain = Math.min(smoothed, gain + releasePerFrame);
    for (let channel = 0; channel < channels; channel += 1) output[frame * channels + channel] = samples[frame * channels + channel]! * gain;
  }
  return { ...audio, samples: output };
}
