import { Mp3Encoder } from '@breezystack/lamejs';
import { createLocalProvider } from '@voxform/provider-local';
import type { JsonValue } from '@voxform/core';
import wavefile from 'wavefile';

export type EmulatorAudioFormat = 'wav' | 'mp3';

/**
 * Real audio for the emulator's answers: speech from the local synthesiser (a different espeak-ng voice
 * per voice seed), or with `tone` a cheap sine whose length follows the text, for load tests.
 */
export interface AudioMaker {
  render(text: string, options: { voiceSeed: string; format: EmulatorAudioFormat }): Promise<Uint8Array>;
}

export function createAudioMaker(mode: 'speech' | 'tone'): AudioMaker {
  const local = mode === 'speech' ? createLocalProvider() : undefined;
  const cache = new Map<string, Promise<Uint8Array>>();
  return {
    render(text, options) {
      const id = `${options.voiceSeed}\u0000${options.format}\u0000${text}`;
      let audio = cache.get(id);
      if (!audio) {
        audio = (local ? speak(local, text, options.voiceSeed) : tone(text, options.voiceSeed)).then((wav) =>
          options.format === 'mp3' ? wavToMp3(wav) : wav,
        );
        cache.set(id, audio);
        audio.catch(() => cache.delete(id));
        if (cache.size > 200) cache.delete(cache.keys().next().value!);
      }
      return audio;
    },
  };
}

function seedNumber(seed: string): number {
  let hash = 2166136261;
  for (const character of seed) hash = Math.imul(hash ^ (character.codePointAt(0) ?? 0), 16777619) >>> 0;
  return hash;
}

async function speak(local: ReturnType<typeof createLocalProvider>, text: string, voiceSeed: string): Promise<Uint8Array> {
  const seed = seedNumber(voiceSeed);
  const high = seed % 2 === 0;
  const espeak: Record<string, JsonValue> = {
    voice: 'en-us',
    variant: high ? 'f2' : 'm3',
    pitch: high ? 60 + (seed % 30) : 10 + (seed % 30),
    wordsPerMinute: 140 + (seed % 40),
  };
  const result = await local.doSynthesize(
    {
      text,
      voice: {
        name: voiceSeed,
        fingerprint: '',
        options: {},
        data: { pitchHz: 0, syllablesPerSecond: 0, espeak },
        sample: { source: 'url', location: '', read: async () => new Uint8Array() },
      },
      options: {},
      format: 'wav',
    },
    { signal: new AbortController().signal, recordTask: async () => {}, reportStatus: () => {} },
  );
  if (result.audio.type !== 'bytes') throw new Error('the local synthesiser returned no bytes');
  return result.audio.bytes;
}

async function tone(text: string, voiceSeed: string): Promise<Uint8Array> {
  const sampleRate = 16000;
  const seconds = Math.max(0.3, [...text].length * 0.06);
  const frequency = 110 + (seedNumber(voiceSeed) % 300);
  const samples = new Int16Array(Math.round(sampleRate * seconds));
  for (let index = 0; index < samples.length; index++) {
    samples[index] = Math.round(6000 * Math.sin((2 * Math.PI * frequency * index) / sampleRate));
  }
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sampleRate, '16', samples);
  return wav.toBuffer();
}

function wavToMp3(wavBytes: Uint8Array): Uint8Array {
  const wav = new wavefile.WaveFile(wavBytes);
  wav.toBitDepth('16');
  const { numChannels, sampleRate } = wav.fmt as { numChannels: number; sampleRate: number };
  const interleaved = wav.getSamples(true, Int16Array) as unknown as Int16Array;
  const mono = numChannels === 1 ? interleaved : downmix(interleaved, numChannels);
  const encoder = new Mp3Encoder(1, sampleRate, 64);
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < mono.length; offset += 1152) {
    const frame = encoder.encodeBuffer(mono.subarray(offset, offset + 1152));
    if (frame.length > 0) parts.push(new Uint8Array(frame.buffer, frame.byteOffset, frame.length));
  }
  const end = encoder.flush();
  if (end.length > 0) parts.push(new Uint8Array(end.buffer, end.byteOffset, end.length));
  return Buffer.concat(parts);
}

function downmix(samples: Int16Array, channels: number): Int16Array {
  const mono = new Int16Array(Math.floor(samples.length / channels));
  for (let index = 0; index < mono.length; index++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) sum += samples[index * channels + channel]!;
    mono[index] = Math.round(sum / channels);
  }
  return mono;
}
