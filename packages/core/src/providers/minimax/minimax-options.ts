import type { JsonSchema } from '../provider-v1.js';

/** Speech models of `t2a_v2`, `t2a_async_v2` and the clone preview (VENDORS.md §5.3, §5.4). */
export const minimaxModels = [
  'speech-2.8-hd',
  'speech-2.8-turbo',
  'speech-2.6-hd',
  'speech-2.6-turbo',
  'speech-02-hd',
  'speech-02-turbo',
  'speech-01-hd',
  'speech-01-turbo',
] as const;

export type MinimaxModel = (typeof minimaxModels)[number];

/** `voice_setting.emotion` (§5.4); `whisper` is refused by the 2.8 models. */
export const minimaxEmotions = ['happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised', 'calm', 'fluent', 'whisper'] as const;

/** `language_boost` of T2A and voice_clone (§5.4, the same list as §2's SoundClone languages). */
export const minimaxLanguageBoosts = [
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
  'auto',
] as const;

export type MinimaxLanguageBoost = (typeof minimaxLanguageBoosts)[number];

/** `audio_setting.sample_rate` (§5.4). */
export const minimaxSampleRates = [8000, 16000, 22050, 24000, 32000, 44100] as const;

/** `audio_setting.bitrate` (§5.4); only used for mp3. */
export const minimaxBitrates = [32000, 64000, 128000, 256000] as const;

/** `voice_modify.sound_effects` (§5.4). */
export const minimaxSoundEffects = ['spacious_echo', 'auditorium_echo', 'lofi_telephone', 'robotic'] as const;

/** `voices.<name>.options` of a MiniMax voice: the optional fields of `POST /v1/voice_clone`. */
export interface MinimaxVoiceOptions {
  /** Noise reduction of the sample before cloning. Default false. */
  need_noise_reduction?: boolean;
  /** Volume normalisation of the sample before cloning. Default false. */
  need_volume_normalization?: boolean;
  /** Similarity the `text_validation` check needs, 0–1. Default 0.7. */
  accuracy?: number;
  /** The sample's transcript (≤ 200 characters); MiniMax checks the sample against it. Default: no check. */
  text_validation?: string | null;
  /** Language the clone is tuned for. Default: the voice's `language` when it is one of the values, else none. */
  language_boost?: MinimaxLanguageBoost | null;
  /** Adds an audible marker at the end of the preview. Default false. */
  aigc_watermark?: boolean;
  /** A demo of the new voice rendered by the clone call (billed as T2A). Default: none. */
  preview?: { text: string; model?: MinimaxModel } | null;
}

/** A line's `options` on a MiniMax voice: the fields of `POST /v1/t2a_v2`. */
export interface MinimaxLineOptions {
  /** Default `speech-2.8-hd`. */
  model?: MinimaxModel;
  /** 0.5–2. Default 1. */
  speed?: number;
  /** Above 0, at most 10. Default 1. */
  vol?: number;
  /** Semitones, −12–12. Default 0. */
  pitch?: number;
  /** Default: none (the model picks). */
  emotion?: (typeof minimaxEmotions)[number] | null;
  /** Default: the voice's `language_boost`, else its `language` when it is one of the values, else none. */
  language_boost?: MinimaxLanguageBoost | null;
  /** Reads numbers, dates and units the English way. Default false. */
  text_normalization?: boolean;
  /** `"original/replacement"` pronunciations. Default: none. */
  pronunciation_dict?: { tone?: string[] };
  /** Post-processing of the voice. Default: none. */
  voice_modify?: { pitch?: number; intensity?: number; timbre?: number; sound_effects?: (typeof minimaxSoundEffects)[number] | null };
  /** Hz. Default 32000. */
  sample_rate?: (typeof minimaxSampleRates)[number];
  /** Bits per second of mp3 output. Default 128000. */
  bitrate?: (typeof minimaxBitrates)[number];
}

/** `providers.minimax.options` in voices.yaml. */
export interface MinimaxSettings {
  /** The account's GroupId, sent as `?GroupId=` where older MiniMax clients send it. Default: not sent. */
  groupId?: string;
}

export const minimaxDefaultModel: MinimaxModel = 'speech-2.8-hd';

const schemaVersion = 'https://json-schema.org/draft/2020-12/schema';

const languageBoostSchema = (description: string) => ({
  description,
  enum: [...minimaxLanguageBoosts, null],
  default: null,
  examples: ['English', 'Chinese', 'auto'],
});

