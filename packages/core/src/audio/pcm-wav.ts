import wavefile from 'wavefile';

/** Decoded PCM audio: interleaved samples in [-1, 1], with the sample format it was stored in. */
export interface PcmAudio {
  sampleRate: number;
  channels: number;
  /** How the samples are stored in a file: integer PCM of 8/16/24/32 bits, or 32-bit float. */
  encoding: { float: boolean; bitsPerSample: number };
  /** Interleaved: frame `f`, channel `c` is at `f * channels + c`. */
  samples: Float32Array;
}

const pcmFormat = 1;
const floatFormat = 3;
const extensibleFormat = 0xfffe;

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

/** Decodes a PCM or float WAV file (RIFF, RIFX, RF64; container parsed by wavefile). */
export function decodePcmWav(bytes: Uint8Array, what = 'the audio'): PcmAudio {
  const wave = new wavefile.WaveFile();
  try {
    wave.fromBuffer(bytes);
  } catch (error) {
    throw new WavFormatError(`${what} is not a readable WAV file (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const format = wave.fmt as { audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number; subformat?: number[] };
  const code = format.audioFormat === extensibleFormat ? (format.subformat?.[0] ?? 0) & 0xffff : format.audioFormat;
  const bits = format.bitsPerSample;
  const float = code === floatFormat;
  if (!((code === pcmFormat && [8, 16, 24, 32].includes(bits)) || (float && bits === 32))) {
    throw new WavFormatError(`${what} is a WAV file with format code ${code} at ${bits} bits per sample; only 8/16/24/32-bit integer PCM and 32-bit float WAV can be processed`);
  }
  if (format.numChannels < 1 || format.sampleRate < 1) {
    throw new WavFormatError(`${what} has an invalid WAV header (${format.numChannels} channels at ${format.sampleRate} Hz)`);
  }
  const data = (wave.data as { samples: Uint8Array }).samples;
  const bytesPerSample = bits / 8;
  const count = Math.floor(data.length / (bytesPerSample * format.numChannels)) * format.numChannels;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const littleEndian = wave.container !== 'RIFX';
  const samples = new Float32Array(count);
  for (let index = 0; index < count; index += 1) samples[index] = readSample(view, index * bytesPerSample, float, bits, littleEndian);
  return { sampleRate: format.sampleRate, channels: format.numChannels, encoding: { float, bitsPerSample: bits }, samples };
}

/** Encodes audio as a canonical little-endian WAV (44-byte header) in its `encoding`, clamping to [-1, 1]. */
export function encodePcmWav(audio: PcmAudio): Uint8Array {
  const { float, bitsPerSample } = audio.encoding;
  const bytesPerSample = bitsPerSample / 8;
  const dataBytes = audio.samples.length * bytesPerSample;
  const output = new Uint8Array(44 + dataBytes + (dataBytes % 2));
  const view = new DataView(output.buffer);
  const text = (offset: number, value: string) => {
    for (let index = 0; index < value.length; index += 1) output[offset + index] = value.charCodeAt(index);
  };
  text(0, 'RIFF');
  view.setUint32(4, output.length - 8, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, float ? floatFormat : pcmFormat, true);
  view.setUint16(22, audio.channels, true);
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * audio.channels * bytesPerSample, true);
  view.setUint16(32, audio.channels * bytesPerSample, true);
  view.setUint16(34, bitsPerSample, true);
  text(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let index = 0; index < audio.samples.length; index += 1) {
    writeSample(view, 44 + index * bytesPerSample, Math.max(-1, Math.min(1, audio.samples[index]!)), float, bitsPerSample);
  }
  return output;
}

function readSample(view: DataView, offset: number, float: boolean, bits: number, littleEndian: boolean): number {
  if (float) return view.getFloat32(offset, littleEndian);
  switch (bits) {
    case 8:
      return (view.getUint8(offset) - 128) / 128; // 8-bit WAV is unsigned, centred on 128
    case 16:
      return view.getInt16(offset, littleEndian) / 32768;
    case 24:
      return littleEndian
        ? ((view.getInt8(offset + 2) << 16) | view.getUint16(offset, true)) / 8388608
        : ((view.getInt8(offset) << 16) | view.getUint16(offset + 1, false)) / 8388608;
    default:
      return view.getInt32(offset, littleEndian) / 2147483648;
  }
}

function writeSample(view: DataView, offset: number, value: number, float: boolean, bits: number): void {
  if (float) return view.setFloat32(offset, value, true);
  switch (bits) {
    case 8:
      return view.setUint8(offset, Math.round(value * 127) + 128);
    case 16:
      return view.setInt16(offset, Math.round(value * 32767), true);
    case 24: {
      const integer = Math.round(value * 8388607);
      view.setUint16(offset, integer & 0xffff, true);
      return view.setInt8(offset + 2, integer >> 16);
    }
    default:
      return view.setInt32(offset, Math.round(value * 2147483647), true);
  }
}
