/*
 * Vidu voice clone and TTS (VENDORS.md §3): audio-clone with a client-chosen voice_id, audio-tts, and the
 * task query. Both create calls answer as finished tasks at once while the organisation has a free slot
 * (5 tasks at a time, §3.5); otherwise, or under the stuckTasks fault, the task is `queueing` and clients
 * poll `GET /ent/v2/tasks/{id}/creations`.
 */
import { randomUUID } from 'node:crypto';

import { json, type VendorContext, type VendorModule, type VendorRequest } from '../vendor.js';
import {
  characterCount,
  cloneSampleLimits,
  pauseMarkerProblem,
  promptSampleLimits,
  rangeProblem,
  sampleProblem,
  speakableText,
  voiceIdProblem,
  type SampleLimits,
} from './shared-rules.js';

const hourMs = 3_600_000;
/** A cloned voice not used in TTS is deleted 168 h after it was cloned (§3.1). */
const voiceLifetimeMs = 168 * hourMs;
/**
 * CONFLICT in VENDORS.md §3.3 (24 h vs an older 1 h): the emulator's creation URLs live 24 h. UNKNOWN whether a
 * later query signs a new URL: the emulator keeps one URL per task and hands out a fresh one only after it expired.
 */
const creationUrlLifetimeMs = 24 * hourMs;
/** Tasks one organisation runs at a time; later ones wait in `queueing`, in submission order (§3.5). */
const concurrentTasks = 5;
/**
 * UNKNOWN in VENDORS.md §3.5 how long the queue may grow: the emulator refuses a new task with 429
 * QuotaExceeded ("concurrency limit", §3.4) once 20 tasks are already queueing behind the 5 running ones.
 */
const maxQueuedTasks = 20;
const maxPayloadCharacters = 1_048_576;
const maxCloneTextCharacters = 1000;
const maxTtsTextCharacters = 10_000;
const emotions = ['happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised', 'calm'];
/** Preset voices (Vidu's list is a Feishu sheet; these are MiniMax system voice ids it shares, §6). */
const presetVoices = ['female-shaonv', 'male-qn-qingse'];

/** Vidu's error codes with their HTTP statuses (§3.4). */
const errorStatuses: Record<string, number> = {
  BadRequest: 400,
  FieldLacking: 400,
  FieldInvalid: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  TaskNotFound: 404,
  Conflict: 409,
  QuotaExceeded: 429,
  TooManyRequests: 429,
  Canceled: 499,
  InternalServiceFailure: 500,
};

class ViduProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const lacking = (field: string) => new ViduProblem('FieldLacking', `field is missing or empty: ${field}`);
const fieldInvalid = (message: string) => new ViduProblem('FieldInvalid', message);

type JsonObject = Record<string, unknown>;
type ViduState = 'queueing' | 'processing' | 'success' | 'failed';

interface ViduTask {
  id: string;
  kind: 'clone' | 'tts';
  createdAt: number;
  /** Finished when created (a free slot, no stuckTasks); otherwise it follows `taskPhase`. */
  immediate: boolean;
  payload: string;
  credits: number;
  /** The audio the task produces: the clone's preview or the speech. */
  audio: Promise<Uint8Array>;
  /** Set once a finished task's audio has been handed out. */
  creation?: { id: string; url: string; expiresAt: number };
  voiceId: string;
}

interface ClonedVoice {
  voiceId: string;
  createdAt: number;
  /** The clone task: the voice can be used once it succeeded. */
  taskId: string;
  /** Set by the first TTS call with the voice: from then on Vidu keeps it. */
  usedAt?: number;
}

