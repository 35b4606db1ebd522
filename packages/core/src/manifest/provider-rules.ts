import { countCharacters } from '../identity/fingerprint.js';
import type { JsonValue, ProviderCapabilities, ProviderV1 } from '../providers/provider-v1.js';
import { validateWithSchema } from '../validation/schema-validator.js';
import { schemaProblems, type SchemaProblem } from '../yaml/schema-diagnostics.js';
import { formatPath, type PathSegment } from '../yaml/yaml-source.js';

// What a provider accepts, as problems worded once: `voxform validate` places them in voices.yaml, the
// clone handler answers them as a 400. Both must say the same thing.

/** Problems of voice or line `options` against the provider's schema; `prefix` is where the options are. */
export function optionProblems(provider: ProviderV1, kind: 'voice' | 'line', options: Record<string, JsonValue>, prefix: readonly PathSegment[]): SchemaProblem[] {
  const schema = kind === 'voice' ? provider.voiceOptionsSchema : provider.lineOptionsSchema;
  const { valid, errors } = validateWithSchema(schema, options);
  if (valid) return [];
  const seen = new Set<string>();
  return schemaProblems(errors, options, { prefix })
    .map((problem) => ({ ...problem, message: problem.message.replace(/^unknown property/, `unknown ${kind} option for ${provider.id}:`) }))
    .filter((problem) => {
      const identity = `${formatPath(problem.path)}\n${problem.message}`;
      if (seen.has(identity)) return false;
      seen.add(identity);
      return true;
    });
}

/** Why a sample from `source` cannot be given to this provider, or undefined when it can. */
export function sampleSourceProblem(provider: ProviderV1, source: 'file' | 'url'): string | undefined {
  if (provider.capabilities.sample.sources.includes(source)) return undefined;
  return source === 'url'
    ? `${provider.displayName} needs the sample as a local file, not a URL: download it into the project and give its path`
    : `${provider.displayName} takes the sample only as an http(s) URL it can fetch: host the file and give its URL`;
}

/** Why the provider cannot speak this text (nothing to speak, too long), or undefined when it can. `text` is normalised. */
export function textProblem(provider: ProviderV1, text: string): string | undefined {
  const unspeakable = unspeakableTextProblem(text);
  if (unspeakable) return unspeakable;
  const characters = countCharacters(text);
  if (characters > provider.capabilities.maxTextLength) {
    return `text is ${characters} characters; ${provider.displayName} takes at most ${provider.capabilities.maxTextLength} per line: split it into several lines`;
  }
  return undefined;
}

// A letter or digit in any script. Punctuation, symbols and invisible format characters (\p{Cf}: zero-width
// spaces, direction marks) alone give a vendor nothing to say, yet are sent and billed as a line.
const speakable = /[\p{L}\p{N}]/u;

/** Whether the text has a letter or digit to say. */
export function hasSomethingToSay(text: string): boolean {
  return speakable.test(text);
}

/**
 * Why this text is no line to speak: empty, or without a letter or digit. Undefined when it has words.
 * `text` is normalised (`normalizeText`).
 */
export function unspeakableTextProblem(text: string): string | undefined {
  if (text === '') return 'line has no text';
  if (!hasSomethingToSay(text)) return `line has nothing to speak ('${shown(text)}'): give it words, or remove it`;
  return undefined;
}

/** The text as a message can show it: invisible and control characters as `\u` escapes, at most 40 characters. */
function shown(text: string): string {
  const visible = text.replace(/[\p{Cf}\p{Cc}]/gu, (character) => `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return visible.length > 40 ? `${visible.slice(0, 39)}…` : visible;
}

/** The most text one call may carry: the provider's limit, or the manifest's lower `maxTextLength`. */
export function textLimit(provider: ProviderV1, settings: { maxTextLength?: number } | undefined): number {
  return Math.min(provider.capabilities.maxTextLength, settings?.maxTextLength ?? Number.POSITIVE_INFINITY);
}

/** A probed sample: what its limits are checked against. */
export interface SampleFacts {
  /** How the sample is named in messages (its path or URL). */
  location: string;
  /** Lower-case container format (`wav`). */
  format?: string;
  bytes?: number;
  durationMs?: number;
}

/** Every way the sample breaks the provider's format, size and duration rules (prompt samples have their own). */
export function sampleLimitProblems(sample: SampleFacts, capabilities: ProviderCapabilities, isPrompt = false): string[] {
  const rules: { formats: string[]; minDurationMs?: number; maxDurationMs?: number; maxBytes?: number } | undefined = isPrompt
    ? capabilities.sample.prompt
    : capabilities.sample;
  if (!rules) return []; // refused elsewhere: this provider takes no prompt
  const problems: string[] = [];
  const location = sample.location;
  if (sample.format && !rules.formats.includes(sample.format)) {
    problems.push(`${location} is ${sample.format}; this provider takes ${rules.formats.join(', ')}: convert it (e.g. ffmpeg -i ${location} sample.${rules.formats[0]})`);
  }
  if (rules.maxBytes !== undefined && sample.bytes !== undefined && sample.bytes > rules.maxBytes) {
    problems.push(`${location} is ${megabytes(sample.bytes)}; at most ${megabytes(rules.maxBytes)} is accepted: trim or compress it`);
  }
  if (sample.durationMs === undefined) return problems;
  if (rules.minDurationMs !== undefined && sample.durationMs < rules.minDurationMs) {
    problems.push(`${location} lasts ${seconds(sample.durationMs)}; at least ${seconds(rules.minDurationMs)} of speech is needed: record a longer sample`);
  }
  if (rules.maxDurationMs !== undefined && sample.durationMs > rules.maxDurationMs) {
    problems.push(`${location} lasts ${seconds(sample.durationMs)}; at most ${seconds(rules.maxDurationMs)} is accepted: trim it`);
  }
  return problems;
}

const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;
