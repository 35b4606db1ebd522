import { describe, expect, it } from 'vitest';
import { applyLexicon, lexiconEntriesIn, mergeLexicons, spokenText } from './lexicon.js';

describe('applyLexicon', () => {
  it('replaces whole words only', () => {
    const lexicon = { cat: 'kat' };
    expect(applyLexicon('The cat sat. Catalogue, concat, cat.', lexicon)).toBe('The kat sat. Catalogue, concat, kat.');
  });

  it('treats accented letters and combining marks as part of a word', () => {
    expect(applyLexicon('café cafés', { café: 'ka-FAY' })).toBe('ka-FAY cafés');
    // "e" + combining acute (NFD) is the same word as "é" once normalised.
    expect(applyLexicon('cafe\u0301 au lait', { café: 'ka-FAY' })).toBe('ka-FAY au lait');
    expect(applyLexicon('naïve naïveté', { naïve: 'nah-EEV' })).toBe('nah-EEV naïveté');
  });

  it('lower-case keys match any capitalisation; keys with a capital match exactly', () => {
    const lexicon = { nguyen: 'win', US: 'United States' };
    expect(applyLexicon('Nguyen met NGUYEN and nguyen.', lexicon)).toBe('win met win and win.');
    expect(applyLexicon('The US told us.', lexicon)).toBe('The United States told us.');
  });

  it('prefers the longest key and never re-replaces a replacement', () => {
    const lexicon = { 'New York': 'Noo York', 'New York City': 'the city', Noo: 'wrong' };
    expect(applyLexicon('New York City is in New York.', lexicon)).toBe('the city is in Noo York.');
  });

  it('matches keys in scripts without spaces anywhere, and keys with punctuation literally', () => {
    expect(applyLexicon('他说燕少飞来了', { 燕少飞: '(yan4)(shao3)(fei1)' })).toBe('他说(yan4)(shao3)(fei1)来了');
    expect(applyLexicon('I write C++ and C.', { 'C++': 'C plus plus' })).toBe('I write C plus plus and C.');
    expect(applyLexicon('a (b) [c]', { '(b)': 'bee', '[c]': 'see' })).toBe('a bee see');
  });
});

describe('lexiconEntriesIn', () => {
  it('lists only the entries the text uses, sorted by key', () => {
    const lexicon = { zeta: 'zay-ta', alpha: 'al-fa', omega: 'oh-MAY-ga' };
    expect(lexiconEntriesIn('Omega and alpha.', lexicon)).toEqual({ alpha: 'al-fa', omega: 'oh-MAY-ga' });
    expect(Object.keys(lexiconEntriesIn('Omega and alpha.', lexicon))).toEqual(['alpha', 'omega']);
    expect(lexiconEntriesIn('Nothing here.', lexicon)).toEqual({});
    expect(lexiconEntriesIn('The us.', { US: 'United States' })).toEqual({});
  });
});

describe('mergeLexicons and spokenText', () => {
  it('lets the voice override the global lexicon', () => {
    expect(mergeLexicons({ tomato: 'to-MAH-to', potato: 'po-TAY-to' }, { tomato: 'to-MAY-to' })).toEqual({ tomato: 'to-MAY-to', potato: 'po-TAY-to' });
  });

  it('sends the text as written when the vendor takes a dictionary natively', () => {
    const line = { text: 'Say tomato.', lexicon: { tomato: 'to-MAY-to' } };
    expect(spokenText(line, false)).toBe('Say to-MAY-to.');
    expect(spokenText(line, true)).toBe('Say tomato.');
    expect(spokenText({ text: 'Say tomato.' }, false)).toBe('Say tomato.');
  });
});
