import type { AudioFormat, JsonValue } from '../providers/provider-v1.js';
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './sha256.js';

/**
 * Bumped when voxform changes how it renders a line in a way that changes the audio, so every line is
 * re-rendered once. Part of every render key.
 */
export const RENDER_FORMAT_VERSION = 1;

export interface VoiceIdentity {
  provider: string;
  /** sha256 of the sample file's bytes; for a URL sample, of the URL. */
  sampleDigest: string;
  /** Digest of the prompt sample, and its transcript, when there is one. */
  prompt?: { sampleDigest: string; text: string };
  language?: string;
  options: Record<string, JsonValue>;
}

/** The fingerprint of everything that shapes a cloned voice: change any part and it must be replaced. */
export function voiceFingerprint(voice: VoiceIdentity): string {
  return sha256Hex(
    canonicalJson({
      provider: voice.provider,
      sample: voice.sampleDigest,
      prompt: voice.prompt ? { sample: voice.prompt.sampleDigest, text: voice.prompt.text } : null,
      language: voice.language ?? null,
      options: voice.options,
    }),
  );
}

/** Unicode NFC and trimmed: how a line's text is compared, billed and sent. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').trim();
}

/** Characters as vendors count them: Unicode code points, not UTF-16 units. */
export function countCharacters(text: string): number {
  let count = 0;
  for (const _codePoint of text) count++;
  return count;
}

export interface RenderIdentity {
  voiceFingerprint: string;
  /** Already normalised with `normalizeText`. */
  text: string;
  options: Record<string, JsonValue>;
  format: AudioFormat;
  /** The lexicon entries the line uses (`ResolvedLine.lexicon`); absent or empty when none. */
  lexicon?: Record<string, string>;
  /**
   * The pieces the text is rendered in when it is longer than one call takes (`splitText`); absent or
   * a single piece when it is one call. Part of the key: a different split is different audio.
   */
  pieces?: string[];
}

/** The content address of a rendered line: same key, same audio — whatever the line is called or where it lives. */
export function renderKey(render: RenderIdentity): string {
  return sha256Hex(
    canonicalJson({
      voice: render.voiceFingerprint,
      text: render.text,
      options: render.options,
      format: render.format,
      renderFormatVersion: RENDER_FORMAT_VERSION,
      // Only when there is one, so that lines no lexicon touches keep the keys they always had.
      ...(render.lexicon && Object.keys(render.lexicon).length > 0 ? { lexicon: render.lexicon } : {}),
      // Only when split, so the keys of lines rendered in one call stay what they always were.
      ...(render.pieces && render.pieces.length > 1 ? { pieces: render.pieces } : {}),
    }),
  );
}
