import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePcmWav, encodePcmWav, measureLoudness, type PcmAudio } from '@voxform/core';
import { createLocalProvider } from '@voxform/provider-local';
import { ffmpegAvailable, ffmpegLoudness } from './support/ffmpeg.js';
import { root } from './support/voxform-process.js';

// voxform's BS.1770-4 meter against an independent one, ffmpeg's ebur128 filter (libavfilter's own
// implementation), on reference signals and on real speech. Only where ffmpeg is installed.

function sine(level: number, seconds: number, options: { channels?: number; sampleRate?: number; frequency?: number } = {}): PcmAudio {
  const sampleRate = options.sampleRate ?? 48000;
  const channels = options.channels ?? 2;
  const frames = Math.round(seconds * sampleRate);
  const samples = new Float32Array(frames * channels);
  for (let frame = 0; frame < frames; frame += 1) {
    const value = 10 ** (level / 20) * Math.sin((2 * Math.PI * (options.frequency ?? 1000) * frame) / sampleRate);
    for (let channel = 0; channel < channels; channel += 1) samples[frame * channels + channel] = value;
  }
  return { sampleRate, channels, encoding: { float: true, bitsPerSample: 32 }, samples };
}

describe.skipIf(!ffmpegAvailable)('the loudness meter agrees with ffmpeg ebur128 within 0.2 LU', () => {
  let dir: string;
  const signals: Record<string, () => Promise<PcmAudio>> = {
    'stereo 1 kHz at -23 dBFS': async () => sine(-23, 10),
    'stereo 100 Hz at -30 dBFS, 44.1 kHz': async () => sine(-30, 10, { frequency: 100, sampleRate: 44100 }),
    'mono 5 kHz at -20 dBFS, 22.05 kHz': async () => sine(-20, 10, { channels: 1, frequency: 5000, sampleRate: 22050 }),
    'speech from the local provider': async () => {
      const local = createLocalProvider();
      const result = await local.doSynthesize(
        {
          text: 'It was a dark and stormy night, and the lighthouse keeper could not sleep. Somewhere below the cliffs, a small boat was fighting the waves.',
          voice: { name: 'n', fingerprint: '', options: {}, data: { pitchHz: 0, syllablesPerSecond: 0, espeak: { voice: 'en-us', variant: 'm3', pitch: 40, wordsPerMinute: 160 } }, sample: { source: 'url', location: '', read: async () => new Uint8Array() } },
          options: {},
          format: 'wav',
        },
        { signal: new AbortController().signal, recordTask: async () => {}, reportStatus: () => {} },
      );
      return decodePcmWav((result.audio as { bytes: Uint8Array }).bytes);
    },
    'the example narrator sample': async () => decodePcmWav(await readFile(path.join(root, 'examples/audiobook/samples/narrator.wav'))),
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'voxform-meter-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, make] of Object.entries(signals)) {
    it(name, async () => {
      const audio = await make();
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.wav`);
      await writeFile(file, encodePcmWav(audio));
      const ours = measureLoudness(audio).integrated;
      const theirs = ffmpegLoudness!(file);
      if (process.env.VOXFORM_SHOW_LOUDNESS) console.log(`${name}: voxform ${ours.toFixed(2)} LUFS, ffmpeg ${theirs} LUFS`);
      expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(0.2);
    });
  }
});
