/*
 * AI Voice Clone Free ("MixVoice"), VENDORS.md §1. Each call clones a sample and speaks a text with it
 * in one go; no voice is kept, so the voicesVanish fault has nothing to act on here.
 *
 * The two API generations live on different real hosts — the legacy "instant" API (api_key in the
 * body or query) on `aivoiceclonefree.com`, the v2 API (`Authorization: Bearer`) on
 * `api.aiclonevoicefree.com` — and their paths do not overlap, so the emulator serves both under its
 * one `/aivoiceclonefree` prefix.
 */
import { randomUUID } from 'node:crypto';

import { json, type VendorContext, type VendorModule, type VendorRequest } from '../vendor.js';
import { characterCount, httpUrlProblem, observeTask, rangeProblem, sampleProblem, sha256Hex, type SampleLimits, type TaskTimes } from './shared-rules.js';

// UNKNOWN in VENDORS.md §1.4 (sample limits of the current endpoints): the emulator takes the 5 s
// minimum of the old sync page, the 5 min / 20 MB ceiling the other vendors share (§6), and WAV/MP3/M4A.
const sampleLimits: SampleLimits = { formats: ['wav', 'mp3', 'm4a'], minDurationMs: 5_000, maxDurationMs: 300_000, maxBytes: 20 * 1024 * 1024 };
// UNKNOWN in VENDORS.md §1.4 (async text limit): the emulator allows 10 000 characters.
const asyncTextLimit = 10_000;
/** §1.1 clone-sync: "less than 500 characters". */
const syncTextLimit = 500;
/** §1.1: task-result and clone-sync URLs are valid 24 h ("typically 24–48 hours"; the emulator takes the short end). */
const audioLifetimeMs = 24 * 60 * 60 * 1000;
const legacyModels = ['v1', 'v2', 'v-mul'];
const v2Models = ['v2-emotion', 'v1-real', 'v3-qwen', 'omni', 'voxcpm'];
const emotionModes = ['text', 'vector', 'reference'];

interface CloneTask extends TaskTimes {
  api: 'legacy' | 'v2';
  id: string;
  text: string;
  model: string;
  voiceSeed: string;
  /** Set at creation when the sample cannot be used: the task fails with this reason. */
  failure?: string;
  metadata?: unknown;
  audioUrl?: Promise<string>;
}

type Fields = Record<string, unknown>;

