/**
 * Joins MP3 pieces of one line by concatenating their MPEG audio frames: ID3v2/ID3v1 tags and the
 * Xing/Info/VBRI header frame of every piece are dropped (their frame counts would describe one
 * piece, not the whole), everything else is kept byte for byte. All pieces must share the MPEG
 * version, sample rate and channel mode. (Each piece keeps its encoder delay and padding: a few
 * tens of milliseconds of silence at a join, which is not a click.)
 */
export function joinMp3(pieces: Uint8Array[]): Uint8Array {
  if (pieces.length === 0) throw new Error('joinMp3 needs at least one piece');
  const frameLists = pieces.map((bytes, index) => mp3Frames(bytes, `piece ${index + 1}`));
  const reference = frameLists[0]![0]!;
  frameLists.forEach((frames, index) => {
    const header = frames[0]!;
    if (header.sampleRate !== reference.sampleRate || header.version !== reference.version || header.mono !== reference.mono) {
      throw new Error(
        `piece ${index + 1} is MPEG ${header.version} at ${header.sampleRate} Hz ${header.mono ? 'mono' : 'stereo'} but piece 1 is MPEG ${reference.version} at ${reference.sampleRate} Hz ${reference.mono ? 'mono' : 'stereo'}: the provider returned pieces of one line in different formats, which cannot be joined`,
      );
    }
  });
  const kept = frameLists.flatMap((frames, index) => frames.filter((frame) => !frame.isInfo).map((frame) => pieces[index]!.subarray(frame.offset, frame.offset + frame.length)));
  const output = new Uint8Array(kept.reduce((sum, frame) => sum + frame.length, 0));
  let at = 0;
  for (const frame of kept) {
    output.set(frame, at);
    at += frame.length;
  }
  return output;
}

export interface Mp3Frame {
  offset: number;
  length: number;
  version: '1' | '2' | '2.5';
  sampleRate: number;
  mono: boolean;
  /** A Xing, Info or VBRI header frame: describes the stream, holds no audio. */
  isInfo: boolean;
}

const bitrates: Record<string, number[]> = {
  'V1L1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  'V1L2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  'V1L3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  'V2L1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  'V2L2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  'V2L3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const sampleRates: Record<string, number[]> = { '1': [44100, 48000, 32000], '2': [22050, 24000, 16000], '2.5': [11025, 12000, 8000] };

/** The MPEG audio frames of an MP3 file, after any ID3v2 tag and up to any ID3v1 tag. */
export function mp3Frames(bytes: Uint8Array, what = 'the audio'): Mp3Frame[] {
  let offset = 0;
  // ID3v2: "ID3", version (2), flags, size as four 7-bit bytes; a footer adds 10 more.
  while (offset + 10 <= bytes.length && bytes[offset] === 0x49 && bytes[offset + 1] === 0x44 && bytes[offset + 2] === 0x33) {
    const size = ((bytes[offset + 6]! & 0x7f) << 21) | ((bytes[offset + 7]! & 0x7f) << 14) | ((bytes[offset + 8]! & 0x7f) << 7) | (bytes[offset + 9]! & 0x7f);
    offset += 10 + size + ((bytes[offset + 5]! & 0x10) !== 0 ? 10 : 0);
  }
  let end = bytes.length;
  if (end - offset >= 128 && bytes[end - 128] === 0x54 && bytes[end - 127] === 0x41 && bytes[end - 126] === 0x47) end -= 128; // "TAG"
  const frames: Mp3Frame[] = [];
  while (offset + 4 <= end) {
    const frame = parseHeader(bytes, offset);
    if (!frame || offset + frame.length > end) {
      if (frames.length === 0) throw new Error(`${what} is not MP3: no MPEG audio frame at byte ${offset}`);
      break; // trailing junk or a cut-off last frame: stop at the last whole frame
    }
    if (frames.length === 0) frame.isInfo = hasInfoTag(bytes.subarray(offset, offset + Math.min(frame.length, 64)));
    frames.push(frame);
    offset += frame.length;
  }
  if (frames.length === 0) throw new Error(`${what} holds no MPEG audio frame`);
  return frames;
}

function parseHeader(bytes: Uint8Array, offset: number): Mp3Frame | undefined {
  const b1 = bytes[offset]!;
  const b2 = bytes[offset + 1]!;
  const b3 = bytes[offset + 2]!;
  const b4 = bytes[offset + 3]!;
  if (b1 !== 0xff || (b2 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b2 >> 3) & 3;
  const layerBits = (b2 >> 1) & 3;
  if (versionBits === 1 || layerBits === 0) return undefined;
  const version = versionBits === 3 ? '1' : versionBits === 2 ? '2' : '2.5';
  const layer = 4 - layerBits;
  const bitrate = bitrates[`V${version === '1' ? 1 : 2}L${layer}`]![(b3 >> 4) & 15];
  const sampleRate = sampleRates[version]![(b3 >> 2) & 3];
  if (!bitrate || !sampleRate) return undefined; // free format or a reserved value
  const padding = (b3 >> 1) & 1;
  const length =
    layer === 1
      ? (Math.floor((12 * bitrate * 1000) / sampleRate) + padding) * 4
      : Math.floor(((layer === 3 && version !== '1' ? 72 : 144) * bitrate * 1000) / sampleRate) + padding;
  return { offset, length, version, sampleRate, mono: ((b4 >> 6) & 3) === 3, isInfo: false };
}

function hasInfoTag(frame: Uint8Array): boolean {
  const text = String.fromCharCode(...frame);
  return text.includes('Xing') || text.includes('Info') || text.includes('VBRI');
}
