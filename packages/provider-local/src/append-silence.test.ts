import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { appendSilence } from './append-silence.js';

function pcmWav(samples: number[], sampleRate = 22_050): Uint8Array {
  const wave = new wavefile.WaveFile();
  wave.fromScratch(1, sampleRate, '16', samples);
  // A LIST chunk after the data, as some writers add, to check that the header is rewritten.
  wave.setTag('ICMT', 'made by a test');
  return wave.toBuffer();
}

describe('appendSilence', () => {
  it('appends zero samples for the pause, under a canonical header', () => {
    const output = appendSilence(pcmWav([100, -200, 300]), 1);
    const wave = new wavefile.WaveFile();
    wave.fromBuffer(output);
    expect(wave.fmt).toMatchObject({ audioFormat: 1, numChannels: 1, sampleRate: 22_050, bitsPerSample: 16 });
    expect(Array.from(wave.getSamples())).toEqual([100, -200, 300, ...new Array(22).fill(0)]);
    expect(output.length).toBe(44 + 2 * 25);
    expect(new DataView(output.buffer).getUint32(4, true)).toBe(output.length - 8);
  });

  it('keeps the samples as they are without a pause', () => {
    const wave = new wavefile.WaveFile();
    wave.fromBuffer(appendSilence(pcmWav([1, 2, 3, 4]), 0));
    expect(Array.from(wave.getSamples())).toEqual([1, 2, 3, 4]);
  });
});