export function createAiVoiceCloneFree(context: VendorContext): VendorModule {
  const tasks = new Map<string, CloneTask>();

  // UNKNOWN in VENDORS.md §1.3 (legacy error body): the emulator answers `{"error": "<message>"}`.
  const legacyError = (status: number, message: string): Response => json({ error: message }, status);
  // §1.3 documents this shape for v2 auth failures only; the emulator uses it for every v2 error.
  const v2Error = (status: number, code: string, type: string, message: string, headers: Record<string, string> = {}): Response =>
    json({ error: { code, type, message } }, status, headers);

  /** Downloads (or takes the uploaded) sample: its voice seed, and the reason it cannot be used. */
  const readSample = async (source: { url: string } | { bytes: Uint8Array }): Promise<{ voiceSeed: string; problem?: string }> => {
    let bytes: Uint8Array;
    if ('url' in source) {
      try {
        bytes = (await context.fetchSample(source.url)).bytes;
      } catch (fetchError) {
        return { voiceSeed: sha256Hex(source.url), problem: `audio could not be downloaded: ${(fetchError as Error).message}` };
      }
    } else {
      bytes = source.bytes;
    }
    const problem = sampleProblem(await context.probeAudio(bytes), bytes.length, sampleLimits);
    return { voiceSeed: sha256Hex(bytes), ...(problem ? { problem: `invalid audio: ${problem}` } : {}) };
  };

  /** Status, when the status began, and the finished audio's URL (rendered on first sight). */
  const progress = async (task: CloneTask): Promise<{ status: 'pending' | 'processing' | 'completed' | 'failed'; since: number; audioUrl?: string }> => {
    const { phase, since } = observeTask(context, task);
    if (phase !== 'done') return { status: phase === 'queued' ? 'pending' : 'processing', since };
    if (task.failure) return { status: 'failed', since };
    const expiresAt = since + audioLifetimeMs;
    if (context.clock.now() >= expiresAt) return { status: 'completed', since };
    const format = task.api === 'v2' ? 'wav' : 'mp3';
    task.audioUrl ??= context.audio
      .render(task.text, { voiceSeed: task.voiceSeed, format })
      .then((bytes) => context.publish(bytes, { contentType: format === 'wav' ? 'audio/wav' : 'audio/mpeg', lifetimeMs: expiresAt - context.clock.now() }));
    return { status: 'completed', since, audioUrl: await task.audioUrl };
  };

  // ---- Legacy "instant" API (§1.1) ----

  const legacyCreate = async (request: Request, sync: boolean, bill: VendorRequest['bill']): Promise<Response> => {
    const read = await readLegacyBody(request);
    if (typeof read === 'string') return legacyError(400, read);
    const { fields, file } = read;
    if (typeof fields.api_key !== 'string' || fields.api_key === '') return legacyError(400, 'api_key is required');
    if (fields.api_key !== context.keys.aivoiceclonefree) return legacyError(401, 'invalid api_key');
    const hasUrl = fields.audio_url !== undefined && fields.audio_url !== '';
    if (!file && !hasUrl) return legacyError(400, 'audio (a file) or audio_url is required');
    if (file && hasUrl) return legacyError(400, 'send either audio or audio_url, not both');
    if (hasUrl) {
      const urlProblem = httpUrlProblem('audio_url', fields.audio_url);
      if (urlProblem) return legacyError(400, urlProblem);
    }
    if (typeof fields.text !== 'string' || fields.text.trim() === '') return legacyError(400, 'text is required');
    const text = fields.text;
    const limit = sync ? syncTextLimit : asyncTextLimit;
    if (characterCount(text) >= limit) return legacyError(400, `text must be shorter than ${limit} characters, got ${characterCount(text)}`);
    const model = fields.model ?? 'v2';
    if (!sync && !legacyModels.includes(model as string)) return legacyError(400, `model must be one of ${legacyModels.join(', ')}, got ${JSON.stringify(model)}`);
    const numbers = numericFields(fields, ['speed_ratio', 'pitch_ratio', 'volume_ratio']);
    if (typeof numbers === 'string') return legacyError(400, numbers);
    const ratioProblem = ratiosProblem(numbers);
    if (ratioProblem) return legacyError(400, ratioProblem);
    let type: number | undefined;
    if (sync) {
      type = Number(fields.type);
      if (fields.type === undefined || fields.type === '') return legacyError(400, 'type is required: 1 for the audio in the response body, 2 for a JSON audio_url');
      if (type !== 1 && type !== 2) return legacyError(400, `type must be 1 or 2, got ${JSON.stringify(fields.type)}`);
    } else if (fields.emotion_control !== undefined && fields.emotion_control !== '') {
      if (model !== 'v2') return legacyError(400, `emotion_control is only available with model 'v2', got model '${model as string}'`);
      const emotionProblem = emotionControlProblem(fields.emotion_control);
      if (emotionProblem) return legacyError(400, emotionProblem);
    }

    const source = file ? { bytes: file } : { url: fields.audio_url as string };
    const sample = await readSample(source);
    const billingKey = `${file ? sha256Hex(file) : (fields.audio_url as string)}\n${text}`;
    if (sync) {
      if (sample.problem) return legacyError(400, sample.problem);
      bill('synthesis', billingKey);
      const bytes = await context.audio.render(text, { voiceSeed: sample.voiceSeed, format: 'mp3' });
      if (type === 1) return new Response(new Uint8Array(bytes), { headers: { 'content-type': 'audio/mpeg', 'content-length': String(bytes.length) } });
      return json({ audio_url: context.publish(bytes, { contentType: 'audio/mpeg', lifetimeMs: audioLifetimeMs }) });
    }
    // An unusable sample is read while the task runs, so the task is accepted and then fails; failed
    // work is refunded (§1.3, v2 pages), so it is not billed.
    const task: CloneTask = { api: 'legacy', id: randomUUID(), text, model: model as string, voiceSeed: sample.voiceSeed, createdAt: context.clock.now(), ...(sample.problem ? { failure: sample.problem } : {}) };
    tasks.set(task.id, task);
    if (!sample.problem) bill('synthesis', billingKey);
    return json({ task_id: task.id, status: 'pending' });
  };

  /** task-status and task-result: both take `task_id` and `api_key` in the query. */
  const legacyLookup = (url: URL): CloneTask | Response => {
    const taskId = url.searchParams.get('task_id');
    const apiKey = url.searchParams.get('api_key');
    if (!apiKey) return legacyError(400, 'api_key is required');
    if (!taskId) return legacyError(400, 'task_id is required');
    if (apiKey !== context.keys.aivoiceclonefree) return legacyError(401, 'invalid api_key');
    const task = tasks.get(taskId);
    if (!task || task.api !== 'legacy') return legacyError(404, `task '${taskId}' not found`);
    return task;
  };

  const legacyStatus = async (url: URL): Promise<Response> => {
    const task = legacyLookup(url);
    if (task instanceof Response) return task;
    const { status, since } = await progress(task);
    return json({
      task_id: task.id,
      status,
      created_at: dateTime(task.createdAt),
      updated_at: dateTime(since),
      // UNKNOWN in VENDORS.md §1.1: no failure reason is documented; the emulator adds `error` to a failed task.
      ...(status === 'failed' ? { error: task.failure } : {}),
    });
  };

  const legacyResult = async (url: URL): Promise<Response> => {
    const task = legacyLookup(url);
    if (task instanceof Response) return task;
    const { status, audioUrl } = await progress(task);
    if (status !== 'completed') return legacyError(404, `task '${task.id}' is ${status}, not completed: the result exists only for completed tasks`);
    if (!audioUrl) return legacyError(410, `the audio of task '${task.id}' has expired (it is kept 24 hours)`);
    return json({ audio_url: audioUrl });
  };

  // ---- v2 API (§1.2) ----

  const v2Task = async (task: CloneTask): Promise<Fields> => {
    const { status, since, audioUrl } = await progress(task);
    const finished = status === 'completed' || status === 'failed';
    return {
      task_id: task.id,
      status,
      capability: 'voice',
      action: 'clone',
      model: task.model,
      progress: null,
      error: status === 'failed' ? { code: 'invalid_reference_audio', message: task.failure, type: 'task_error' } : null,
      credits_used: null,
      created_at: Math.floor(task.createdAt / 1000),
      completed_at: finished ? Math.floor(since / 1000) : null,
      metadata: task.metadata ?? null,
      // The result is flattened at the top level once completed (§1.2); the example names the provider so.
      ...(status === 'completed' ? { audioUrl: audioUrl ?? null, providerUsed: 'v1-async' } : {}),
    };
  };

  const v2Create = async (request: Request, bill: VendorRequest['bill']): Promise<Response> => {
    const invalid = (message: string) => v2Error(400, 'invalid_request', 'invalid_request_error', message);
    const body = (await request.json().catch(() => undefined)) as Fields | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return invalid('the request body must be a JSON object');
    if (typeof body.text !== 'string' || body.text.trim() === '') return invalid('text is required');
    if (characterCount(body.text) >= asyncTextLimit) return invalid(`text must be shorter than ${asyncTextLimit} characters, got ${characterCount(body.text)}`);
    if (typeof body.voice_id === 'string' && body.voice_id !== '' && body.reference_audio_url === undefined) {
      return invalid('voice_id needs the saved-voice catalog, which is not available yet: send reference_audio_url');
    }
    const urlProblem = httpUrlProblem('reference_audio_url', body.reference_audio_url);
    if (urlProblem) return invalid(urlProblem);
    const model = body.model ?? 'v2-emotion';
    if (!v2Models.includes(model as string)) return invalid(`model must be one of ${v2Models.join(', ')}, got ${JSON.stringify(model)}`);
    // UNKNOWN in VENDORS.md §1.2 (v2 ratio ranges): the emulator applies the legacy ranges.
    const problem =
      ratiosProblem(body) ??
      (['generate_subtitle', 'compact_mode'].map((name) => (body[name] !== undefined && typeof body[name] !== 'boolean' ? `${name} must be true or false` : undefined)).find(Boolean)) ??
      rangeProblem('compact_max_silence_ms', body.compact_max_silence_ms, 0, Number.MAX_SAFE_INTEGER, { integer: true }) ??
      (body.metadata !== undefined && (typeof body.metadata !== 'object' || body.metadata === null || Array.isArray(body.metadata)) ? 'metadata must be an object' : undefined);
    if (problem) return invalid(problem);

    const referenceUrl = body.reference_audio_url as string;
    const sample = await readSample({ url: referenceUrl });
    const task: CloneTask = {
      api: 'v2',
      id: randomUUID(),
      text: body.text,
      model: model as string,
      voiceSeed: sample.voiceSeed,
      createdAt: context.clock.now(),
      ...(sample.problem ? { failure: sample.problem } : {}),
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
    };
    tasks.set(task.id, task);
    if (!sample.problem) bill('synthesis', `${referenceUrl}\n${body.text}`);
    return json(await v2Task(task), 202);
  };

  const v2Route = async (request: Request, path: string, bill: VendorRequest['bill']): Promise<Response> => {
    const authorization = request.headers.get('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!token) return v2Error(401, 'missing_api_key', 'auth_error', 'No API key provided: send Authorization: Bearer sk_...');
    if (token !== context.keys.aivoiceclonefree) return v2Error(401, 'invalid_api_key', 'auth_error', 'The API key is invalid or has been revoked');
    if (path === '/api/v2/voice/clone' && request.method === 'POST') return v2Create(request, bill);
    const taskId = /^\/api\/v2\/tasks\/([^/]+)$/.exec(path)?.[1];
    if (taskId !== undefined && request.method === 'GET') {
      const task = tasks.get(taskId);
      if (!task || task.api !== 'v2') return v2Error(404, 'task_not_found', 'not_found_error', `task '${taskId}' not found`);
      return json(await v2Task(task));
    }
    return v2Error(404, 'not_found', 'not_found_error', `no endpoint ${request.method} ${path}`);
  };

  return {
    async handle({ request, url, path, bill }) {
      if (path.startsWith('/api/v2/')) return v2Route(request, path, bill);
      if (request.method === 'POST' && path === '/api/instant/create-task') return legacyCreate(request, false, bill);
      if (request.method === 'POST' && path === '/api/instant/clone-sync') return legacyCreate(request, true, bill);
      if (request.method === 'GET' && path === '/api/instant/task-status') return legacyStatus(url);
      if (request.method === 'GET' && path === '/api/instant/task-result') return legacyResult(url);
      return legacyError(404, `no endpoint ${request.method} ${path}`);
    },

    faultResponse(status, { retryAfterSeconds }) {
      // An injected fault cannot tell which API was called; the emulator answers in the v2 shape, the
      // only documented error body (§1.3).
      const headers: Record<string, string> = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
      if (status === 429) return v2Error(429, 'rate_limit_exceeded', 'rate_limit_error', 'Too many requests, please retry later', headers);
      if (status >= 500) return v2Error(status, 'server_error', 'api_error', 'The service is temporarily unavailable', headers);
      return v2Error(status, 'invalid_request', 'invalid_request_error', 'The request failed', headers);
    },

    reset() {
      tasks.clear();
    },
  };
}

/** The legacy body: multipart or url-encoded form (a file in `audio`), or JSON (URL only, §1.1). */
async function readLegacyBody(request: Request): Promise<{ fields: Fields; file?: Uint8Array } | string> {
  const contentType = (request.headers.get('content-type') ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    const body = await request.json().catch(() => undefined);
    if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the request body must be a JSON object';
    if ((body as Fields).audio !== undefined) return 'a JSON body takes audio_url only; send the audio file as multipart/form-data';
    return { fields: body as Fields };
  }
  if (contentType.startsWith('multipart/form-data') || contentType.startsWith('application/x-www-form-urlencoded')) {
    const form = await request.formData().catch(() => undefined);
    if (!form) return 'the form body could not be read';
    const fields: Fields = {};
    let file: Uint8Array | undefined;
    for (const [name, value] of form) {
      if (typeof value === 'string') fields[name] = value;
      else if (name === 'audio') file = new Uint8Array(await value.arrayBuffer());
    }
    return { fields, ...(file && file.length > 0 ? { file } : {}) };
  }
  return `send multipart/form-data or application/json, got '${contentType || 'no content type'}'`;
}

/** Numbers sent as form text become numbers; anything else that is not a number is a problem. */
function numericFields(fields: Fields, names: string[]): Fields | string {
  const result: Fields = { ...fields };
  for (const name of names) {
    const value = fields[name];
    if (value === undefined || value === '') {
      delete result[name];
      continue;
    }
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) return `${name} must be a number, got ${JSON.stringify(value)}`;
    result[name] = number;
  }
  return result;
}