export const minimaxVoiceOptionsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'MiniMax voice options',
  description: 'Optional fields of MiniMax\'s voice_clone call. The sample (and the prompt, when given) are uploaded by voxform; the voice id is chosen by voxform.',
  type: 'object',
  additionalProperties: false,
  properties: {
    need_noise_reduction: {
      description: 'Let MiniMax remove background noise from the sample before cloning. Default false.',
      type: 'boolean',
      default: false,
    },
    need_volume_normalization: {
      description: 'Let MiniMax normalise the sample\'s volume before cloning. Default false.',
      type: 'boolean',
      default: false,
    },
    accuracy: {
      description:
        'How closely the sample must match `text_validation` (0–1); a sample below it is refused with code 1043. Only used with `text_validation`. Default 0.7.',
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.7,
    },
    text_validation: {
      description:
        'The exact transcript of the sample (at most 200 characters). MiniMax recognises the speech and refuses the clone (code 1043) when it differs by more than `accuracy` allows. null (the default) skips the check.',
      anyOf: [{ type: 'string', minLength: 1, maxLength: 200 }, { type: 'null' }],
      default: null,
    },
    language_boost: languageBoostSchema(
      'Language the cloned voice is tuned for; `auto` lets MiniMax detect it. null (the default) sends the voice\'s `language` when it is one of these values (matched ignoring case), else nothing.',
    ),
    aigc_watermark: {
      description: 'Add an audible "AI generated" marker at the end of the preview audio. Only used with `preview`. Default false.',
      type: 'boolean',
      default: false,
    },
    preview: {
      description:
        'Ask MiniMax to render a short demo with the new voice while cloning (billed like a T2A call; the demo URL is not kept). null (the default) asks for none.',
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: {
            text: {
              description: 'Text of the demo, at most 1000 characters (MiniMax\'s documented limit; some resellers say 2000). Required.',
              type: 'string',
              minLength: 1,
              maxLength: 1000,
            },
            model: {
              description: `Speech model of the demo. Default ${minimaxDefaultModel}.`,
              type: 'string',
              enum: [...minimaxModels],
              default: minimaxDefaultModel,
            },
          },
        },
        { type: 'null' },
      ],
      default: null,
    },
  },
};

const voiceModifyRange = (description: string) => ({
  description: `${description}, −100 to 100. Default 0 (unchanged).`,
  type: 'integer',
  minimum: -100,
  maximum: 100,
  default: 0,
});

export const minimaxLineOptionsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'MiniMax line options',
  description:
    'How MiniMax speaks one line (fields of t2a_v2; lines longer than 9,999 characters go through t2a_async_v2, which takes the same settings).',
  type: 'object',
  additionalProperties: false,
  properties: {
    model: {
      description: `Speech model. The 2.8 models understand interjection tags such as (laughs). Default ${minimaxDefaultModel}.`,
      type: 'string',
      enum: [...minimaxModels],
      default: minimaxDefaultModel,
    },
    speed: {
      description: 'Speaking rate: 0.5 is half as fast, 2 twice as fast. Default 1.',
      type: 'number',
      minimum: 0.5,
      maximum: 2,
      default: 1,
    },
    vol: {
      description: 'Volume, above 0 and at most 10. Default 1.',
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 10,
      default: 1,
    },
    pitch: {
      description: 'Pitch shift in semitones, −12 to 12. Default 0.',
      type: 'integer',
      minimum: -12,
      maximum: 12,
      default: 0,
    },
    emotion: {
      description: 'Emotion of the delivery (`whisper` is not available on the speech-2.8 models). null (the default) lets the model choose.',
      enum: [...minimaxEmotions, null],
      default: null,
    },
    language_boost: languageBoostSchema(
      'Language the line is tuned for; `auto` lets MiniMax detect it. null (the default) uses the voice\'s `language_boost` option, else the voice\'s `language` when it is one of these values (matched ignoring case), else nothing.',
    ),
    text_normalization: {
      description: 'Read numbers, dates and units out in words (improves English and Chinese number reading). Default false.',
      type: 'boolean',
      default: false,
    },
    pronunciation_dict: {
      description: 'Pronunciation overrides. Default: none.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        tone: {
          description: 'Entries `"original/replacement"`, e.g. `"omg/oh my god"`, or Chinese tone marks such as `"处理/(chu3)(li3)"`. Default: none.',
          type: 'array',
          items: { type: 'string', pattern: '^[^/]+/.+$' },
          default: [],
        },
      },
    },
    voice_modify: {
      description: 'Post-processing of the voice. Default: none.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        pitch: voiceModifyRange('Deeper (negative) or brighter (positive)'),
        intensity: voiceModifyRange('Stronger (negative) or softer (positive)'),
        timbre: voiceModifyRange('Fuller (negative) or crisper (positive)'),
        sound_effects: {
          description: 'A sound effect over the voice. null (the default) adds none.',
          enum: [...minimaxSoundEffects, null],
          default: null,
        },
      },
    },
    sample_rate: {
      description: 'Sample rate of the audio in Hz. Default 32000.',
      type: 'integer',
      enum: [...minimaxSampleRates],
      default: 32000,
    },
    bitrate: {
      description: 'Bitrate of mp3 audio in bits per second (ignored for wav). Default 128000.',
      type: 'integer',
      enum: [...minimaxBitrates],
      default: 128000,
    },
  },
};

export const minimaxSettingsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'MiniMax provider options',
  description: 'Settings only MiniMax has (`providers.minimax.options`).',
  type: 'object',
  additionalProperties: false,
  properties: {
    groupId: {
      description:
        'Your MiniMax GroupId (Account → Your profile), quoted so YAML keeps every digit. Sent as `?GroupId=` on files/upload and t2a_v2, as older MiniMax clients do; the current API does not need it. Default: not sent.',
      type: 'string',
      minLength: 1,
      examples: ['1987687468056449719'],
    },
  },
};
