import { describe, expect, it } from 'vitest';
import { blockPowers, integratedLoudness, kWeighting, measureLoudness } from './measure-loudness.js';
import type { PcmAudio } from './pcm-wav.js';

// Reference signals of EBU Tech 3341 (loudness metering, "EBU Mode") and 3342, generated here: each
// with the loudness the document says a compliant meter reads, within its tolerance of ±0.1 LU.

/** Stereo (both channels alike) or mono sine segments: [dBFS, seconds] each. */
function sine(segments: Array<[number, number]>, options: { frequency?: number; sampleRate?: number; channels?: number; phase?: number } = {}): PcmAudio {
  const sampleRate = options.sampleRate ?? 48000;
  const channels = options.channels ?? 2;
  const frequency = options.frequency ?? 1000;
  const total = segments.reduce((sum, [, seconds]) => sum + Math.round(seconds * sampleRate), 0);
  const samples = new Float32Array(total * channels);
  let frame = 0;
  for (const [level, seconds] of segments) {
    const amplitude = 10 ** (level / 20);
    for (let index = 0; index < Math.round(seconds * sampleRate); index += 1, frame += 1) {
      const value = amplitude * Math.sin((2 * Math.PI * frequency * frame) / sampleRate + (options.phase ?? 0));
      for (let channel = 0; channel < channels; channel += 1) samples[frame * channels + channel] = value;
    }
  }
  return { sampleRate, channels, encoding: { float: true, bitsPerSample: 32 }, samples };
}

describe('measureLoudness (ITU-R BS.1770-4)', () => {
  it('Tech 3341 case 1: a stereo 1 kHz sine at -23 dBFS reads -23 LUFS', () => {
    expect(measureLoudness(sine([[-23, 20]])).integrated).toBeCloseTo(-23, 1);
  });

  it('Tech 3341 case 2: at -33 dBFS, -33 LUFS', () => {
    expect(measureLoudness(sine([[-33, 20]])).integrated).toBeCloseTo(-33, 1);
  });

  it('Tech 3341 case 3: the relative gate ignores -36 dBFS stretches around -23 dBFS', () => {
    expect(Math.abs(measureLoudness(sine([[-36, 10], [-23, 60], [-36, 10]])).integrated + 23)).toBeLessThanOrEqual(0.1);
  });

  it('Tech 3341 case 4: the absolute gate ignores -72 dBFS, the relative gate -36 dBFS', () => {
    const audio = sine([[-72, 10], [-36, 10], [-23, 60], [-36, 10], [-72, 10]]);
    expect(Math.abs(measureLoudness(audio).integrated + 23)).toBeLessThanOrEqual(0.1);
  });

  it('Tech 3341 case 5: -26, -20, -26 dBFS (20 s each) reads -23 LUFS', () => {
    expect(Math.abs(measureLoudness(sine([[-26, 20], [-20, 20.1], [-26, 20]])).integrated + 23)).toBeLessThanOrEqual(0.1);
  });

  it('derives the K-weighting for other sample rates: the same sine reads the same at 44.1, 24 and 22.05 kHz', () => {
    for (const sampleRate of [44100, 24000, 22050]) {
      expect(Math.abs(measureLoudness(sine([[-23, 20]], { sampleRate })).integrated + 23)).toBeLessThanOrEqual(0.1);
    }
  });

  it('derives, for 48 kHz, the K-weighting coefficients BS.1770-4 publishes', () => {
    const [shelf, highPass] = kWeighting(48000);
    const published = {
      shelf: { b0: 1.53512485958697, b1: -2.69169618940638, b2: 1.19839281085285, a1: -1.69065929318241, a2: 0.73248077421585 },
      highPass: { b0: 1, b1: -2, b2: 1, a1: -1.99004745483398, a2: 0.99007225036621 },
    };
    for (const [name, value] of Object.entries(published.shelf)) expect(shelf[name as keyof typeof shelf]).toBeCloseTo(value, 7);
    for (const [name, value] of Object.entries(published.highPass)) expect(highPass[name as keyof typeof highPass]).toBeCloseTo(value, 7);
  });

  it('measures mono as one channel: 3 dB below the same sine on both channels', () => {
    expect(Math.abs(measureLoudness(sine([[-23, 20]], { channels: 1 })).integrated + 26.01)).toBeLessThanOrEqual(0.1);
  });

  it('reads silence as -Infinity', () => {
    expect(measureLoudness(sine([[-120, 5]])).integrated).toBe(Number.NEGATIVE_INFINITY);
    expect(measureLoudness({ sampleRate: 48000, channels: 1, encoding: { float: false, bitsPerSample: 16 }, samples: new Float32Array(48000) })).toMatchObject({
      integrated: Number.NEGATIVE_INFINITY,
      truePeak: Number.NEGATIVE_INFINITY,
    });
  });

  it('pools gating blocks across files: a chapter\'s lines measured together gate like one file', () => {
    const parts = [sine([[-36, 10]]), sine([[-23, 60]]), sine([[-36, 10]])];
    const pooled = integratedLoudness(...parts.map(blockPowers));
    expect(Math.abs(pooled + 23)).toBeLessThanOrEqual(0.1);
  });

  it('Tech 3341 true peak: a 12 kHz sine at -6 dBFS whose samples miss its crests reads -6 dBTP (+0.2/-0.4), its samples 3 dB lower', () => {
    // fs/4 with a 45° phase: every sample lands at ±0.707 of the crest.
    const measured = measureLoudness(sine([[-6, 5]], { frequency: 12_000, phase: Math.PI / 4 }));
    expect(measured.samplePeak).toBeCloseTo(-9.01, 1);
    expect(measured.truePeak).toBeGreaterThanOrEqual(-6.4);
    expect(measured.truePeak).toBeLessThanOrEqual(-5.8);
  });

  it('Tech 3341 true peak: a 1 kHz sine at 0 dBFS reads 0 dBTP', () => {
    const measured = measureLoudness(sine([[0, 2]], { channels: 1 }));
    expect(measured.truePeak).toBeGreaterThanOrEqual(-0.4);
    expect(measured.truePeak).toBeLessThanOrEqual(0.2);
  });
});
