import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { decodeWav } from './decode-wav.js';
import { LocalProviderError } from './local-provider-error.js';

const sampleRate = 8000;
const signal = Array.from({ length: 400 }, (_, index) => 0.5 * Math.sin((2 * Math.PI * 440 * index) / sampleRate));

function encode(bitDepth: string, channels: number[][]): Uint8Array {
  const full: Record<string, number> = { '8': 127, '16': 32767, '24': 8388607, '32': 2147483647 };
  const scale = full[bitDepth];
  const scaled = channels.map((channel) =>
    channel.map((value) => (scale === undefined ? value : bitDepth === '8' ? Math.round(value * scale) + 128 : Math.round(value * scale))),
  );
  const wave = new wavefile.WaveFile();
  wave.fromScratch(channels.length, sampleRate, bitDepth, channels.length === 1 ? (scaled[0] ?? []) : scaled);
  return wave.toBuffer();
}

function errorOf(action: () => unknown): LocalProviderError {
  try {
    action();
  } catch (error) {
    if (LocalProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('decodeWav', () => {
  it.each(['8', '16', '24', '32', '32f'])('decodes mono %s-bit PCM to samples in [-1, 1]', (bitDepth) => {
    const audio = decodeWav(encode(bitDepth, [signal]));
    expect(audio.sampleRate).toBe(sampleRate);
    expect(audio.samples.length).toBe(signal.length);
    const tolerance = bitDepth === '8' ? 0.01 : 1e-4;
    audio.samples.forEach((value, index) => expect(Math.abs(value - (signal[index] ?? 0))).toBeLessThan(tolerance));
  });

  it('mixes stereo down to mono by averaging the channels', () => {
    const audio = decodeWav(encode('16', [signal, signal.map(() => 0)]));
    expect(audio.samples.length).toBe(signal.length);
    audio.samples.forEach((value, index) => expect(value).toBeCloseTo((signal[index] ?? 0) / 2, 3));
  });

  it('reads WAVE_FORMAT_EXTENSIBLE float samples as floats', () => {
    const bytes = encode('32f', [signal]);
    // Rewrite the 16-byte fmt chunk as a 40-byte extensible one with the IEEE float sub-format.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const header = bytes.subarray(12, 36);
    const rest = bytes.subarray(36);
    const extended = new Uint8Array(bytes.length + 24);
    extended.set(bytes.subarray(0, 12));
    extended.set(header, 12);
    const extendedView = new DataView(extended.buffer);
    extendedView.setUint32(16, 40, true);
    extendedView.setUint16(20, 0xfffe, true);
    extendedView.setUint16(36, 22, true);
    extendedView.setUint16(38, 32, true);
    extendedView.setUint32(40, 4, true);
    extendedView.setUint32(44, 3, true);
    extended.set([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 48);
    extended.set(rest, 60);
    extendedView.setUint32(4, view.getUint32(4, true) + 24, true);
    const audio = decodeWav(extended);
    expect(audio.samples.length).toBe(signal.length);
    expect(audio.samples[20]).toBeCloseTo(signal[20] ?? 0, 5);
  });

  it('rejects a file that is not WAV, saying what it looks like and what is accepted', () => {
    const error = errorOf(() => decodeWav(new TextEncoder().encode('ID3\u0004 this is an mp3 file'), 'samples/narrator.mp3'));
    expect(error.code).toBe('unsupported-sample');
    expect(error.message).toContain('samples/narrator.mp3 is not a readable WAV file');
    expect(error.message).toContain('looks like MP3');
    expect(error.message).toContain('PCM WAV with 8, 16, 24 or 32-bit integer or 32-bit float samples');
    expect(error.message).toContain('ffmpeg');
  });

  it('rejects an empty file', () => {
    expect(errorOf(() => decodeWav(new Uint8Array(0))).message).toContain('the file is empty');
  });

  it('rejects compressed WAV codecs by name', () => {
    const wave = new wavefile.WaveFile();
    wave.fromScratch(1, sampleRate, '16', signal.map((value) => Math.round(value * 32767)));
    wave.toALaw();
    const error = errorOf(() => decodeWav(wave.toBuffer(), 'samples/phone.wav'));
    expect(error.code).toBe('unsupported-sample');
    expect(error.message).toContain('samples/phone.wav is a WAV file with A-law (8 bits per sample) audio');
    expect(error.message).toContain('accepts PCM WAV');
  });

  it('rejects 64-bit float, naming it', () => {
    const error = errorOf(() => decodeWav(encode('64', [signal])));
    expect(error.message).toContain('64-bit float');
  });
});
