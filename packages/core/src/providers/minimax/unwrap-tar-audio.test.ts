import { describe, expect, it } from 'vitest';
import { unwrapTarAudio } from './unwrap-tar-audio.js';

const encoder = new TextEncoder();
const mp3 = Uint8Array.from({ length: 1500 }, (_, index) => (index * 7) % 256);

/** A POSIX tar archive holding `entries` (type `0` files, or the given type flag). */
function tarOf(entries: Array<{ name: string; data: Uint8Array; type?: string }>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { name, data, type = '0' } of entries) {
    const header = new Uint8Array(512);
    const write = (offset: number, text: string) => header.set(encoder.encode(text), offset);
    write(0, name);
    write(100, '0000644\0');
    write(124, `${data.length.toString(8).padStart(11, '0')}\0`);
    write(136, '00000000000\0');
    write(156, type);
    write(257, 'ustar\0');
    write(263, '00');
    write(148, '        ');
    write(148, `${header.reduce((total, byte) => total + byte, 0).toString(8).padStart(6, '0')}\0 `);
    const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
    body.set(data);
    parts.push(header, body);
  }
  parts.push(new Uint8Array(1024));
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** `bytes` as a stream of pieces of `size` bytes. */
function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

async function read(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('unwrapTarAudio', () => {
  it.each([1, 100, 512, 4096])('passes bare audio through unchanged (pieces of %i bytes)', async (size) => {
    expect(await read(unwrapTarAudio(streamOf(mp3, size)))).toEqual(mp3);
  });

  it('passes through audio shorter than a tar block', async () => {
    const short = mp3.subarray(0, 100);
    expect(await read(unwrapTarAudio(streamOf(short, 7)))).toEqual(short);
  });

  it.each([1, 333, 512, 100_000])('takes the mp3 out of a tar after other entries (pieces of %i bytes)', async (size) => {
    const archive = tarOf([
      { name: 'PaxHeader', data: encoder.encode('30 path=output/95157322514444.mp3\n'), type: 'x' },
      { name: '95157322514444.json', data: encoder.encode('{"audio_length": 2870}') },
      { name: 'output/95157322514444.mp3', data: mp3 },
      { name: '95157322514444.srt', data: encoder.encode('1\n00:00:00,000 --> 00:00:02,870\nHello\n') },
    ]);
    expect(await read(unwrapTarAudio(streamOf(archive, size)))).toEqual(mp3);
  });

  it('takes a wav too', async () => {
    expect(await read(unwrapTarAudio(streamOf(tarOf([{ name: 'audio.WAV', data: mp3 }]), 64)))).toEqual(mp3);
  });

  it('fails on a tar without audio', async () => {
    await expect(read(unwrapTarAudio(streamOf(tarOf([{ name: 'a.json', data: encoder.encode('{}') }]), 512)))).rejects.toThrow(
      'tar archive without an mp3 or wav file',
    );
  });

  it('fails on a truncated tar', async () => {
    const archive = tarOf([{ name: 'a.mp3', data: mp3 }]);
    await expect(read(unwrapTarAudio(streamOf(archive.subarray(0, 900), 512)))).rejects.toThrow('truncated');
  });

  it('does not mistake audio with "ustar" at byte 257 for a tar (the checksum differs)', async () => {
    const tricky = mp3.slice();
    tricky.set(encoder.encode('ustar'), 257);
    expect(await read(unwrapTarAudio(streamOf(tricky, 50)))).toEqual(tricky);
  });
});
