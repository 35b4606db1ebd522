import { describe, expect, it } from 'vitest';
import { assembleWav } from './assemble-wav.js';
import { measureLoudness } from './measure-loudness.js';
import { decodePcmWav, encodePcmWav } from './pcm-wav.js';

function tone(ms: number, options: { sampleRate?: number; level?: number } = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 16000;
  const samples = new Float32Array(Math.round((ms * sampleRate) / 1000));
  for (let index = 0; index < samples.length; index += 1) samples[index] = (options.level ?? 0.3) * Math.sin((2 * Math.PI * 300 * index) / sampleRate);
  return encodePcmWav({ sampleRate, channels: 1, encoding: { float: false, bitsPerSample: 16 }, samples });
}

describe('assembleWav', () => {
  it('joins the parts in order with exactly the silences asked for between them', () => {
    const { wav, durationMs } = assembleWav([
      { name: 'a/0001', wav: tone(500), gapBeforeMs: 999 },
      { name: 'a/0002', wav: tone(300, { level: 0.6 }), gapBeforeMs: 250 },
      { name: 'a/0003', wav: tone(200), gapBeforeMs: 1000 },
    ]);
    expect(durationMs).toBe(500 + 250 + 300 + 1000 + 200);
    const { samples, sampleRate } = decodePcmWav(wav);
    const at = (ms: number) => Math.round((ms * sampleRate) / 1000);
    const silent = (from: number, to: number) => samples.subarray(at(from), at(to)).every((value) => value === 0);
    expect(silent(500, 750)).toBe(true);
    expect(silent(1050, 2050)).toBe(true);
    // The second part is where it belongs, at its own level.
    expect(Math.max(...samples.subarray(at(750), at(1050)))).toBeCloseTo(0.6, 2);
  });

  it('brings the chapter to the loudness target with one gain, and says what it measured', () => {
    const { wav, loudness } = assembleWav(
      [
        { name: 'a/0001', wav: tone(2000, { level: 0.05 }), gapBeforeMs: 0 },
        { name: 'a/0002', wav: tone(2000, { level: 0.1 }), gapBeforeMs: 500 },
      ],
      { target: -20, truePeak: -1 },
    );
    const measured = measureLoudness(decodePcmWav(wav));
    expect(measured.integrated).toBeCloseTo(-20, 1);
    expect(loudness).toMatchObject({ target: -20, truePeakLimit: -1, integrated: expect.closeTo(measured.integrated, 1) });
    expect(loudness!.gainDb).toBeCloseTo(-20 - loudness!.sourceIntegrated, 1);
    // One gain: the second line stays twice as loud as the first.
    const { samples, sampleRate } = decodePcmWav(wav);
    const peak = (from: number, to: number) => Math.max(...samples.subarray(Math.round(from * sampleRate), Math.round(to * sampleRate)));
    expect(peak(2.5, 4.5) / peak(0, 2)).toBeCloseTo(2, 1);
  });

  it('refuses lines of different sample rates, naming them', () => {
    expect(() =>
      assembleWav([
        { name: 'a/0001', wav: tone(100), gapBeforeMs: 0 },
        { name: 'a/0002', wav: tone(100, { sampleRate: 24000 }), gapBeforeMs: 0 },
      ]),
    ).toThrow(/a\/0002 is 24000 Hz with 1 channel\(s\) but a\/0001 is 16000 Hz with 1/);
  });
});
