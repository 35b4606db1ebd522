import type { JsonSchema } from '../provider-v1.js';

/** MiniMax's ids are int64: a JSON number, tolerated as a digit string too. */
export type MinimaxId = number | string;

const idSchema = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }] };

/** `POST /v1/files/upload` (VENDORS.md §5.2). */
export interface UploadResponse {
  file: { file_id: MinimaxId };
}

export const uploadResponseSchema: JsonSchema = {
  type: 'object',
  required: ['file'],
  properties: { file: { type: 'object', required: ['file_id'], properties: { file_id: idSchema } } },
};

/** `POST /v1/voice_clone` (§5.3): nothing is needed from it but its `base_resp`. */
export interface CloneResponse {
  demo_audio?: string;
}

export const cloneResponseSchema: JsonSchema = { type: 'object' };

/** `POST /v1/get_voice` (§5.6). Arrays of types not asked for may be missing or null. */
export interface VoiceListResponse {
  voice_cloning?: Array<{ voice_id: string }> | null;
}

export const voiceListResponseSchema: JsonSchema = {
  type: 'object',
  properties: {
    voice_cloning: {
      anyOf: [{ type: 'array', items: { type: 'object', required: ['voice_id'], properties: { voice_id: { type: 'string' } } } }, { type: 'null' }],
    },
  },
};

/** `POST /v1/t2a_v2` (§5.4): `data.audio` is a URL with `output_format: "url"`, else hex bytes. */
export interface SpeechResponse {
  data: { audio: string };
  extra_info?: { usage_characters?: unknown } | null;
}

export const speechResponseSchema: JsonSchema = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'object',
      required: ['audio'],
      properties: { audio: { type: 'string', pattern: '^\\s*(?:https?://\\S+|(?:[0-9a-fA-F]{2})+)\\s*$' } },
    },
  },
};

/** `POST /v1/t2a_async_v2` (§5.5). */
export interface AsyncSpeechResponse {
  task_id: MinimaxId;
  file_id?: MinimaxId;
  usage_characters?: unknown;
}

export const asyncSpeechResponseSchema: JsonSchema = {
  type: 'object',
  required: ['task_id'],
  properties: { task_id: idSchema, file_id: idSchema },
};

/** `GET /v1/query/t2a_async_query_v2` (§5.5): `status` documented lower-case, shown capitalised. */
export interface AsyncQueryResponse {
  status: string;
  file_id?: MinimaxId;
}

export const asyncQueryResponseSchema: JsonSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', minLength: 1 }, file_id: idSchema },
};

/** `GET /v1/files/retrieve` (§5.5). */
export interface RetrieveResponse {
  file: { download_url: string };
}

export const retrieveResponseSchema: JsonSchema = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'object', required: ['download_url'], properties: { download_url: { type: 'string', pattern: '^https?://' } } },
  },
};
