import { describe, expect, it } from 'vitest';
import { matchesAddress } from './address.js';

describe('matchesAddress', () => {
  it.each([
    ['voice.narrator', 'voice.narrator', true],
    ['voice.narrator', 'voice.narrator2', false],
    ['voice.*', 'voice.villain', true],
    ['voice.*', 'chapter-01/0001', false],
    ['chapter-01/0003', 'chapter-01/0003', true],
    ['chapter-01/0003', 'chapter-01/00031', false],
    ['chapter-01/*', 'chapter-01/villain-laugh', true],
    ['chapter-01/*', 'chapter-02/0001', false],
    ['chapter-01', 'chapter-01/0001', true],
    ['chapter-01', 'chapter-010/0001', false],
    ['chapter-*/0001', 'chapter-02/0001', true],
    ['*/0001', 'intro/0001', true],
    ['chapter.01/*', 'chapterX01/0001', false],
    ['voice.narrator', 'voiceXnarrator', false],
  ])('%s selects %s: %s', (pattern, address, expected) => {
    expect(matchesAddress(pattern, address)).toBe(expected);
  });
});