/** §1.1: speed_ratio 0.5–2.0, pitch_ratio −10…10 semitones, volume_ratio 0.1–2.0. */
function ratiosProblem(fields: Fields): string | undefined {
  return rangeProblem('speed_ratio', fields.speed_ratio, 0.5, 2) ?? rangeProblem('pitch_ratio', fields.pitch_ratio, -10, 10) ?? rangeProblem('volume_ratio', fields.volume_ratio, 0.1, 2);
}

/**
 * UNKNOWN in VENDORS.md §1.1 (`emotion_control` sub-fields): the emulator takes the shape the v2
 * dubbing page documents per segment (§1.2), as one object:
 * `{ mode: 'text' | 'vector' | 'reference', text?, vector?, reference_audio_url? }` — `text` for mode
 * text, `vector` (8 numbers from 0 to 1: joy, anger, sorrow, fear, excitement, depression, surprise,
 * calm) for mode vector, `reference_audio_url` for mode reference. In a form it is a JSON string.
 */
function emotionControlProblem(value: unknown): string | undefined {
  let control = value;
  if (typeof value === 'string') {
    try {
      control = JSON.parse(value);
    } catch {
      return 'emotion_control must be a JSON object';
    }
  }
  if (!control || typeof control !== 'object' || Array.isArray(control)) return 'emotion_control must be an object';
  const { mode, text, vector, reference_audio_url: referenceUrl } = control as Fields;
  if (!emotionModes.includes(mode as string)) return `emotion_control.mode must be one of ${emotionModes.join(', ')}, got ${JSON.stringify(mode)}`;
  if (mode === 'text' && (typeof text !== 'string' || text.trim() === '')) return 'emotion_control.text is required for mode text';
  if (mode === 'vector' && (!Array.isArray(vector) || vector.length !== 8 || !vector.every((item) => typeof item === 'number' && item >= 0 && item <= 1))) {
    return 'emotion_control.vector must be 8 numbers from 0 to 1 (joy, anger, sorrow, fear, excitement, depression, surprise, calm)';
  }
  if (mode === 'reference') return httpUrlProblem('emotion_control.reference_audio_url', referenceUrl);
  return undefined;
}

// UNKNOWN in VENDORS.md §1.1 (time zone of `YYYY-MM-DD HH:MM:SS`): the emulator writes UTC.
function dateTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(0, 19).replace('T', ' ');
}
