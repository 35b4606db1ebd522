import type { JsonSchema } from '../provider-v1.js';

/**
 * The preview text Vidu speaks with a new voice when it clones it (audio-clone's required `text`). Vidu
 * bills it like any TTS call, so it is kept short.
 */
export const defaultPreviewText = 'Hello, this is my new voice.';

/** Longest `payload` Vidu passes through, in characters (VENDORS.md §3.1, §3.2). */
export const maxPayloadLength = 1_048_576;

/** Emotions audio-tts accepts (`calm` is neutral); Vidu picks one from the text when none is given. */
export const viduEmotions = ['happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised', 'calm'] as const;

/** `voices.<name>.options` of a Vidu voice, as {@link viduVoiceOptionsSchema} checks them. */
export interface ViduVoiceOptions {
  /** audio-clone `text`: what the new voice says first. Default {@link defaultPreviewText}. */
  previewText?: string;
  /** audio-clone `payload`, handed back unchanged. Default: none. */
  payload?: string;
}

/** A line's `options` on a Vidu voice, as {@link viduLineOptionsSchema} checks them. */
export interface ViduLineOptions {
  /** audio-tts `voice_setting_speed`, 0.5–2. Vidu's default 1. */
  speed?: number;
  /** audio-tts `voice_setting_volume`, integer 0–10. Vidu's default 0 (normal). */
  volume?: number;
  /** audio-tts `voice_setting_pitch`, integer semitones −12–12. Vidu's default 0. */
  pitch?: number;
  /** audio-tts `voice_setting_emotion`. Default: matched to the text by Vidu. */
  emotion?: (typeof viduEmotions)[number];
  /** audio-tts `pronunciation_dict_tone`. Default: none. */
  pronunciation_dict_tone?: string[];
  /** audio-tts `payload`, handed back unchanged. Default: none. */
  payload?: string;
}

/** `voices.<name>.options` of a Vidu voice: the extra fields of `POST /ent/v2/audio-clone` (VENDORS.md §3.1). */
export const viduVoiceOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Vidu voice options',
  description: 'Options of `POST /ent/v2/audio-clone`. The sample, the prompt and the voice id come from the voice itself.',
  type: 'object',
  additionalProperties: false,
  properties: {
    previewText: {
      description:
        `What Vidu speaks with the new voice right after cloning it (audio-clone \`text\`, required by Vidu). At most 1000 characters. Billed like any TTS call, so keep it short. Default: "${defaultPreviewText}".`,
      type: 'string',
      minLength: 1,
      maxLength: 1000,
      default: defaultPreviewText,
      examples: ['Welcome back to the show.'],
    },
    payload: {
      description: 'A string Vidu keeps with the clone task and hands back unchanged (audio-clone `payload`). At most 1 048 576 characters. Default: none.',
      type: 'string',
      maxLength: maxPayloadLength,
    },
  },
};

/** A line's `options` for a Vidu voice: the `voice_setting_*` fields of `POST /ent/v2/audio-tts` (VENDORS.md §3.2). */
export const viduLineOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Vidu line options',
  description: 'Options of `POST /ent/v2/audio-tts`. Options left out are not sent, so Vidu applies its own defaults.',
  type: 'object',
  additionalProperties: false,
  properties: {
    speed: {
      description: 'Speaking rate (audio-tts `voice_setting_speed`), from 0.5 (half speed) to 2 (double speed). Default 1.',
      type: 'number',
      minimum: 0.5,
      maximum: 2,
      default: 1,
      examples: [1.1],
    },
    volume: {
      description: 'Loudness (audio-tts `voice_setting_volume`), an integer from 0 to 10; 0 is Vidu\'s normal volume. Default 0.',
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 0,
    },
    pitch: {
      description: 'Pitch shift in semitones (audio-tts `voice_setting_pitch`), an integer from -12 to 12. Default 0.',
      type: 'integer',
      minimum: -12,
      maximum: 12,
      default: 0,
    },
    emotion: {
      description: 'Emotion of the delivery (audio-tts `voice_setting_emotion`); `calm` is neutral. Default: Vidu matches one to the text.',
      type: 'string',
      enum: [...viduEmotions],
    },
    pronunciation_dict_tone: {
      description:
        'Pronunciation overrides (audio-tts `pronunciation_dict_tone`): `word/(pinyin with tone numbers)` for Chinese polyphones, `text/replacement` otherwise. Default: none.',
      type: 'array',
      items: { type: 'string', minLength: 1 },
      examples: [['燕少飞/(yan4)(shao3)(fei1)', 'omg/oh my god']],
    },
    payload: {
      description: 'A string Vidu keeps with the TTS task and hands back unchanged (audio-tts `payload`). At most 1 048 576 characters. Default: none.',
      type: 'string',
      maxLength: maxPayloadLength,
    },
  },
};
