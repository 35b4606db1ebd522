import { describe, expect, it } from 'vitest';
import { measureLoudness } from './measure-loudness.js';
import { normalizeLoudness } from './normalize-loudness.js';
import type { PcmAudio } from './pcm-wav.js';

const sampleRate = 22050;

/** Speech-like test audio: 300 ms bursts of a harmonic tone with sharp peaks, between pauses, at varying levels. */
function bursts(levels: number[]): PcmAudio {
  const burst = Math.round(sampleRate * 0.3);
  const pause = Math.round(sampleRate * 0.15);
  const samples = new Float32Array(levels.length * (burst + pause));
  levels.forEach((level, index) => {
    const amplitude = 10 ** (level / 20);
    for (let frame = 0; frame < burst; frame += 1) {
      const t = frame / sampleRate;
      // A buzzy 150 Hz voice: strong harmonics make a peak-to-loudness ratio of speech, about 15 dB.
      let value = 0;
      for (let harmonic = 1; harmonic <= 12; harmonic += 1) value += Math.sin(2 * Math.PI * 150 * harmonic * t) / harmonic;
      samples[index * (burst + pause) + frame] = amplitude * 0.5 * value * Math.sin((Math.PI * frame) / burst);
    }
  });
  return { sampleRate, channels: 1, encoding: { float: false, bitsPerSample: 16 }, samples };
}

describe('normalizeLoudness', () => {
  it('raises quiet audio to the target with one gain when no peak gets in the way', () => {
    const audio = bursts([-40, -38, -42, -40]);
    const { after, before, gainDb } = normalizeLoudness(audio, { target: -30, truePeak: -1 });
    expect(after.integrated).toBeCloseTo(-30, 1);
    expect(gainDb).toBeCloseTo(-30 - before.integrated, 1);
    // One gain: every sample scaled alike.
    const ratio = 10 ** (gainDb / 20);
    const { audio: result } = normalizeLoudness(audio, { target: -30, truePeak: -1 });
    const loudest = audio.samples.reduce((best, value, index) => (Math.abs(value) > Math.abs(audio.samples[best]!) ? index : best), 0);
    expect(result.samples[loudest]! / audio.samples[loudest]!).toBeCloseTo(ratio, 4);
  });

  it('reaches -14 LUFS with the true peak held at -1 dBTP, limiting only the peaks', () => {
    const audio = bursts([-30, -24, -34, -28, -26, -30, -22, -30]);
    const { after } = normalizeLoudness(audio, { target: -14, truePeak: -1 });
    expect(Math.abs(after.integrated + 14)).toBeLessThan(0.2);
    expect(after.truePeak).toBeLessThanOrEqual(-0.99);
    expect(measureLoudness(audio).truePeak - measureLoudness(audio).integrated).toBeGreaterThan(14); // the limiter had work to do
  });

  it('limits with a gain that glides (at most 1/110 per sample at 22.05 kHz: 5 ms from unity to nothing), never a step', () => {
    const audio = bursts([-30, -24, -34, -28, -26, -30, -22, -30]);
    const { audio: result, gainDb } = normalizeLoudness(audio, { target: -14, truePeak: -1 });
    const gain = 10 ** (gainDb / 20);
    let largestChange = 0;
    let previous: { index: number; value: number } | undefined;
    let limited = 0;
    for (let index = 0; index < audio.samples.length; index += 1) {
      if (Math.abs(audio.samples[index]!) < 0.02) continue;
      const limiterGain = result.samples[index]! / (audio.samples[index]! * gain);
      if (limiterGain < 0.99) limited += 1;
      if (previous) largestChange = Math.max(largestChange, Math.abs(limiterGain - previous.value) / (index - previous.index));
      previous = { index, value: limiterGain };
    }
    expect(limited).toBeGreaterThan(0);
    expect(largestChange).toBeLessThanOrEqual(1 / 110 + 1e-4);
  });

  it('leaves silence as it is', () => {
    const silence: PcmAudio = { sampleRate, channels: 1, encoding: { float: false, bitsPerSample: 16 }, samples: new Float32Array(sampleRate) };
    expect(normalizeLoudness(silence, { target: -18 })).toMatchObject({ gainDb: 0, audio: silence });
  });
});
