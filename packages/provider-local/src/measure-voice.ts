import type { MonoAudio } from './decode-wav.js';
import { LocalProviderError } from './local-provider-error.js';
import { measureSpeakingRate } from './measure-speaking-rate.js';
import { medianPitch, speakingPitchRange, trackPitch } from './track-pitch.js';

/** What the local provider keeps of a speaker. */
export interface VoiceMeasurement {
  /** Median fundamental frequency of the voiced frames, in Hz. */
  pitchHz: number;
  /** Syllable nuclei per second of speech (pauses excluded). */
  syllablesPerSecond: number;
  /** Seconds of voiced frames the pitch was measured on. */
  voicedSeconds: number;
}

/** Less voiced speech than this is too little to trust a median pitch. */
const minimumVoicedSeconds = 0.25;

/** Measures a speaker's pitch and speaking rate from a recording of their speech. */
export function measureVoice(audio: MonoAudio, location = 'the sample'): VoiceMeasurement {
  const track = trackPitch(audio);
  const voicedSeconds = track.frames.filter((frame) => frame.voiced).length * track.hopSeconds;
  const pitchHz = medianPitch(track);
  if (pitchHz === undefined || voicedSeconds < minimumVoicedSeconds) {
    const seconds = audio.samples.length / audio.sampleRate;
    throw new LocalProviderError({
      code: 'no-voiced-speech',
      message:
        `No voiced speech found in ${location}: ${voicedSeconds.toFixed(2)} s of its ${seconds.toFixed(1)} s have a clear pitch ` +
        `between ${speakingPitchRange.minimumHz} and ${speakingPitchRange.maximumHz} Hz (at least ${minimumVoicedSeconds} s needed). ` +
        'Use a recording of one person speaking, without music or loud background noise, and not too quiet.',
    });
  }
  const { syllablesPerSecond } = measureSpeakingRate(audio, track);
  return { pitchHz, syllablesPerSecond, voicedSeconds };
}
