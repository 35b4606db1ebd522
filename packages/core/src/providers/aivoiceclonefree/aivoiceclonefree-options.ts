import type { JsonSchema } from '../provider-v1.js';

/** `model` of create-task (VENDORS.md §1.1); `v2` is the default of the newer page revision. */
export const aiVoiceCloneFreeModels = ['v1', 'v2', 'v-mul'] as const;

export type AiVoiceCloneFreeModel = (typeof aiVoiceCloneFreeModels)[number];

/** The model sent when the voice names none: the documented default, sent explicitly because the older page revision named none. */
export const aiVoiceCloneFreeDefaultModel: AiVoiceCloneFreeModel = 'v2';

/** How `emotion_control` steers the delivery (the emulator's reading of VENDORS.md §1.2's dubbing fields). */
export const aiVoiceCloneFreeEmotionModes = ['text', 'vector', 'reference'] as const;

/** The eight dimensions of `emotion_control.vector`, in the order the vendor documents them (§1.2, dubbing). */
export const aiVoiceCloneFreeEmotionDimensions = ['joy', 'anger', 'sorrow', 'fear', 'excitement', 'depression', 'surprise', 'calm'] as const;

/** `emotion_control` as voxform sends it. Its sub-fields are UNKNOWN in VENDORS.md §1.1; see the schema. */
export interface AiVoiceCloneFreeEmotionControl {
  mode: (typeof aiVoiceCloneFreeEmotionModes)[number];
  /** For mode `text`: the emotion described in words. */
  text?: string;
  /** For mode `vector`: 8 weights from 0 to 1, in the order of {@link aiVoiceCloneFreeEmotionDimensions}. */
  vector?: number[];
  /** For mode `reference`: an http(s) URL of audio spoken with the wanted emotion. */
  reference_audio_url?: string;
}

/** `voices.<name>.options` of an AI Voice Clone Free voice, as {@link aiVoiceCloneFreeVoiceOptionsSchema} checks them. */
export interface AiVoiceCloneFreeVoiceOptions {
  /** create-task `model`. Default `v2`. */
  model?: AiVoiceCloneFreeModel;
  /** create-task `emotion_control`; only with model `v2`. Default: none. */
  emotion_control?: AiVoiceCloneFreeEmotionControl;
}

/** A line's `options` on an AI Voice Clone Free voice, as {@link aiVoiceCloneFreeLineOptionsSchema} checks them. */
export interface AiVoiceCloneFreeLineOptions {
  /** create-task `speed_ratio`, 0.5–2. Default 1. */
  speed_ratio?: number;
  /** create-task `pitch_ratio`, semitones −10–10. Default 0. */
  pitch_ratio?: number;
  /** create-task `volume_ratio`, 0.1–2. Default 1. */
  volume_ratio?: number;
}

const schemaVersion = 'https://json-schema.org/draft/2020-12/schema';

/** `field` is required when `mode` is `mode`. (Ajv's strict mode wants every required name listed beside it, hence the `true`s.) */
function requiredWithMode(mode: string, field: string) {
  return { if: { required: ['mode'], properties: { mode: { const: mode } } }, then: { required: [field], properties: { [field]: true } } };
}

const emotionControlSchema = {
  description:
    'Steers the emotion of the delivery (create-task `emotion_control`, "only for the V2 model"), sent with every line of the voice. ' +
    'The vendor documents that it has "multiple modes" but not its fields (UNKNOWN in VENDORS.md §1.1): this shape is the one voxform\'s emulator chose, ' +
    'after the per-segment emotion fields of the vendor\'s v2 dubbing API. Only with `model: v2`. Default: none (the model reads the emotion from the text).',
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: {
      description: '`text`: describe the emotion in words (`text`); `vector`: weigh eight emotions (`vector`); `reference`: copy the emotion of another recording (`reference_audio_url`). Required.',
      type: 'string',
      enum: [...aiVoiceCloneFreeEmotionModes],
    },
    text: {
      description: 'For mode `text` (required there): the emotion in words, e.g. "warm and slightly amused". Default: none.',
      type: 'string',
      minLength: 1,
      examples: ['warm and slightly amused'],
    },
    vector: {
      description: `For mode \`vector\` (required there): exactly 8 weights from 0 to 1, in the order ${aiVoiceCloneFreeEmotionDimensions.join(', ')}. Default: none.`,
      type: 'array',
      minItems: 8,
      maxItems: 8,
      items: { type: 'number', minimum: 0, maximum: 1 },
      examples: [[0.8, 0, 0, 0, 0.3, 0, 0.2, 0.5]],
    },
    reference_audio_url: {
      description: 'For mode `reference` (required there): an http(s) URL of a recording spoken with the wanted emotion, which the vendor downloads. Default: none.',
      type: 'string',
      pattern: '^https?://\\S+$',
      examples: ['https://example.com/angry-take.wav'],
    },
  },
  allOf: [requiredWithMode('text', 'text'), requiredWithMode('vector', 'vector'), requiredWithMode('reference', 'reference_audio_url')],
};

/**
 * `voices.<name>.options` of an AI Voice Clone Free voice. Nothing is created at the vendor: these
 * travel with every line's create-task call, together with the sample (VENDORS.md §1.1).
 */
export const aiVoiceCloneFreeVoiceOptionsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'AI Voice Clone Free voice options',
  description:
    'Fields of `POST /api/instant/create-task` that belong to the voice. AI Voice Clone Free keeps no voice: the sample and these options are sent with every line.',
  type: 'object',
  additionalProperties: false,
  properties: {
    model: {
      description: '`v1`, `v2` or `v-mul` (the vendor describes no difference beyond `emotion_control` being a v2 feature). Default `v2`.',
      type: 'string',
      enum: [...aiVoiceCloneFreeModels],
      default: aiVoiceCloneFreeDefaultModel,
    },
    emotion_control: emotionControlSchema,
  },
  // emotion_control is a v2 feature: with another model, validation points at `model` ("must be "v2"").
  allOf: [{ if: { required: ['emotion_control'], properties: { emotion_control: true } }, then: { properties: { model: { const: 'v2' } } } }],
};

/** A line's `options` on an AI Voice Clone Free voice: the `*_ratio` fields of create-task (§1.1). */
export const aiVoiceCloneFreeLineOptionsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'AI Voice Clone Free line options',
  description: 'Fields of `POST /api/instant/create-task` that belong to the line. Options left out are not sent, so the vendor applies its documented defaults.',
  type: 'object',
  additionalProperties: false,
  properties: {
    speed_ratio: {
      description: 'Speaking rate (`speed_ratio`), from 0.5 (half speed) to 2 (double speed). Default 1.',
      type: 'number',
      minimum: 0.5,
      maximum: 2,
      default: 1,
      examples: [1.1],
    },
    pitch_ratio: {
      description: 'Pitch shift in semitones (`pitch_ratio`), from -10 to 10. Default 0.',
      type: 'number',
      minimum: -10,
      maximum: 10,
      default: 0,
      examples: [-2],
    },
    volume_ratio: {
      description: 'Loudness factor (`volume_ratio`), from 0.1 to 2. Default 1.',
      type: 'number',
      minimum: 0.1,
      maximum: 2,
      default: 1,
      examples: [1.2],
    },
  },
};
