import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countCharacters } from '../identity/fingerprint.js';
import { splitText } from './split-text.js';

const withoutSpace = (text: string) => text.replace(/\s+/gu, '');

describe('splitText', () => {
  it('keeps text that fits as one piece', () => {
    expect(splitText('A short line.', 100)).toEqual(['A short line.']);
  });

  it('splits at sentence boundaries first, packing sentences into each piece', () => {
    const text = 'One two three. Four five six. Seven eight nine. Ten eleven.';
    expect(splitText(text, 30)).toEqual(['One two three. Four five six.', 'Seven eight nine. Ten eleven.']);
  });

  it('splits a sentence too long for the limit at clauses, then words', () => {
    const text = 'The keeper climbed the stairs, lit the lamp, and waited for the boat that never came.';
    expect(splitText(text, 40)).toEqual(['The keeper climbed the stairs,', 'lit the lamp,', 'and waited for the boat that never came.']);
    expect(splitText('alpha beta gamma delta', 11)).toEqual(['alpha beta', 'gamma delta']);
  });

  it('cuts inside a word only when the word alone is longer than the limit', () => {
    expect(splitText('Supercalifragilistic day', 8)).toEqual(['Supercal', 'ifragili', 'stic day']);
  });

  it('counts code points, as vendors do, and never cuts a character in two', () => {
    const pieces = splitText('😀😀😀 😀😀😀', 4);
    expect(pieces).toEqual(['😀😀😀', '😀😀😀']);
  });

  it('splits Chinese at its full stops', () => {
    expect(splitText('今天天气很好。我们去公园散步吧。', 9)).toEqual(['今天天气很好。', '我们去公园散步吧。']);
  });

  it('always gives pieces within the limit that together hold the whole text, in order', () => {
    const word = fc.stringMatching(/^[a-zA-Z]{1,15}$/);
    const punctuation = fc.constantFrom(' ', ' ', ' ', ', ', '. ', '; ', '! ', ' — ');
    const text = fc.array(fc.tuple(word, punctuation), { minLength: 1, maxLength: 120 }).map((parts) => parts.map(([w, p]) => w + p).join('').trim());
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 200 }), (input, limit) => {
        const pieces = splitText(input, limit);
        for (const piece of pieces) {
          expect(countCharacters(piece)).toBeLessThanOrEqual(limit);
          expect(piece).toBe(piece.trim());
          expect(piece).not.toBe('');
        }
        expect(withoutSpace(pieces.join(''))).toBe(withoutSpace(input));
        expect(splitText(input, limit)).toEqual(pieces);
      }),
    );
  });
});
