import type { JsonSchema } from '../provider-v1.js';

/**
 * The preview text SoundClone speaks with a new voice while cloning it (clones `contentText`). Without
 * one SoundClone speaks a fixed Chinese sentence about a forest, which is billed all the same (VENDORS.md
 * §2.1, §2.4), so voxform always sends this short one instead.
 */
export const soundCloneDefaultPreviewText = 'Hello, this is my new voice.';

/** Languages both sound versions speak (VENDORS.md §2.3). */
export const soundCloneLanguages = [
  'Chinese',
  'Chinese,Yue',
  'English',
  'Arabic',
  'Russian',
  'Spanish',
  'French',
  'Portuguese',
  'German',
  'Turkish',
  'Dutch',
  'Ukrainian',
  'Vietnamese',
  'Indonesian',
  'Japanese',
  'Italian',
  'Korean',
  'Thai',
  'Polish',
  'Romanian',
  'Greek',
  'Czech',
  'Finnish',
  'Hindi',
] as const;

/**
 * Languages only `soundVersion: v2` speaks (VENDORS.md §2.3). The vendor's list also names `auto`, which
 * is at the same time the documented default of `language` for both versions (a CONFLICT): `auto` is
 * left out here, so the documented defaults (v1, auto) work together, as the emulator does too.
 */
export const soundCloneV2OnlyLanguages = [
  'Bulgarian',
  'Danish',
  'Hebrew',
  'Malay',
  'Persian',
  'Slovak',
  'Swedish',
  'Croatian',
  'Filipino',
  'Hungarian',
  'Norwegian',
  'Slovenian',
  'Catalan',
  'Nynorsk',
  'Tamil',
  'Afrikaans',
] as const;

export type SoundCloneLanguage = (typeof soundCloneLanguages)[number] | (typeof soundCloneV2OnlyLanguages)[number] | 'auto';

/** Every value of `language`, `auto` last. */
export const soundCloneAllLanguages: readonly SoundCloneLanguage[] = [...soundCloneLanguages, ...soundCloneV2OnlyLanguages, 'auto'];

/** `emotion` of `/v1/soundCloning/audios` (VENDORS.md §2.3). */
export const soundCloneEmotions = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

export const soundCloneSoundVersions = ['v1', 'v2'] as const;

/** Longest preview text: "< 270 characters" (VENDORS.md §2.1). */
export const maxPreviewTextLength = 269;

/** `voices.<name>.options` of a SoundClone voice, as {@link soundCloneVoiceOptionsSchema} checks them. */
export interface SoundCloneVoiceOptions {
  /** clones `soundVersion`. Default `v1`, or `v2` when the voice's `language` is one only v2 speaks. */
  soundVersion?: (typeof soundCloneSoundVersions)[number];
  /** clones `language`. Default: the voice's `language` when it is one of the values (ignoring case), else `auto`. */
  language?: SoundCloneLanguage;
  /** clones `contentText`: what the new voice says in its preview. Default {@link soundCloneDefaultPreviewText}. */
  previewText?: string;
}

/** A line's `options` on a SoundClone voice, as {@link soundCloneLineOptionsSchema} checks them. */
export interface SoundCloneLineOptions {
  /** Default `neutral`. */
  emotion?: (typeof soundCloneEmotions)[number];
  /** 0.5–2. Default 1. */
  speed?: number;
  /** Above 0, at most 10. Default 1. */
  vol?: number;
  /** Semitones, integer −12–12. Default 0. */
  pitch?: number;
  /** Default false. */
  subtitleEnable?: boolean;
  /** Default `sentence`. */
  subtitleType?: 'sentence' | 'word';
}

const schemaVersion = 'https://json-schema.org/draft/2020-12/schema';

const v2Rule =
  `SoundClone speaks ${soundCloneV2OnlyLanguages.join(', ')} only with soundVersion v2: ` + 'set `soundVersion: v2` next to this language, or choose another language.';

