import { Mp3Encoder } from '@breezystack/lamejs';
import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { joinMp3, mp3Frames } from './join-mp3.js';

function encodeTone(seconds: number, sampleRate = 22050): Uint8Array {
  const samples = new Int16Array(Math.round(seconds * sampleRate));
  for (let index = 0; index < samples.length; index += 1) samples[index] = Math.round(12000 * Math.sin((2 * Math.PI * 330 * index) / sampleRate));
  const encoder = new Mp3Encoder(1, sampleRate, 64);
  const chunks = [encoder.encodeBuffer(samples), encoder.flush()];
  return Uint8Array.from(chunks.flatMap((chunk) => Array.from(chunk)));
}

function withTags(mp3: Uint8Array): Uint8Array {
  const id3v2 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5]);
  const id3v1 = new Uint8Array(128);
  id3v1.set([0x54, 0x41, 0x47]);
  return Uint8Array.from([...id3v2, ...mp3, ...id3v1]);
}

describe('joinMp3', () => {
  it('concatenates the frames of every piece, dropping ID3 tags, into one stream as long as the pieces', async () => {
    const first = encodeTone(1.0);
    const second = encodeTone(1.5);
    const joined = joinMp3([withTags(first), withTags(second)]);
    expect(mp3Frames(joined)).toHaveLength(mp3Frames(first).length + mp3Frames(second).length);
    expect(joined[0]).toBe(0xff);
    const { format } = await parseBuffer(joined, { mimeType: 'audio/mpeg' }, { duration: true });
    expect(format.duration).toBeGreaterThan(2.45);
    expect(format.duration).toBeLessThan(2.7);
  });

  it('drops a Xing header frame, which would give the joined stream the first piece\'s length', () => {
    const tone = encodeTone(0.5);
    const [header] = mp3Frames(tone);
    const xingFrame = tone.slice(header!.offset, header!.offset + header!.length);
    xingFrame.fill(0, 4);
    xingFrame.set([0x58, 0x69, 0x6e, 0x67], 21); // "Xing" after a mono MPEG-2 side info
    const joined = joinMp3([Uint8Array.from([...xingFrame, ...tone]), tone]);
    expect(joined.length).toBe(2 * tone.length);
  });

  it('refuses pieces at different sample rates', () => {
    expect(() => joinMp3([encodeTone(0.3), encodeTone(0.3, 16000)])).toThrow(/piece 2 is MPEG 2 at 16000 Hz mono but piece 1 is MPEG 2 at 22050 Hz mono/);
  });

  it('says when a piece is not MP3', () => {
    expect(() => joinMp3([new TextEncoder().encode('RIFF....WAVEfmt ')])).toThrow(/piece 1 is not MP3/);
  });
});
