import type { JsonSchema } from '../provider-v1.js';

/** Longest `voice_name` Kling accepts, in characters (VENDORS.md §4.4). */
export const maxVoiceNameLength = 20;

/** Characters of the tag that {@link defaultVoiceName} appends to the voice's name. */
const voiceNameTagLength = 6;

/** `voices.<name>.options` of a Kling voice, as {@link klingVoiceOptionsSchema} checks them. */
export interface KlingVoiceOptions {
  /** custom-voices `voice_name`, at most 20 characters. Default: {@link defaultVoiceName}. */
  voiceName?: string;
  /** custom-voices `callback_url`: Kling POSTs every status change of the clone task there. Default: none. */
  callbackUrl?: string;
}

/** A line's `options` on a Kling voice: there are none, as Kling voices speak no lines. */
export type KlingLineOptions = Record<string, never>;

/** `providers.kling.options` in voices.yaml: there are none; see {@link klingSettingsSchema} for the key. */
export type KlingSettings = Record<string, never>;

const schemaVersion = 'https://json-schema.org/draft/2020-12/schema';

/** `voices.<name>.options` of a Kling voice: the optional fields of `POST /v1/general/custom-voices` (VENDORS.md §4.4). */
export const klingVoiceOptionsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'Kling voice options',
  description:
    'Options of `POST /v1/general/custom-voices`. The sample (`voice_url`) and the idempotency key (`external_task_id`, voxform\'s id for the voice) come from the voice itself. ' +
    "Kling's alternative source `video_id` (a Kling-generated video) is not offered: voxform identifies a voice by its sample, which must then be the audio Kling clones.",
  type: 'object',
  additionalProperties: false,
  properties: {
    voiceName: {
      description:
        `The voice's name in the Kling account (custom-voices \`voice_name\`), at most ${maxVoiceNameLength} characters. ` +
        `Default: the voice's name in voices.yaml cut to ${maxVoiceNameLength - voiceNameTagLength - 1} characters, a dash and ${voiceNameTagLength} characters derived from voxform's id for the voice (\`narrator-k3x9q2\`), ` +
        'so that a replacement never clashes with the voice it replaces, which stays in the account until pruned (Kling may require names to be unique per account).',
      type: 'string',
      minLength: 1,
      maxLength: maxVoiceNameLength,
      pattern: '\\S',
      examples: ['Narrator', 'Host (warm)'],
    },
    callbackUrl: {
      description:
        'An http(s) URL Kling POSTs to on every status change of the clone task (custom-voices `callback_url`). voxform does not need it: it polls the task. Default: none.',
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      examples: ['https://hooks.example.com/kling'],
    },
  },
};

/** A line's `options` for a Kling voice: none, since Kling cannot speak text with a custom voice (validation refuses such lines). */
export const klingLineOptionsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'Kling line options',
  description:
    "Kling cannot speak text with a custom voice (its voices are for video generation), so voxform refuses lines on Kling voices and there are no line options.",
  type: 'object',
  additionalProperties: false,
  properties: {},
};

/** `providers.kling.options`: none. The description is where the key's two forms are documented. */
export const klingSettingsSchema: JsonSchema = {
  $schema: schemaVersion,
  title: 'Kling provider options',
  description:
    'Kling takes no provider options. Its key comes from KLING_API_KEY (or the variable `providers.kling.apiKey` names), which may hold either ' +
    'a Kling API key, sent as `Authorization: Bearer <API key>`, or the access key and the secret key joined by a colon (`<access key>:<secret key>`), ' +
    'for the legacy method: voxform then signs a JWT (HS256, valid 30 minutes, renewed 5 minutes before it expires) with the secret key. ' +
    'Secrets never go in voices.yaml itself. The host is `https://api-singapore.klingai.com`, or `https://api-beijing.klingai.com` with `region: cn`; `baseUrl` overrides both.',
  type: 'object',
  additionalProperties: false,
  properties: {},
};

/**
 * The default `voice_name`: the voice's name cut so that a dash and a 6-character tag of `voiceId` fit
 * in Kling's 20 characters. The tag differs for every voxform id, so a voice and its replacement (which
 * coexist until pruned) never share a name.
 */
export function defaultVoiceName(name: string, voiceId: string): string {
  const head = [...name.trim()].slice(0, maxVoiceNameLength - voiceNameTagLength - 1).join('') || 'voice';
  return `${head}-${tagOf(voiceId)}`;
}

/** A short, stable base-36 tag of `text` (FNV-1a, 32 bits): not a security measure, only a name suffix. */
function tagOf(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36).padStart(voiceNameTagLength, '0').slice(-voiceNameTagLength);
}
