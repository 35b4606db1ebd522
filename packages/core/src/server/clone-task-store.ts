import type { CloneTask } from '../clone/clone-task.js';
import { isTerminalStatus } from '../clone/clone-task.js';
import type { AudioFormat, JsonValue } from '../providers/provider-v1.js';

/** A task as the server keeps it: the public view plus what only the server may know. */
export interface StoredCloneTask extends CloneTask {
  /** Who created it, as `authorize` said; when set, only the same owner may read or cancel it. */
  owner?: string;
  /** The voice the task cloned at the vendor (its id and facts), so a cancel can delete it there. */
  voice?: { remoteId?: string; data?: Record<string, JsonValue> };
  /** The container of the finished audio. */
  audioFormat?: AudioFormat;
}

/** Every change a task goes through. Applied by {@link reduceCloneTask}, so any store changes tasks alike. */
export type CloneTaskAction =
  | { type: 'start'; at: string }
  | { type: 'vendor-status'; status: string; at: string }
  | { type: 'voice-created'; voice: NonNullable<StoredCloneTask['voice']>; at: string }
  | { type: 'complete'; audioUrl: string; format: AudioFormat; at: string }
  | { type: 'fail'; error: string; at: string }
  | { type: 'cancel'; at: string };

/**
 * The next state of `task` after `action`. Pure. A final task (completed, failed, cancelled) never
 * changes again, so a late `complete` cannot undo a cancel, nor a cancel a completion; such actions
 * return `task` itself.
 */
export function reduceCloneTask(task: StoredCloneTask, action: CloneTaskAction): StoredCloneTask {
  if (isTerminalStatus(task.status)) return task;
  const updatedAt = action.at;
  switch (action.type) {
    case 'start':
      return { ...task, status: 'processing', updatedAt };
    case 'vendor-status':
      return task.vendorStatus === action.status ? task : { ...task, vendorStatus: action.status, updatedAt };
    case 'voice-created':
      return { ...task, voice: action.voice, updatedAt };
    case 'complete': {
      const { vendorStatus: _vendorStatus, ...rest } = task;
      return { ...rest, status: 'completed', audioUrl: action.audioUrl, audioFormat: action.format, updatedAt };
    }
    case 'fail': {
      const { vendorStatus: _vendorStatus, ...rest } = task;
      return { ...rest, status: 'failed', error: action.error, updatedAt };
    }
    case 'cancel': {
      const { vendorStatus: _vendorStatus, ...rest } = task;
      return { ...rest, status: 'cancelled', updatedAt };
    }
  }
}

/**
 * Where the clone handler keeps tasks and their audio. The default keeps them in memory; a store on
 * Redis or a database lets several server instances share tasks (any instance can answer for any task).
 * `dispatch` must apply {@link reduceCloneTask} atomically with respect to other dispatches of the task.
 */
export interface CloneTaskStore {
  insert(task: StoredCloneTask): Promise<void>;
  get(id: string): Promise<StoredCloneTask | undefined>;
  /** Applies `action` to the task and returns it as it is afterwards; undefined when there is no such task. */
  dispatch(id: string, action: CloneTaskAction): Promise<StoredCloneTask | undefined>;
  /** Keeps a task's finished audio. Called before the `complete` action, so a completed task always has it. */
  putAudio(id: string, audio: Uint8Array): Promise<void>;
  getAudio(id: string): Promise<Uint8Array | undefined>;
}

export interface MemoryTaskStoreSettings {
  /** How long a task and its audio are kept after their last change, in ms. Default one hour. */
  retainMs?: number;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** The default store: one process's memory. Tasks and audio are forgotten `retainMs` after their last change. */
export function createMemoryTaskStore(settings: MemoryTaskStoreSettings = {}): CloneTaskStore {
  const retainMs = settings.retainMs ?? 3_600_000;
  const now = settings.now ?? Date.now;
  const tasks = new Map<string, StoredCloneTask>();
  const audio = new Map<string, Uint8Array>();

  const forgetOld = () => {
    const cutoff = now() - retainMs;
    for (const [id, task] of tasks) {
      if (Date.parse(task.updatedAt) < cutoff) {
        tasks.delete(id);
        audio.delete(id);
      }
    }
  };

  return {
    async insert(task) {
      forgetOld();
      tasks.set(task.id, task);
    },
    async get(id) {
      return tasks.get(id);
    },
    async dispatch(id, action) {
      const task = tasks.get(id);
      if (!task) return undefined;
      const next = reduceCloneTask(task, action);
      tasks.set(id, next);
      return next;
    },
    async putAudio(id, bytes) {
      audio.set(id, bytes);
    },
    async getAudio(id) {
      return audio.get(id);
    },
  };
}
