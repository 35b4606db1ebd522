import type { JsonValue } from '../providers/provider-v1.js';

/**
 * The protocol between `createCloneHandler` (`@voxform/core/server`) and its clients
 * (`createCloneClient`, `@voxform/react`). Browser-safe and dependency-free.
 */

/** Where a clone task is. `completed`, `failed` and `cancelled` are final. */
export type CloneTaskStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';

export const cloneTaskStatuses: readonly CloneTaskStatus[] = ['pending', 'processing', 'completed', 'failed', 'cancelled'];

/** A task as `GET /tasks/:id` answers it. */
export interface CloneTask {
  /** Unguessable: 128 random bits, base64url. Whoever has it may read the task (subject to `authorize`). */
  id: string;
  status: CloneTaskStatus;
  /** The provider's manifest id (`minimax`). */
  provider: string;
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
  /** What the vendor last said it is doing (`queueing`, `processing`…), while the task runs. */
  vendorStatus?: string;
  /** Where the audio is, once `completed`: a path on the handler's origin (`/api/voxform/tasks/<id>/audio`). */
  audioUrl?: string;
  /** Why it `failed`, in words meant for the person who asked. Never holds a key. */
  error?: string;
}

/** A voice a manifest declares, as `GET /voices` lists it. */
export interface CloneVoice {
  name: string;
  provider: string;
  language?: string;
}

/** What `POST /tasks` takes. Exactly one of `sample`, `sampleUrl` or `voice` says where the voice comes from. */
export interface CreateCloneTaskInput {
  /** The text to speak. */
  text: string;
  /** The provider's manifest id; may be left out with `voice` (the voice's own provider is used). */
  provider?: string;
  /** A recording to clone, uploaded as a multipart file. */
  sample?: Blob;
  /** An http(s) URL of a recording to clone; the server downloads it. */
  sampleUrl?: string;
  /** A voice the server's manifest declares (see `GET /voices`). */
  voice?: string;
  /** The voice's language (`English`), for vendors that take one. */
  language?: string;
  /** Options for cloning the voice, checked against the provider's voice options schema. */
  voiceOptions?: Record<string, JsonValue>;
  /** Options for speaking the text, checked against the provider's line options schema. */
  options?: Record<string, JsonValue>;
}

/** One thing wrong with a request, as a 400 lists it: `voiceOptions.tone` and what is wrong there. */
export interface CloneRequestProblem {
  path: string;
  message: string;
}

/** The body of every error answer of the handler. */
export interface CloneErrorBody {
  error: { message: string; problems?: CloneRequestProblem[] };
}

export function isTerminalStatus(status: CloneTaskStatus | undefined): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

export interface PollDelayOptions {
  /** The first polls' interval, in ms. Default 500. */
  initialMs?: number;
  /** The longest interval, in ms. Default 5000. */
  maxMs?: number;
  /** Clock in ms. Default `Date.now`. */
  now?: number;
}

/**
 * How long to wait before asking about `task` again, in ms; 0 once it is final (stop polling). Backs
 * off with the task's age, not with a count of polls, so a task resumed after a reload is not polled
 * as eagerly as a new one: a quarter of its age, between `initialMs` and `maxMs`.
 */
export function cloneTaskPollDelay(task: Pick<CloneTask, 'status' | 'createdAt'> | undefined, options: PollDelayOptions = {}): number {
  const initialMs = options.initialMs ?? 500;
  const maxMs = options.maxMs ?? 5000;
  if (!task) return initialMs;
  if (isTerminalStatus(task.status)) return 0;
  const ageMs = Math.max(0, (options.now ?? Date.now()) - Date.parse(task.createdAt));
  return Math.min(maxMs, Math.max(initialMs, Math.round(ageMs / 4)));
}
