import { describe, expect, it } from 'vitest';
import { sampleFilePart } from './sample-file-part.js';

describe('sampleFilePart', () => {
  const data = new Uint8Array([1, 2, 3]);

  it('names the part after the sample, with its content type', () => {
    expect(sampleFilePart({ location: '/project/samples/caller.wav' }, data)).toEqual({ data, filename: 'caller.wav', contentType: 'audio/wav' });
    expect(sampleFilePart({ location: 'https://cdn.test/voices/host%20one.mp3?sig=1' }, data)).toEqual({ data, filename: 'host one.mp3', contentType: 'audio/mpeg' });
  });

  it('adds the format\'s extension when the name lacks it', () => {
    expect(sampleFilePart({ location: 'https://cdn.test/download/42', format: 'm4a' }, data)).toEqual({ data, filename: '42.m4a', contentType: 'audio/mp4' });
  });

  it('falls back to a plain name and no content type when nothing is known', () => {
    expect(sampleFilePart({ location: 'https://cdn.test/' }, data)).toEqual({ data, filename: 'sample' });
  });
});
