import type { MonoAudio } from './decode-wav.js';
import { percentile, speakingPitchRange, type PitchFrame, type PitchTrack } from './track-pitch.js';

export interface SpeakingRate {
  /** Syllable nuclei found. */
  syllables: number;
  /** Time spent speaking, in seconds: the recording without its silent pauses. */
  speakingSeconds: number;
  /** `syllables / speakingSeconds`; 0 when nothing was spoken. */
  syllablesPerSecond: number;
}

const envelopeWindowSeconds = 0.04;
/**
 * Voicing test for a nucleus, more lenient than the pitch track's (whose 0.8 clarity rejects much of a
 * fast or low voice): fricatives and noise stay far below 0.5.
 */
const nucleusClarity = 0.5;
/** A nucleus counts as voiced when a frame within 20 ms of it is. */
const nucleusVoicingToleranceSeconds = 0.02;
/** Parts quieter than the loud parts by more than this are silence. */
const silenceBelowLoudDecibels = 25;
/** A syllable nucleus is a level peak standing at least this far above the dips on either side. */
const minimumDipDecibels = 2;
/** Silences shorter than this are part of the speech (stop closures, word boundaries), not pauses. */
const minimumPauseSeconds = 0.3;

/**
 * Articulation rate after de Jong & Wempe (2009, "Praat script to detect syllable nuclei"): a syllable
 * nucleus is a peak of the level envelope (RMS over 40 ms, at every pitch-track frame) that is above
 * the silence threshold (25 dB under the loud parts), stands at least 2 dB above the dips separating it
 * from its neighbouring peaks, and is voiced (a periodic frame within 20 ms). The rate is nuclei per
 * second of speech, where speech is the recording minus silent pauses of 300 ms or more. Approximate
 * (it counts vowels, not dictionary syllables), but consistent, which is what mapping onto espeak-ng's
 * speed needs: the calibration measures espeak-ng's own speech the same way.
 */
export function measureSpeakingRate(audio: MonoAudio, track: PitchTrack): SpeakingRate {
  const { sampleRate, samples } = audio;
  const halfWindow = Math.round((sampleRate * envelopeWindowSeconds) / 2);
  // Running sums make every frame's RMS O(1).
  let mean = 0;
  for (const sample of samples) mean += sample;
  mean /= samples.length || 1;
  const cumulative = new Float64Array(samples.length + 1);
  for (let index = 0; index < samples.length; index += 1) {
    const sample = (samples[index] ?? 0) - mean;
    cumulative[index + 1] = (cumulative[index] ?? 0) + sample * sample;
  }
  const levels = track.frames.map((frame) => {
    const centre = Math.round(frame.timeSeconds * sampleRate);
    const start = Math.max(0, centre - halfWindow);
    const end = Math.min(samples.length, centre + halfWindow);
    const energy = ((cumulative[end] ?? 0) - (cumulative[start] ?? 0)) / Math.max(1, end - start);
    return energy > 0 ? 10 * Math.log10(energy) : -Infinity;
  });

  const loud = percentile(levels.filter(Number.isFinite), 0.99);
  if (loud === undefined) return { syllables: 0, speakingSeconds: 0, syllablesPerSecond: 0 };
  const threshold = loud - silenceBelowLoudDecibels;

  const peaks: number[] = [];
  for (let index = 1; index < levels.length - 1; index += 1) {
    const level = levels[index] ?? -Infinity;
    if (level >= threshold && level > (levels[index - 1] ?? -Infinity) && level >= (levels[index + 1] ?? -Infinity)) {
      peaks.push(index);
    }
  }
  const nuclei: number[] = [];
  let current = peaks[0];
  for (const next of peaks.slice(1)) {
    if (current === undefined) break;
    let dip = Infinity;
    for (let index = current + 1; index < next; index += 1) dip = Math.min(dip, levels[index] ?? -Infinity);
    const currentLevel = levels[current] ?? -Infinity;
    const nextLevel = levels[next] ?? -Infinity;
    if (currentLevel - dip >= minimumDipDecibels && nextLevel - dip >= minimumDipDecibels) {
      nuclei.push(current);
      current = next;
    } else if (nextLevel > currentLevel) {
      current = next;
    }
  }
  if (current !== undefined) nuclei.push(current);
  const tolerance = Math.round(nucleusVoicingToleranceSeconds / track.hopSeconds);
  const syllables = nuclei.filter((index) =>
    track.frames.slice(Math.max(0, index - tolerance), index + tolerance + 1).some(isPeriodic),
  ).length;

  const minimumPauseFrames = Math.round(minimumPauseSeconds / track.hopSeconds);
  let speakingFrames = 0;
  let silentRun = 0;
  let spoken = false;
  for (const level of levels) {
    if (level >= threshold) {
      // A short silence between two spoken parts counts as speech.
      if (spoken && silentRun < minimumPauseFrames) speakingFrames += silentRun;
      speakingFrames += 1;
      silentRun = 0;
      spoken = true;
    } else {
      silentRun += 1;
    }
  }
  const speakingSeconds = speakingFrames * track.hopSeconds;
  return {
    syllables,
    speakingSeconds,
    syllablesPerSecond: speakingSeconds > 0 ? syllables / speakingSeconds : 0,
  };
}

function isPeriodic(frame: PitchFrame): boolean {
  return (
    frame.clarity >= nucleusClarity &&
    frame.pitchHz >= speakingPitchRange.minimumHz &&
    frame.pitchHz <= speakingPitchRange.maximumHz
  );
}
