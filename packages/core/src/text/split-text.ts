import { countCharacters } from '../identity/fingerprint.js';

/**
 * Splits `text` (normalised) into pieces of at most `maxLength` code points, each to be rendered by
 * its own synthesis call and joined again: at sentence boundaries where it can, else at clause
 * boundaries (`,` `;` `:` dashes), else between words, and only as a last resort inside a word.
 * Neighbouring units are packed greedily into each piece, so a piece ends at the latest boundary
 * that fits. Deterministic: the same text and limit always give the same pieces (they are part of
 * the line's render key). Text that fits is returned as one piece.
 */
export function splitText(text: string, maxLength: number, locale?: string): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`maxLength must be a positive integer, got ${maxLength}`);
  if (countCharacters(text) <= maxLength) return [text];
  const pieces: string[] = [];
  let current = '';
  const flush = () => {
    const piece = current.trim();
    if (piece !== '') pieces.push(piece);
    current = '';
  };
  for (const unit of units(text, maxLength, locale)) {
    if (countCharacters((current + unit).trim()) <= maxLength) {
      current += unit;
    } else {
      flush();
      current = unit;
    }
  }
  flush();
  return pieces;
}

/** Sentences, each further cut into clauses, words or graphemes until every unit fits. */
function* units(text: string, maxLength: number, locale: string | undefined): Generator<string> {
  for (const sentence of segments(text, 'sentence', locale)) {
    if (countCharacters(sentence.trim()) <= maxLength) {
      yield sentence;
      continue;
    }
    for (const clause of clauses(sentence)) {
      if (countCharacters(clause.trim()) <= maxLength) {
        yield clause;
        continue;
      }
      for (const word of wordsWithSpace(clause, locale)) {
        if (countCharacters(word.trim()) <= maxLength) yield word;
        else yield* segments(word, 'grapheme', locale);
      }
    }
  }
}

function segments(text: string, granularity: 'sentence' | 'grapheme', locale: string | undefined): string[] {
  return Array.from(new Intl.Segmenter(locale, { granularity }).segment(text), (segment) => segment.segment);
}

// A clause ends after a comma, semicolon, colon or dash (ASCII and the common CJK forms), with the
// spaces that follow it kept on it, so joining the clauses gives back the sentence.
const clauseEnd = /(?<=[,;:\u2013\u2014\u3001\uff0c\uff1b\uff1a])\s*/u;

function clauses(sentence: string): string[] {
  const result: string[] = [];
  let rest = sentence;
  for (;;) {
    const match = clauseEnd.exec(rest);
    if (!match || match.index + match[0].length >= rest.length) break;
    const end = match.index + match[0].length;
    result.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  result.push(rest);
  return result;
}

/** Words with the spaces and punctuation after them, so joining them gives back the clause. */
function wordsWithSpace(clause: string, locale: string | undefined): string[] {
  const result: string[] = [];
  for (const segment of new Intl.Segmenter(locale, { granularity: 'word' }).segment(clause)) {
    if (segment.isWordLike || result.length === 0) result.push(segment.segment);
    else result[result.length - 1] += segment.segment;
  }
  return result;
}
