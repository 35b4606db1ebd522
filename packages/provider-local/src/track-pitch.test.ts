import { describe, expect, it } from 'vitest';
import { harmonicTone, whiteNoise } from './__fixtures__/synthetic-audio.js';
import { medianPitch, percentile, trackPitch } from './track-pitch.js';

describe('trackPitch', () => {
  it.each([
    { frequency: 110, sampleRate: 16_000 },
    { frequency: 220, sampleRate: 16_000 },
    { frequency: 110, sampleRate: 44_100 },
    { frequency: 220, sampleRate: 48_000 },
    { frequency: 70, sampleRate: 22_050 },
    { frequency: 400, sampleRate: 8_000 },
  ])('measures a harmonic-rich $frequency Hz tone at $sampleRate Hz within 2%', ({ frequency, sampleRate }) => {
    const track = trackPitch(harmonicTone({ frequency, seconds: 1.5, sampleRate }));
    expect(medianPitch(track)).toBeGreaterThan(frequency * 0.98);
    expect(medianPitch(track)).toBeLessThan(frequency * 1.02);
    expect(track.frames.filter((frame) => frame.voiced).length).toBeGreaterThan(track.frames.length * 0.9);
  });

  it('finds the fundamental of a tone whose fundamental is missing (as over a telephone line)', () => {
    const sampleRate = 16_000;
    const samples = new Float32Array(sampleRate);
    for (let index = 0; index < samples.length; index += 1) {
      let value = 0;
      for (let harmonic = 2; harmonic <= 12; harmonic += 1) {
        value += (0.3 * Math.sin((2 * Math.PI * 110 * harmonic * index) / sampleRate)) / harmonic;
      }
      samples[index] = value;
    }
    const pitch = medianPitch(trackPitch({ sampleRate, samples }));
    expect(pitch).toBeGreaterThan(110 * 0.98);
    expect(pitch).toBeLessThan(110 * 1.02);
  });

  it('ignores pitches outside 60–500 Hz', () => {
    expect(medianPitch(trackPitch(harmonicTone({ frequency: 40, seconds: 1 })))).toBeUndefined();
    expect(medianPitch(trackPitch(harmonicTone({ frequency: 700, seconds: 1 })))).toBeUndefined();
  });

  it('finds no voiced frames in silence and almost none in noise', () => {
    expect(medianPitch(trackPitch({ sampleRate: 16_000, samples: new Float32Array(16_000) }))).toBeUndefined();
    const noise = trackPitch(whiteNoise({ seconds: 2 }));
    expect(noise.frames.filter((frame) => frame.voiced).length).toBeLessThan(noise.frames.length * 0.05);
  });

  it('spaces frames 10 ms apart', () => {
    const track = trackPitch(harmonicTone({ frequency: 150, seconds: 1 }));
    expect(track.hopSeconds).toBe(0.01);
    expect(track.frames.length).toBeGreaterThan(90);
    expect((track.frames[1]?.timeSeconds ?? 0) - (track.frames[0]?.timeSeconds ?? 0)).toBeCloseTo(0.01, 5);
  });
});

describe('percentile', () => {
  it('interpolates between sorted values', () => {
    expect(percentile([3, 1, 2], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});