/** `voices.<name>.options` of a SoundClone voice: the optional fields of `POST /v1/soundCloning/clones` (VENDORS.md §2.1). */
export const soundCloneVoiceOptionsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'SoundClone voice options',
  description:
    'Optional fields of SoundClone\'s clones call. The sample is sent as its URL (SoundClone downloads it); the voice id (modelId) is chosen by SoundClone. ' +
    v2Rule,
  type: 'object',
  additionalProperties: false,
  properties: {
    soundVersion: {
      description:
        'SoundClone\'s voice model: `v1` (24 languages) or `v2` (40 languages). The lines of the voice use the same version. Default `v1`, or `v2` when the voice\'s `language` (not this option) is one only v2 speaks.',
      type: 'string',
      enum: [...soundCloneSoundVersions],
      default: 'v1',
    },
    language: {
      description:
        `Language of the voice and of its lines (\`auto\` lets SoundClone detect it). ${v2Rule} Default: the voice's \`language\` when it is one of these values (matched ignoring case), else \`auto\`.`,
      type: 'string',
      enum: [...soundCloneAllLanguages],
      default: 'auto',
      examples: ['English', 'Chinese,Yue', 'auto'],
    },
    previewText: {
      description:
        `What SoundClone speaks with the new voice in its preview (clones \`contentText\`), fewer than 270 characters. The preview is billed per character; SoundClone's own default is a Chinese sentence of about 30 characters, so voxform sends a short one. Default: "${soundCloneDefaultPreviewText}".`,
      type: 'string',
      minLength: 1,
      maxLength: maxPreviewTextLength,
      default: soundCloneDefaultPreviewText,
      examples: ['Welcome back to the show.'],
    },
  },
  // The v2-only languages, checked at validate time so that `voxform validate` points at the option.
  if: {
    type: 'object',
    required: ['language'],
    properties: { language: { enum: [...soundCloneV2OnlyLanguages] } },
  },
  then: {
    description: v2Rule,
    type: 'object',
    required: ['soundVersion'],
    properties: { soundVersion: { description: v2Rule, const: 'v2' } },
  },
};

/** A line's `options` for a SoundClone voice: the optional fields of `POST /v1/soundCloning/audios` (VENDORS.md §2.3). */
export const soundCloneLineOptionsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'SoundClone line options',
  description:
    'Optional fields of SoundClone\'s audios call. The sound version and language are the voice\'s. Options left out are not sent, so SoundClone applies its own defaults.',
  type: 'object',
  additionalProperties: false,
  properties: {
    emotion: {
      description: 'Emotion of the delivery. Default `neutral`.',
      type: 'string',
      enum: [...soundCloneEmotions],
      default: 'neutral',
    },
    speed: {
      description: 'Speaking rate: 0.5 is half as fast, 2 twice as fast. Default 1.',
      type: 'number',
      minimum: 0.5,
      maximum: 2,
      default: 1,
      examples: [1.1],
    },
    vol: {
      description: 'Volume, above 0 and at most 10. Default 1.',
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 10,
      default: 1,
    },
    pitch: {
      description: 'Pitch shift in semitones, an integer from -12 to 12. Default 0.',
      type: 'integer',
      minimum: -12,
      maximum: 12,
      default: 0,
    },
    subtitleEnable: {
      description:
        'Ask SoundClone to make a subtitle file with the audio (`subtitleEnable`). voxform keeps only the audio: the subtitle file is not downloaded. Default false.',
      type: 'boolean',
      default: false,
    },
    subtitleType: {
      description: 'Subtitle granularity with `subtitleEnable`: `word` sends `subtitleType: word`; `sentence` sends nothing (SoundClone\'s sentence-level default). Default `sentence`.',
      type: 'string',
      enum: ['sentence', 'word'],
      default: 'sentence',
    },
  },
};

/** `language` for a manifest language (`english` → `English`), or undefined when SoundClone has no such value. */
export function soundCloneLanguageOf(language: string | undefined): SoundCloneLanguage | undefined {
  if (!language) return undefined;
  const wanted = language.trim().toLowerCase();
  return soundCloneAllLanguages.find((value) => value.toLowerCase() === wanted);
}

/** Whether only `soundVersion: v2` speaks `language`. */
export function needsSoundVersion2(language: string | undefined): boolean {
  return (soundCloneV2OnlyLanguages as readonly string[]).includes(language ?? '');
}
