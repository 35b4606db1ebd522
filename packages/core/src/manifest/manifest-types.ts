import type { ProviderPricing } from '../plan/estimate-cost.js';
import type { AudioFormat, JsonValue } from '../providers/provider-v1.js';

/*
 * Two shapes of the manifest: the written one (what `voices.yaml` says, described field by field in
 * schemas/voices.schema.json) and the resolved one the planner works on, with defaults applied,
 * shorthand lines expanded, `from:` files read and every line given its address.
 */

export interface ManifestDocument {
  version: 1;
  output?: { dir?: string; format?: AudioFormat; path?: string; loudness?: LoudnessSetting };
  providers?: Record<string, ProviderBlock>;
  defaults?: { voice?: string; provider?: string };
  /** Word → what to say instead, for every voice (rules in `lexicon/lexicon.ts` and the schema). */
  lexicon?: Record<string, string>;
  voices: Record<string, VoiceDefinition>;
  scripts: Record<string, ScriptDefinition>;
  books?: Record<string, BookDefinition>;
}

export interface BookDefinition {
  title?: string;
  chapters: string[];
  path?: string;
  bitrate?: number;
}

/** A whole book: assembled chapters joined into one M4B with chapter markers (built with ffmpeg). */
export interface ResolvedBook {
  /** `book.<name>`: its address in plans and its key in voices.lock's assemblies. */
  address: string;
  name: string;
  title: string;
  file: string;
  /** Script names of the chapters, in reading order. */
  chapters: string[];
  /** AAC bit rate, kbit/s. */
  bitrate: number;
}

export interface ProviderBlock {
  apiKey?: string;
  baseUrl?: string;
  region?: 'global' | 'cn';
  concurrency?: number;
  requestsPerMinute?: number;
  maxTextLength?: number;
  options?: Record<string, JsonValue>;
  pricing?: ProviderPricing;
}

export interface VoiceDefinition {
  provider?: string;
  sample: string;
  prompt?: { sample: string; text: string };
  language?: string;
  /** This voice's lexicon, overriding global entries with the same key. */
  lexicon?: Record<string, string>;
  description?: string;
  options?: Record<string, JsonValue>;
}

export interface ScriptDefinition {
  lines?: LineDefinition[];
  from?: string;
  voice?: string;
  options?: Record<string, JsonValue>;
  assemble?: boolean | { lineGapMs?: number; paragraphGapMs?: number; path?: string };
  loudness?: LoudnessSetting;
}

/** `loudness: -18` or `loudness: { target: -18, truePeak: -1 }`. */
export type LoudnessSetting = number | { target: number; truePeak?: number };

export type LineDefinition =
  | string
  | { [voice: string]: string }
  | { id?: string; voice?: string; text: string; options?: Record<string, JsonValue> };

/** Where something was written: file and 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** A sample as the manifest names it: a path relative to the manifest, or an http(s) URL. */
export interface SampleReference {
  source: 'file' | 'url';
  /** The path relative to the manifest's folder (forward slashes), or the URL. */
  location: string;
}

export interface ResolvedVoice {
  name: string;
  provider: string;
  sample: SampleReference;
  prompt?: { sample: SampleReference; text: string };
  language?: string;
  options: Record<string, JsonValue>;
  position: SourcePosition;
}

export interface ResolvedLine {
  /** `<script>/<id>`: the line's `id:`, or else its 1-based position as four digits. */
  address: string;
  script: string;
  id: string;
  /** 1-based position in its script. */
  index: number;
  voice: string;
  /** NFC-normalised and trimmed. */
  text: string;
  /** The script's options with the line's own on top. */
  options: Record<string, JsonValue>;
  /**
   * The lexicon entries (global, overridden by the voice's) that occur in `text`; absent when none do.
   * Part of the render key; applied to the text, or sent as the vendor's own dictionary.
   */
  lexicon?: Record<string, string>;
  /**
   * The text the vendor is sent and bills, when the lexicon changed it (providers without a native
   * pronunciation dictionary); absent when that is `text` itself.
   */
  spokenText?: string;
  position: SourcePosition;
  /** Output container: `output.format`, or the provider's first format. */
  format: AudioFormat;
  /** Output path relative to the manifest's folder, with forward slashes. */
  file: string;
  /**
   * Set when the text is longer than its provider takes in one call: the pieces (`splitText`) rendered
   * separately and joined into the one output file. Absent when the line is one call.
   */
  pieces?: string[];
}

/** A script's chapter file: its lines joined with gaps, optionally brought to a loudness target. */
export interface ResolvedAssembly {
  /** The script's name: also the assembly's address in plans and in voices.lock. */
  address: string;
  script: string;
  /** Output path relative to the manifest's folder. */
  file: string;
  format: AudioFormat;
  /** The lines joined, in order, each with the silence before it (0 for the first). */
  parts: Array<{ address: string; gapBeforeMs: number }>;
  loudness?: { target: number; truePeak: number };
}

export interface ResolvedProviderSettings {
  /** Name of the environment variable the key is read from (`MINIMAX_API_KEY`); never the key itself. */
  apiKeyEnv?: string;
  baseUrl?: string;
  region?: 'global' | 'cn';
  concurrency?: number;
  requestsPerMinute?: number;
  /** `providers.<id>.maxTextLength`: a lower text limit per call than the provider's own. */
  maxTextLength?: number;
  /** Provider-specific settings, checked against the provider's `settingsSchema`. */
  options?: Record<string, JsonValue>;
  /** `providers.<id>.pricing`, for plan's cost estimate. */
  pricing?: ProviderPricing;
}

export interface ResolvedManifest {
  /** The manifest's path as the caller named it, for messages. */
  file: string;
  output: { dir: string; format?: AudioFormat; path: string };
  providers: Record<string, ResolvedProviderSettings>;
  voices: Record<string, ResolvedVoice>;
  /** Script names in the order the manifest lists them. */
  scripts: string[];
  /** Every line of every script, in manifest order. */
  lines: ResolvedLine[];
  /** The chapters to assemble (scripts with `assemble`), in manifest order. */
  assemblies: ResolvedAssembly[];
  /** The books to build from those chapters. */
  books: ResolvedBook[];
}

export const MANIFEST_DEFAULTS = {
  outputDir: 'out',
  assemblyPath: '{script}.{ext}',
  bookPath: '{book}.m4b',
  bookBitrate: 64,
  lineGapMs: 400,
  paragraphGapMs: 1000,
  truePeak: -1,
  outputPath: '{script}/{index}-{line}.{ext}',
  provider: 'local',
} as const;
