import { describe, expect, it } from 'vitest';
import { harmonicTone, syllableTrain, whiteNoise } from './__fixtures__/synthetic-audio.js';
import { measureSpeakingRate } from './measure-speaking-rate.js';
import { trackPitch } from './track-pitch.js';

function rateOf(audio: ReturnType<typeof syllableTrain>) {
  return measureSpeakingRate(audio, trackPitch(audio));
}

describe('measureSpeakingRate', () => {
  it.each([3, 4, 6])('counts %i syllable-like bursts per second of speech', (syllablesPerSecond) => {
    const rate = rateOf(syllableTrain({ syllablesPerSecond, phrases: 3, perPhrase: 8 }));
    expect(rate.syllables).toBe(24);
    expect(rate.syllablesPerSecond).toBeGreaterThan(syllablesPerSecond * 0.9);
    expect(rate.syllablesPerSecond).toBeLessThan(syllablesPerSecond * 1.15);
  });

  it('leaves pauses of 300 ms or more out of the speaking time', () => {
    const short = rateOf(syllableTrain({ syllablesPerSecond: 4, phrases: 3, perPhrase: 8, pauseSeconds: 0.4 }));
    const long = rateOf(syllableTrain({ syllablesPerSecond: 4, phrases: 3, perPhrase: 8, pauseSeconds: 1.5 }));
    expect(long.syllablesPerSecond).toBeCloseTo(short.syllablesPerSecond, 1);
  });

  it('does not count unvoiced noise bursts as syllables', () => {
    const voiced = syllableTrain({ syllablesPerSecond: 4, phrases: 2, perPhrase: 6 });
    const noise = whiteNoise({ seconds: voiced.samples.length / voiced.sampleRate, amplitude: 0.4 });
    // The same bursts, with noise in place of the tone.
    const samples = voiced.samples.map((value, index) => (noise.samples[index] ?? 0) * Math.abs(value) * 2);
    const unvoiced = { sampleRate: voiced.sampleRate, samples };
    expect(rateOf(unvoiced).syllables).toBeLessThan(3);
  });

  it('counts one nucleus in a steady vowel and nothing in silence', () => {
    expect(rateOf(harmonicTone({ frequency: 120, seconds: 1 })).syllables).toBe(1);
    const silence = rateOf({ sampleRate: 16_000, samples: new Float32Array(16_000) });
    expect(silence).toEqual({ syllables: 0, speakingSeconds: 0, syllablesPerSecond: 0 });
  });
});
