import type { JsonSchema } from '@voxform/core';
import { espeakVoices, fallbackEspeakVoice } from './espeak-voices.js';
import { espeakVariants, femaleFromHz, femaleVariant, maleVariant, type EspeakVariant } from './espeak-settings.js';

/** `voices.<name>.options` of a `local` voice. */
export interface LocalVoiceOptions {
  /** espeak-ng voice. Default: derived from the voice's `language`, else `en`. */
  voice?: string;
  /** espeak-ng variant. Default: chosen from the sample's measured pitch. */
  variant?: EspeakVariant;
}

/** A line's `options` on a `local` voice. */
export interface LocalLineOptions {
  /** Multiplies the voice's speaking rate, 0.5–2. Default 1. */
  speed?: number;
  /** Semitones above (or below) the voice's pitch, −12–12. Default 0. */
  pitch?: number;
  /** Milliseconds of silence appended to the line, 0–5000. Default 0. */
  pauseMs?: number;
}

export const lineOptionDefaults = { speed: 1, pitch: 0, pauseMs: 0 } as const satisfies Required<LocalLineOptions>;

export const voiceOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'local voice options',
  description:
    'How the local provider (espeak-ng) speaks for this voice. Pitch and speaking rate always come from the sample; these only pick the espeak-ng voice and variant.',
  type: 'object',
  additionalProperties: false,
  properties: {
    voice: {
      description: `espeak-ng voice (language and accent), as \`espeak-ng --voices\` lists it. Default: derived from the voice's \`language\` (English → en-us, French → fr-fr, pt-BR → pt-br…), or ${fallbackEspeakVoice} when it has none or it is not known.`,
      type: 'string',
      enum: [...espeakVoices],
      default: fallbackEspeakVoice,
      examples: ['en-us', 'en-gb', 'fr-fr', 'de'],
    },
    variant: {
      description: `espeak-ng variant (timbre): m1–m7 male, f1–f5 female. Default: ${maleVariant} when the sample's median pitch is below ${femaleFromHz} Hz, else ${femaleVariant}. The pitch setting is recalibrated for the variant chosen, so the measured pitch is kept.`,
      type: 'string',
      enum: [...espeakVariants],
      default: maleVariant,
    },
  },
};

export const lineOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'local line options',
  description: 'Adjustments of one line spoken by the local provider (espeak-ng).',
  type: 'object',
  additionalProperties: false,
  properties: {
    speed: {
      description:
        "Multiplies the voice's measured speaking rate: 0.5 is half as fast, 2 twice as fast (espeak-ng's speed stays within 80–450 words per minute). Default 1.",
      type: 'number',
      minimum: 0.5,
      maximum: 2,
      default: lineOptionDefaults.speed,
    },
    pitch: {
      description:
        "Semitones above (positive) or below (negative) the voice's measured pitch, within what espeak-ng reaches with the voice's variant. Default 0.",
      type: 'number',
      minimum: -12,
      maximum: 12,
      default: lineOptionDefaults.pitch,
    },
    pauseMs: {
      description: 'Milliseconds of silence appended after the line, 0–5000. Default 0.',
      type: 'integer',
      minimum: 0,
      maximum: 5000,
      default: lineOptionDefaults.pauseMs,
    },
  },
};
