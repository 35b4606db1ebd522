import { CloneRequestError } from '../errors/clone-request-error.js';
import type { CloneErrorBody, CloneTask, CloneVoice, CreateCloneTaskInput } from './clone-task.js';

export interface CloneClientSettings {
  /** Where `createCloneHandler` is mounted: `/api/voxform` (same origin) or an absolute URL. */
  endpoint: string;
  /** The fetch to call (one that adds an Authorization header…). Default: `globalThis.fetch`, looked up at every call. */
  fetch?: typeof fetch;
}

/** Talks to a clone handler. What `@voxform/react`'s hooks call; usable without React. */
export interface CloneClient {
  readonly endpoint: string;
  /** `POST /tasks`: multipart when `input.sample` is a file, JSON otherwise. Resolves to the new task's id. */
  createTask(input: CreateCloneTaskInput, options?: { signal?: AbortSignal }): Promise<{ id: string }>;
  /** `GET /tasks/:id`. */
  getTask(id: string, options?: { signal?: AbortSignal }): Promise<CloneTask>;
  /** `DELETE /tasks/:id`: the task as it is after the cancel (a finished task stays finished). */
  cancelTask(id: string): Promise<CloneTask>;
  /** `GET /voices`: the voices of the server's manifest. */
  listVoices(options?: { signal?: AbortSignal }): Promise<CloneVoice[]>;
  /** The URL to play a completed task's audio from, resolved against the endpoint; undefined before. */
  audioUrlOf(task: CloneTask | undefined): string | undefined;
}

export function createCloneClient(settings: CloneClientSettings): CloneClient {
  const endpoint = settings.endpoint.replace(/\/+$/, '');
  const isAbsolute = /^https?:\/\//i.test(endpoint);

  async function call<T>(path: string, init: RequestInit): Promise<T> {
    const fetchFunction = settings.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetchFunction(`${endpoint}${path}`, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new CloneRequestError({ status: 0, message: `${endpoint} could not be reached (${(error as Error).message})`, cause: error });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const error = (body as Partial<CloneErrorBody> | undefined)?.error;
      throw new CloneRequestError({
        status: response.status,
        message: typeof error?.message === 'string' ? error.message : `${init.method ?? 'GET'} ${endpoint}${path} answered HTTP ${response.status}`,
        ...(Array.isArray(error?.problems) ? { problems: error.problems } : {}),
      });
    }
    if (body === undefined) {
      throw new CloneRequestError({ status: response.status, message: `${endpoint}${path} answered HTTP ${response.status} without the JSON expected` });
    }
    return body as T;
  }

  const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

  return {
    endpoint,
    createTask(input, options = {}) {
      const { sample, voiceOptions, options: lineOptions, ...fields } = input;
      let body: BodyInit;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (sample) {
        const form = new FormData();
        form.set('sample', sample, sample instanceof File ? sample.name : 'sample');
        for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.set(name, value);
        if (voiceOptions) form.set('voiceOptions', JSON.stringify(voiceOptions));
        if (lineOptions) form.set('options', JSON.stringify(lineOptions));
        body = form;
      } else {
        body = JSON.stringify(input);
        headers['content-type'] = 'application/json';
      }
      return call<{ id: string }>('/tasks', { method: 'POST', headers, body, ...(options.signal ? { signal: options.signal } : {}) });
    },
    getTask(id, options = {}) {
      return call<CloneTask>(taskPath(id), { headers: { accept: 'application/json' }, ...(options.signal ? { signal: options.signal } : {}) });
    },
    cancelTask(id) {
      return call<CloneTask>(taskPath(id), { method: 'DELETE', headers: { accept: 'application/json' } });
    },
    async listVoices(options = {}) {
      const { voices } = await call<{ voices: CloneVoice[] }>('/voices', { headers: { accept: 'application/json' }, ...(options.signal ? { signal: options.signal } : {}) });
      return voices;
    },
    audioUrlOf(task) {
      if (task?.status !== 'completed' || !task.audioUrl) return undefined;
      // The handler names the audio by path on its own origin, which is the endpoint's.
      return isAbsolute ? new URL(task.audioUrl, endpoint).href : task.audioUrl;
    },
  };
}
