import wavefile from 'wavefile';
import { LocalProviderError } from './local-provider-error.js';

/** Decoded audio: one channel of samples in [-1, 1]. */
export interface MonoAudio {
  sampleRate: number;
  samples: Float32Array;
}

const pcmFormat = 1;
const floatFormat = 3;
const extensibleFormat = 0xfffe;

const formatNames: Record<number, string> = {
  2: 'Microsoft ADPCM',
  6: 'A-law',
  7: 'µ-law',
  17: 'IMA ADPCM',
  85: 'MPEG Layer 3',
};

const accepted = 'PCM WAV with 8, 16, 24 or 32-bit integer or 32-bit float samples';
const conversionHint = 'convert it, e.g. `ffmpeg -i input -ac 1 -ar 16000 -c:a pcm_s16le sample.wav`';

interface WaveFormat {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  subformat?: number[];
}

/**
 * Decodes a WAV file (RIFF, RIFX or RF64) to mono by averaging its channels. The container is parsed by
 * `wavefile`; the samples are converted here, because wavefile reads WAVE_FORMAT_EXTENSIBLE floats as
 * integers, and because going straight into one 32-bit mono buffer takes a fraction of the memory of
 * wavefile's de-interleaved 64-bit channels (a 5-minute stereo sample would need 230 MB).
 */
export function decodeWav(bytes: Uint8Array, location = 'the sample'): MonoAudio {
  const wave = new wavefile.WaveFile();
  try {
    wave.fromBuffer(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LocalProviderError({
      code: 'unsupported-sample',
      message: `${location} is not a readable WAV file (${reason}; it starts with ${describeStart(bytes)}). The local provider accepts ${accepted}: ${conversionHint}.`,
      cause: error,
    });
  }
  const format = wave.fmt as WaveFormat;
  const data = (wave.data as { samples: Uint8Array }).samples;
  // WAVE_FORMAT_EXTENSIBLE keeps the real format code in the first two bytes of its sub-format GUID.
  const code = format.audioFormat === extensibleFormat ? (format.subformat?.[0] ?? 0) & 0xffff : format.audioFormat;
  const bits = format.bitsPerSample;
  const supported = (code === pcmFormat && [8, 16, 24, 32].includes(bits)) || (code === floatFormat && bits === 32);
  if (!supported) {
    const found =
      code === pcmFormat
        ? `${bits}-bit integer PCM`
        : code === floatFormat
          ? `${bits}-bit float`
          : `${formatNames[code] ?? `format code ${code}`} (${bits} bits per sample)`;
    throw new LocalProviderError({
      code: 'unsupported-sample',
      message: `${location} is a WAV file with ${found} audio. The local provider accepts ${accepted}: ${conversionHint}.`,
    });
  }
  const channels = format.numChannels;
  if (channels < 1 || format.sampleRate < 1) {
    throw new LocalProviderError({
      code: 'unsupported-sample',
      message: `${location} has an invalid WAV header (${channels} channels at ${format.sampleRate} Hz). The local provider accepts ${accepted}: ${conversionHint}.`,
    });
  }
  const bytesPerSample = bits / 8;
  const frames = Math.floor(data.length / (bytesPerSample * channels));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const littleEndian = wave.container !== 'RIFX';
  const read = sampleReader(view, code === floatFormat, bits, littleEndian);
  const samples = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame += 1) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel += 1) {
      sum += read((frame * channels + channel) * bytesPerSample);
    }
    samples[frame] = sum / channels;
  }
  return { sampleRate: format.sampleRate, samples };
}

function sampleReader(view: DataView, float: boolean, bits: number, littleEndian: boolean): (offset: number) => number {
  if (float) return (offset) => view.getFloat32(offset, littleEndian);
  switch (bits) {
    case 8:
      // 8-bit WAV is unsigned, centred on 128.
      return (offset) => (view.getUint8(offset) - 128) / 128;
    case 16:
      return (offset) => view.getInt16(offset, littleEndian) / 32768;
    case 24:
      return littleEndian
        ? (offset) => ((view.getInt8(offset + 2) << 16) | view.getUint16(offset, true)) / 8388608
        : (offset) => ((view.getInt8(offset) << 16) | view.getUint16(offset + 1, false)) / 8388608;
    default:
      return (offset) => view.getInt32(offset, littleEndian) / 2147483648;
  }
}

function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'nothing (the file is empty)';
  const text = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
  const known =
    text(0, 3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)
      ? 'MP3'
      : text(0, 4) === 'OggS'
        ? 'Ogg'
        : text(0, 4) === 'fLaC'
          ? 'FLAC'
          : text(4, 8) === 'ftyp'
            ? 'MP4/M4A'
            : undefined;
  const hex = Array.from(bytes.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return known ? `${hex}, which looks like ${known}` : hex;
}