export function createVidu(context: VendorContext): VendorModule {
  // Vidu's task ids are 18-digit decimal strings.
  const firstTaskId = 820_245_785_468_702_720n;
  let nextTaskId = firstTaskId;
  const tasks = new Map<string, ViduTask>();
  /** Every voice_id ever cloned, expired ones included: their ids stay taken. */
  const voices = new Map<string, ClonedVoice>();

  const traceId = () => randomUUID().replaceAll('-', '');

  /** Unfinished tasks that wait for or hold one of the organisation's slots, oldest first. */
  const inFlight = () => [...tasks.values()].filter((task) => !task.immediate && context.taskPhase(task.createdAt) !== 'done');

  const taskState = (task: ViduTask, running?: ViduTask[]): ViduState | Promise<ViduState> => {
    if (!task.immediate) {
      const phase = context.taskPhase(task.createdAt);
      if (phase !== 'done') {
        // Only the oldest five unfinished tasks run; the others queue behind them.
        const slot = (running ?? inFlight()).indexOf(task);
        return phase === 'processing' && slot >= 0 && slot < concurrentTasks ? 'processing' : 'queueing';
      }
    }
    return task.audio.then(
      () => 'success' as const,
      () => 'failed' as const,
    );
  };

  /** Unused for 168 h. */
  const isExpired = (voice: ClonedVoice) => voice.usedAt === undefined && context.clock.now() >= voice.createdAt + voiceLifetimeMs;

  /** A cloned voice TTS can use now: its clone succeeded, it has not expired, and voicesVanish is off. */
  const liveVoice = async (voiceId: string): Promise<ClonedVoice | undefined> => {
    const voice = voices.get(voiceId);
    if (!voice || isExpired(voice) || context.faults().voicesVanish) return undefined;
    const task = tasks.get(voice.taskId);
    return task && (await taskState(task)) === 'success' ? voice : undefined;
  };

  const authProblem = (request: Request): ViduProblem | undefined => {
    const header = request.headers.get('authorization') ?? '';
    // The literal word Token (§3): `Bearer <key>` is refused like a wrong key.
    const match = /^Token\s+(\S+)\s*$/.exec(header);
    if (!match || match[1] !== context.keys.vidu) {
      return new ViduProblem('Unauthorized', match ? 'invalid api key' : 'missing or malformed Authorization header: send "Authorization: Token <api key>"');
    }
    return undefined;
  };

  /** Takes a slot or a place in the queue for a new task, or refuses when the queue is full. */
  const admit = (): { immediate: boolean } => {
    const running = inFlight().length;
    if (running - concurrentTasks >= maxQueuedTasks) {
      throw new ViduProblem('QuotaExceeded', `concurrency limit: ${concurrentTasks} tasks running and ${running - concurrentTasks} queueing; retry when some have finished`);
    }
    return { immediate: running < concurrentTasks && !context.faults().stuckTasks };
  };

  const newTask = (fields: Omit<ViduTask, 'id' | 'createdAt'>): ViduTask => {
    const task: ViduTask = { id: String(nextTaskId++), createdAt: context.clock.now(), ...fields };
    tasks.set(task.id, task);
    return task;
  };

  /** The finished task's audio URL: one per task, renewed only once it expired. */
  const creationOf = async (task: ViduTask): Promise<{ id: string; url: string }> => {
    const now = context.clock.now();
    if (!task.creation || task.creation.expiresAt <= now) {
      const bytes = await task.audio;
      const url = context.publish(bytes, { contentType: 'audio/mpeg', lifetimeMs: creationUrlLifetimeMs });
      task.creation = { id: task.creation?.id ?? String(nextTaskId++), url, expiresAt: now + creationUrlLifetimeMs };
    }
    return { id: task.creation.id, url: task.creation.url };
  };

  const render = (text: string, voiceId: string): Promise<Uint8Array> => {
    const audio = context.audio.render(speakableText(text), { voiceSeed: voiceId, format: 'mp3' });
    audio.catch(() => {}); // a failed render shows as a failed task, not as an unhandled rejection
    return audio;
  };

  async function audioClone({ request, bill }: VendorRequest): Promise<Response> {
    const body = await readBody(request);
    const audioUrl = requiredString(body, 'audio_url');
    const voiceId = requiredString(body, 'voice_id');
    const voiceProblem = voiceIdProblem(voiceId);
    if (voiceProblem) throw fieldInvalid(voiceProblem);
    const promptAudioUrl = optionalString(body, 'prompt_audio_url');
    const promptText = optionalString(body, 'prompt_text');
    if (promptText !== undefined) {
      // UNKNOWN in VENDORS.md §3.1 whether prompt_text alone is accepted: the emulator wants the audio it transcribes.
      if (promptAudioUrl === undefined) throw fieldInvalid('prompt_text is the transcript of prompt_audio_url: send prompt_audio_url too');
      if (!/\p{P}$/u.test(promptText.trim())) throw fieldInvalid('prompt_text must end with a punctuation mark');
    }
    const text = requiredString(body, 'text');
    if (characterCount(text) > maxCloneTextCharacters) throw fieldInvalid(`text must be at most ${maxCloneTextCharacters} characters, got ${characterCount(text)}`);
    const pauseProblem = pauseMarkerProblem(text);
    if (pauseProblem) throw fieldInvalid(`text: ${pauseProblem}`);
    const payload = checkPayload(body.payload);
    duplicateCheck(voiceId);

    await checkSample('audio_url', audioUrl, cloneSampleLimits);
    if (promptAudioUrl !== undefined) await checkSample('prompt_audio_url', promptAudioUrl, promptSampleLimits);

    // Checked again after the downloads: another clone with the same id may have been accepted meanwhile.
    duplicateCheck(voiceId);
    const { immediate } = admit();
    const task = newTask({ kind: 'clone', immediate, payload, credits: credits(text), audio: render(text, voiceId), voiceId });
    voices.set(voiceId, { voiceId, createdAt: task.createdAt, taskId: task.id });
    bill('clone', voiceId);
    const state = await taskState(task);
    return json({
      task_id: task.id,
      state,
      voice_id: voiceId,
      demo_audio: state === 'success' ? (await creationOf(task)).url : '',
      payload,
      created_at: new Date(task.createdAt).toISOString(),
    });
  }

  /**
   * UNKNOWN in VENDORS.md §3.1 which error a duplicate voice_id gets: the emulator answers 409 `Conflict`
   * ("resource conflict") with a message containing `voice_id duplicated`. UNKNOWN too whether an expired
   * voice frees its id: the emulator keeps it taken (the stricter reading), so a replacement needs a new
   * voice_id. A voice hidden by the voicesVanish fault is as if never created, so it can be cloned again.
   */
  function duplicateCheck(voiceId: string): void {
    const existing = voices.get(voiceId);
    if (existing && (isExpired(existing) || !context.faults().voicesVanish)) {
      throw new ViduProblem('Conflict', `voice_id duplicated: ${voiceId} is already taken${isExpired(existing) ? ' (by an expired voice)' : ''}`);
    }
  }

  async function checkSample(field: string, url: string, limits: SampleLimits): Promise<void> {
    let sample: { bytes: Uint8Array };
    try {
      sample = await context.fetchSample(url);
    } catch (error) {
      throw fieldInvalid(`${field} could not be downloaded: ${(error as Error).message}`);
    }
    const problem = sampleProblem(await context.probeAudio(sample.bytes), sample.bytes.length, limits);
    if (problem) throw fieldInvalid(`${field}: ${problem}`);
  }

  async function audioTts({ request, bill }: VendorRequest): Promise<Response> {
    const body = await readBody(request);
    const text = requiredString(body, 'text');
    // "< 10 000 characters" (§3.2): 10 000 is refused.
    if (characterCount(text) >= maxTtsTextCharacters) throw fieldInvalid(`text must be shorter than ${maxTtsTextCharacters} characters, got ${characterCount(text)}`);
    const pauseProblem = pauseMarkerProblem(text);
    if (pauseProblem) throw fieldInvalid(`text: ${pauseProblem}`);
    const voiceId = requiredString(body, 'voice_setting_voice_id');
    const problem =
      rangeProblem('voice_setting_speed', body.voice_setting_speed, 0.5, 2) ??
      rangeProblem('voice_setting_volume', body.voice_setting_volume, 0, 10, { integer: true }) ??
      rangeProblem('voice_setting_pitch', body.voice_setting_pitch, -12, 12, { integer: true });
    if (problem) throw fieldInvalid(problem);
    const emotion = body.voice_setting_emotion;
    if (emotion !== undefined && emotion !== null && emotion !== '' && (typeof emotion !== 'string' || !emotions.includes(emotion))) {
      throw fieldInvalid(`voice_setting_emotion must be one of ${emotions.join(', ')}, got ${JSON.stringify(emotion)}`);
    }
    const dictionary = body.pronunciation_dict_tone;
    if (dictionary !== undefined && dictionary !== null && (!Array.isArray(dictionary) || !dictionary.every((entry) => typeof entry === 'string'))) {
      throw fieldInvalid('pronunciation_dict_tone must be an array of strings like "omg/oh my god"');
    }
    const payload = checkPayload(body.payload);

    // UNKNOWN in VENDORS.md §3.2 which error an unknown voice gets: the emulator answers 400 FieldInvalid.
    const voice = presetVoices.includes(voiceId) ? undefined : await liveVoice(voiceId);
    if (!presetVoices.includes(voiceId) && !voice) {
      throw fieldInvalid(`voice_setting_voice_id ${voiceId} does not exist (cloned voices unused for 168 h are deleted)`);
    }
    const { immediate } = admit();
    // Used within 168 h → kept: from this call on Vidu never deletes the voice.
    if (voice && voice.usedAt === undefined) voice.usedAt = context.clock.now();
    const task = newTask({ kind: 'tts', immediate, payload, credits: credits(text), audio: render(text, voiceId), voiceId });
    bill('synthesis', `${voiceId}\n${text}`);
    const state = await taskState(task);
    return json({
      task_id: task.id,
      state,
      ...(state === 'success' ? { file_url: (await creationOf(task)).url } : {}),
      credits: task.credits,
      created_at: new Date(task.createdAt).toISOString(),
    });
  }

  async function describeTask(task: ViduTask, running: ViduTask[]): Promise<JsonObject> {
    const state = await taskState(task, running);
    const creation = state === 'success' ? await creationOf(task) : undefined;
    return {
      id: task.id,
      state,
      err_code: state === 'failed' ? 'InternalServiceFailure' : '',
      credits: task.credits,
      payload: task.payload,
      bgm: false,
      off_peak: false,
      // Audio has no cover; the emulator adds no watermark, so watermarked_url is the same file.
      creations: creation ? [{ id: creation.id, url: creation.url, cover_url: '', watermarked_url: creation.url }] : [],
    };
  }

  async function taskCreations({ path }: VendorRequest): Promise<Response> {
    const id = decodeURIComponent(/^\/ent\/v2\/tasks\/([^/]+)\/creations$/.exec(path)![1]!);
    const task = tasks.get(id);
    if (!task) throw new ViduProblem('TaskNotFound', `task ${id} not found`);
    return json(await describeTask(task, inFlight()));
  }

  /** `GET /ent/v2/tasks?task_ids=a,b` (or repeated task_ids): unknown ids are left out (§3.3). */
  async function listTasks({ url }: VendorRequest): Promise<Response> {
    const ids = url.searchParams.getAll('task_ids').flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
    if (ids.length === 0) throw lacking('task_ids');
    const running = inFlight();
    const found = ids.map((id) => tasks.get(id)).filter((task): task is ViduTask => task !== undefined);
    return json({ tasks: await Promise.all(found.map((task) => describeTask(task, running))) });
  }

  const errorResponse = (problem: ViduProblem, headers: Record<string, string> = {}) => {
    // UNKNOWN in VENDORS.md §3.4 (body shape): the emulator uses the third-party fixture's shape
    // {code, message, reason, metadata: {trace_id}}.
    return json({ code: problem.code, message: problem.message, reason: problem.code, metadata: { trace_id: traceId() } }, errorStatuses[problem.code] ?? 400, headers);
  };

  const route = (method: string, path: string): ((request: VendorRequest) => Promise<Response>) | undefined => {
    if (method === 'POST' && path === '/ent/v2/audio-clone') return audioClone;
    if (method === 'POST' && path === '/ent/v2/audio-tts') return audioTts;
    if (method === 'GET' && /^\/ent\/v2\/tasks\/[^/]+\/creations$/.test(path)) return taskCreations;
    if (method === 'GET' && path === '/ent/v2/tasks') return listTasks;
    return undefined;
  };

  return {
    async handle(vendorRequest) {
      const { request, path } = vendorRequest;
      const handler = route(request.method, path);
      if (!handler) return errorResponse(new ViduProblem('NotFound', `no endpoint ${request.method} ${path}`));
      const authentication = authProblem(request);
      if (authentication) return errorResponse(authentication);
      try {
        return await handler(vendorRequest);
      } catch (error) {
        // A bug or an unreadable request in the emulator itself still answers in the vendor's shape.
        return errorResponse(error instanceof ViduProblem ? error : new ViduProblem('InternalServiceFailure', (error as Error).message));
      }
    },
    faultResponse(status, options) {
      const headers: Record<string, string> = {};
      if (options.retryAfterSeconds !== undefined) headers['Retry-After'] = String(options.retryAfterSeconds);
      const code =
        status === 429 ? 'TooManyRequests'
        : status >= 500 ? 'InternalServiceFailure'
        : (Object.entries(errorStatuses).find(([name, itsStatus]) => itsStatus === status && name !== 'FieldLacking' && name !== 'FieldInvalid' && name !== 'TaskNotFound')?.[0] ?? 'BadRequest');
      const response = errorResponse(new ViduProblem(code, `injected fault: HTTP ${status}`), headers);
      return status === response.status ? response : new Response(response.body, { status, headers: response.headers });
    },
    reset() {
      nextTaskId = firstTaskId;
      tasks.clear();
      voices.clear();
    },
  };
}

/** UNKNOWN in VENDORS.md §3.2 how TTS credits are counted: the emulator charges 1 credit per started 100 characters. */
const credits = (text: string) => Math.max(1, Math.ceil(characterCount(text) / 100));

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

async function readBody(request: Request): Promise<JsonObject> {
  const body = await request.json().catch(() => undefined);
  if (!isObject(body)) throw new ViduProblem('BadRequest', 'the request body must be a JSON object');
  return body;
}

function requiredString(body: JsonObject, field: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw lacking(field);
  if (typeof value !== 'string') throw fieldInvalid(`${field} must be a string`);
  if (value.trim() === '') throw lacking(field);
  return value;
}

function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw fieldInvalid(`${field} must be a string`);
  return value;
}

function checkPayload(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw fieldInvalid('payload must be a string');
  if (value.length > maxPayloadCharacters) throw fieldInvalid(`payload must be at most ${maxPayloadCharacters} characters, got ${value.length}`);
  return value;
}
