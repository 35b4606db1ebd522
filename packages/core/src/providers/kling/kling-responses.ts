import type { JsonSchema } from '../provider-v1.js';

/** Kling's ids are int64 digit strings; a JSON number is tolerated. */
const idSchema = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] };

const taskSchema = {
  type: 'object',
  required: ['task_id', 'task_status'],
  properties: { task_id: idSchema, task_status: { type: 'string', minLength: 1 } },
};

/** `POST /v1/general/custom-voices` and `GET /v1/general/custom-voices/{id}` (VENDORS.md §4.4, §4.5): one task in `data`. */
export const taskAnswerSchema: JsonSchema = {
  type: 'object',
  required: ['data'],
  properties: { data: taskSchema },
};

/** `GET /v1/general/custom-voices` (§4.6): an array of tasks in `data` (null read as empty). */
export const taskListAnswerSchema: JsonSchema = {
  type: 'object',
  properties: { data: { anyOf: [{ type: 'array', items: { type: 'object' } }, { type: 'null' }] } },
};

/** `POST /v1/general/delete-voices` (§4.8): `data` is `{task_id, task_status}`, read leniently. */
export const deleteAnswerSchema: JsonSchema = { type: 'object' };

/** One voice of a task's `task_result.voices`. */
export interface KlingVoice {
  voiceId: string;
  voiceName?: string;
  trialUrl?: string;
  ownedBy?: string;
  /** A deleted voice may still be listed with a deleted state; the field is UNKNOWN (§4.8), so several are read. */
  deleted: boolean;
}

/** A custom-voice task, reduced to what the adapter reads. */
export interface KlingTask {
  taskId: string;
  /** Lower-case `task_status`: `submitted`, `processing`, `succeed` or `failed` (§4.4). */
  status: string;
  /** `task_status_msg`: the failure reason. */
  statusMessage?: string;
  externalTaskId?: string;
  voices: KlingVoice[];
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a task object (already checked by {@link taskAnswerSchema}, or one item of a list). */
export function readTask(value: unknown): KlingTask | undefined {
  if (!isObject(value)) return undefined;
  const taskId = idOf(value.task_id);
  const status = textOf(value.task_status)?.toLowerCase();
  if (taskId === undefined || status === undefined) return undefined;
  const info = isObject(value.task_info) ? value.task_info : {};
  const result = isObject(value.task_result) ? value.task_result : {};
  const voices = (Array.isArray(result.voices) ? result.voices : []).flatMap((item): KlingVoice[] => {
    if (!isObject(item)) return [];
    const voiceId = idOf(item.voice_id);
    if (voiceId === undefined) return [];
    const states = [item.status, item.voice_status, item.state].map((state) => textOf(state)?.toLowerCase());
    const voice: KlingVoice = { voiceId, deleted: item.deleted === true || item.is_deleted === true || states.some((state) => state?.startsWith('delet') === true) };
    const voiceName = textOf(item.voice_name);
    const trialUrl = textOf(item.trial_url);
    const ownedBy = idOf(item.owned_by);
    if (voiceName !== undefined) voice.voiceName = voiceName;
    if (trialUrl !== undefined) voice.trialUrl = trialUrl;
    if (ownedBy !== undefined) voice.ownedBy = ownedBy;
    return [voice];
  });
  const task: KlingTask = { taskId, status, voices };
  const statusMessage = textOf(value.task_status_msg);
  const externalTaskId = textOf(info.external_task_id);
  if (statusMessage !== undefined) task.statusMessage = statusMessage;
  if (externalTaskId !== undefined) task.externalTaskId = externalTaskId;
  return task;
}

/** `succeed` (Kling's spelling) and, leniently, `succeeded` / `success`. */
export function isSucceeded(status: string): boolean {
  return status === 'succeed' || status === 'succeeded' || status === 'success';
}

export function isFailed(status: string): boolean {
  return status === 'failed' || status === 'fail';
}

/** A task that was deleted (the voice's deletion may show as a task state, UNKNOWN §4.8). */
export function isDeletedState(status: string): boolean {
  return status.startsWith('delet');
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return textOf(value);
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
