/*
 * Pronunciation lexicon: `lexicon:` maps a word to what should be said instead (a replacement or a
 * phonetic spelling). The rules, documented in schemas/voices.schema.json:
 * - whole words only: a key whose first (last) character is a letter or digit does not match when the
 *   text has a letter, digit or combining mark right before (after) it. Scripts written without spaces
 *   (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) have no word boundaries to check, so keys in
 *   them match anywhere;
 * - smart case: an all-lowercase key matches any capitalisation ("nguyen" matches "Nguyen", "NGUYEN");
 *   a key with a capital letter matches exactly ("US" does not match "us");
 * - one pass, longest key first: a replacement is never itself looked up again;
 * - keys and text are compared in Unicode NFC.
 */

/** Word → what to say instead, as the manifest writes it (global merged with the voice's own). */
export type Lexicon = Record<string, string>;

const wordCharacter = /[\p{L}\p{N}\p{M}]/u;
const unspacedScript = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

interface CompiledLexicon {
  pattern: RegExp;
  /** Exact (case-sensitive) keys, and all-lowercase keys by their lower-case form. */
  exact: Map<string, string>;
  anyCase: Map<string, [string, string]>;
}

const compiled = new WeakMap<Lexicon, CompiledLexicon>();

function compile(lexicon: Lexicon): CompiledLexicon | undefined {
  const entries = Object.entries(lexicon)
    .filter(([key]) => key.trim() !== '')
    .map(([key, replacement]) => [key.normalize('NFC'), replacement] as const);
  if (entries.length === 0) return undefined;
  let found = compiled.get(lexicon);
  if (found) return found;
  const exact = new Map<string, string>();
  const anyCase = new Map<string, [string, string]>();
  const alternatives: string[] = [];
  // Longest first, so that "New York City" wins over "New York" where both match.
  for (const [key, replacement] of entries.sort(([a], [b]) => [...b].length - [...a].length || (a < b ? -1 : 1))) {
    if (key === key.toLowerCase() && key !== key.toUpperCase()) anyCase.set(key.toLowerCase(), [key, replacement]);
    else exact.set(key, replacement);
    const first = [...key][0]!;
    const last = [...key].at(-1)!;
    const before = wordCharacter.test(first) && !unspacedScript.test(first) ? '(?<![\\p{L}\\p{N}\\p{M}])' : '';
    const after = wordCharacter.test(last) && !unspacedScript.test(last) ? '(?![\\p{L}\\p{N}\\p{M}])' : '';
    alternatives.push(`${before}${escapeRegExp(key)}${after}`);
  }
  found = { pattern: new RegExp(alternatives.join('|'), 'giu'), exact, anyCase };
  compiled.set(lexicon, found);
  return found;
}

/** The key a match stands for under the smart-case rule, or undefined when its case rules it out. */
function keyOf(compiledLexicon: CompiledLexicon, matched: string): [string, string] | undefined {
  const exact = compiledLexicon.exact.get(matched);
  if (exact !== undefined) return [matched, exact];
  return compiledLexicon.anyCase.get(matched.toLowerCase());
}

/** The entries of `lexicon` that occur in `text` (keyed as the lexicon writes them, NFC), in key order. */
export function lexiconEntriesIn(text: string, lexicon: Lexicon): Lexicon {
  const compiledLexicon = compile(lexicon);
  if (!compiledLexicon) return {};
  const entries: Lexicon = {};
  for (const match of text.normalize('NFC').matchAll(compiledLexicon.pattern)) {
    const entry = keyOf(compiledLexicon, match[0]);
    if (entry) entries[entry[0]] = entry[1];
  }
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `text` with every lexicon word replaced by what to say instead. */
export function applyLexicon(text: string, lexicon: Lexicon): string {
  const compiledLexicon = compile(lexicon);
  if (!compiledLexicon) return text;
  return text.normalize('NFC').replace(compiledLexicon.pattern, (matched) => keyOf(compiledLexicon, matched)?.[1] ?? matched);
}

/** The lexicon a voice speaks with: the global entries, overridden by the voice's own. */
export function mergeLexicons(global: Lexicon | undefined, voice: Lexicon | undefined): Lexicon {
  const merged: Lexicon = {};
  for (const [key, value] of [...Object.entries(global ?? {}), ...Object.entries(voice ?? {})]) merged[key.normalize('NFC')] = value.normalize('NFC');
  return merged;
}

/**
 * What a line sends to its vendor: with a native pronunciation dictionary the text as written (the
 * dictionary travels beside it), otherwise the text with the lexicon applied.
 */
export function spokenText(line: { text: string; lexicon?: Lexicon }, nativeDictionary: boolean): string {
  return line.lexicon && !nativeDictionary ? applyLexicon(line.text, line.lexicon) : line.text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
