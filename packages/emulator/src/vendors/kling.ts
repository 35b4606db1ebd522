/*
 * Kling AI custom voices, VENDORS.md §4. Every answer is the envelope `{code, message, request_id, data}`
 * (§4.3) with the vendor codes of §4.9; timestamps are Unix milliseconds. Auth takes the static API key
 * or an HS256 JWT built from the access/secret key pair, checked against the emulator clock (§4.2).
 */
import { randomUUID } from 'node:crypto';

import { errors as joseErrors, jwtVerify } from 'jose';

import { json, type VendorContext, type VendorModule, type VendorRequest } from '../vendor.js';
import { characterCount, httpUrlProblem, observeTask, sha256Hex, urlExtension, type TaskTimes } from './shared-rules.js';

// UNKNOWN in VENDORS.md §4.10 (which concurrency pack voice creation uses, and its size): the emulator
// lets an account hold 5 voice tasks in submitted/processing at once, a small resource pack's figure.
export const klingParallelTaskLimit = 5;
/** Seconds of clock difference tolerated on a JWT's `exp` and `nbf`. */
const tokenSkewSeconds = 5;
/** §4.4: voice samples 5–30 s. */
const sampleMinMs = 5_000;
const sampleMaxMs = 30_000;
const sampleExtensions = ['mp3', 'wav', 'mp4', 'mov'];
/** §4.13: generated outputs are cleared after 30 days. */
const outputLifetimeMs = 30 * 24 * 60 * 60 * 1000;
// CONFLICT in VENDORS.md §4.6 (pageSize max 500 vs 1000): the emulator takes the stricter 500, which
// both documented limits accept.
const pageSizeMax = 500;
const trialText = 'Hello! This is a short preview of my custom voice.';
/** §4.5, live probe S33: a clone was charged 0.05 units. */
const cloneDeduction = '0.05';

interface VoiceTask extends TaskTimes {
  taskId: string;
  externalTaskId?: string;
  voiceName: string;
  voiceId: string;
  voiceSeed: string;
  /** Set at creation when the sample cannot be used: the task fails with this reason. */
  failure?: string;
  deletedAt?: number;
  trialUrl?: Promise<string>;
}

/** Official voices of `presets-voices` (§4.7); their ids are not valid for TTS (§4.12). */
const presetVoices = [
  { voiceId: '800000000000000001', voiceName: 'Sunny Narrator' },
  { voiceId: '800000000000000002', voiceName: 'Calm Storyteller' },
  { voiceId: '800000000000000003', voiceName: 'Bright Host' },
  { voiceId: '800000000000000004', voiceName: 'Warm Reader' },
];
const presetCreatedAt = Date.UTC(2025, 0, 1);

// The TTS catalog is separate from presets-voices (§4.12). These ids follow the style of Kling's
// official TTS voices; the catalog itself is not documented in VENDORS.md.
const ttsVoices: Record<string, 'zh' | 'en'> = {
  genshin_vindi2: 'zh',
  zhinen_xuesheng: 'zh',
  oversea_male1: 'en',
  'commercial_lady_en_f-v1': 'en',
};

type Body = Record<string, unknown>;

export function createKling(context: VendorContext): VendorModule {
  const tasks = new Map<string, VoiceTask>();
  const presetTrialUrls = new Map<string, Promise<string>>();
  let nextTaskNumber = 0n;
  let nextVoiceNumber = 0n;
  const secret = new TextEncoder().encode(context.keys.kling.secretKey);
  // `owned_by` of a custom voice is its creator's id (§4.5): one account, one numeric id.
  const accountId = String(Number.parseInt(sha256Hex(context.keys.kling.accessKey).slice(0, 8), 16));

  const newTaskId = () => String(861_234_567_000_000_000n + nextTaskNumber++);
  const newVoiceId = () => String(930_801_338_000_000_000n + nextVoiceNumber++);

  // §4.3 types the message only as a string; the emulator writes "SUCCEED" on success, as Kling does.
  const answer = (data: unknown): Response => json({ code: 0, message: 'SUCCEED', request_id: randomUUID(), data });
  // Errors carry no `data` (§4.9 shows it for 1303; the emulator does so for every error).
  const fail = (status: number, code: number, message: string, headers: Record<string, string> = {}): Response =>
    json({ code, message, request_id: randomUUID() }, status, headers);
  const invalid = (message: string) => fail(400, 1201, message);

  /** Undefined when the request may pass; else the 401 answer (§4.2, §4.9). */
  const authenticate = async (request: Request): Promise<Response | undefined> => {
    const header = (request.headers.get('authorization') ?? '').trim();
    if (header === '' || /^Bearer$/i.test(header)) return fail(401, 1001, 'Authorization is empty');
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    if (!token) return fail(401, 1002, 'Authorization is invalid: send Authorization: Bearer <token>');
    if (token === context.keys.kling.apiKey) return undefined;
    try {
      await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        issuer: context.keys.kling.accessKey,
        requiredClaims: ['exp'],
        currentDate: new Date(context.clock.now()),
        clockTolerance: tokenSkewSeconds,
      });
      return undefined;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return fail(401, 1004, 'Authorization token has expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf' && error.reason === 'check_failed') {
        return fail(401, 1003, 'Authorization token is not yet valid (nbf)');
      }
      return fail(401, 1002, 'Authorization is invalid');
    }
  };

  /** Tasks that exist for the caller: not deleted, and none at all while voices vanish. */
  const visibleTasks = (): VoiceTask[] => (context.faults().voicesVanish ? [] : [...tasks.values()].filter((task) => task.deletedAt === undefined));

  const taskView = async (task: VoiceTask): Promise<Body> => {
    const { phase, since } = observeTask(context, task);
    const status = phase === 'queued' ? 'submitted' : phase === 'processing' ? 'processing' : task.failure ? 'failed' : 'succeed';
    const view: Body = {
      task_id: task.taskId,
      task_status: status,
      task_status_msg: status === 'failed' ? task.failure : '',
      final_unit_deduction: status === 'succeed' ? cloneDeduction : '0',
      task_info: task.externalTaskId !== undefined ? { external_task_id: task.externalTaskId } : {},
      created_at: task.createdAt,
      updated_at: since,
    };
    if (status !== 'succeed') return view;
    task.trialUrl ??= context.audio
      .render(trialText, { voiceSeed: task.voiceSeed, format: 'mp3' })
      .then((bytes) => context.publish(bytes, { contentType: 'audio/mpeg', lifetimeMs: since + outputLifetimeMs - context.clock.now() }));
    const voice = { voice_id: task.voiceId, voice_name: task.voiceName, trial_url: await task.trialUrl, owned_by: accountId };
    return { ...view, task_result: { voices: [voice] } };
  };

  const presetView = async (preset: (typeof presetVoices)[number]): Promise<Body> => {
    let trialUrl = presetTrialUrls.get(preset.voiceId);
    if (!trialUrl) {
      trialUrl = context.audio.render(trialText, { voiceSeed: `kling-preset-${preset.voiceId}`, format: 'mp3' }).then((bytes) => context.publish(bytes, { contentType: 'audio/mpeg' }));
      presetTrialUrls.set(preset.voiceId, trialUrl);
    }
    return {
      task_id: preset.voiceId,
      task_status: 'succeed',
      task_status_msg: '',
      task_result: { voices: [{ voice_id: preset.voiceId, voice_name: preset.voiceName, trial_url: await trialUrl, owned_by: 'kling' }] },
      created_at: presetCreatedAt,
      updated_at: presetCreatedAt,
    };
  };

  /** Reads the sample: its voice seed, and why it cannot be used (the task then fails). */
  const readSample = async (voiceUrl: string): Promise<{ voiceSeed: string; problem?: string }> => {
    let bytes: Uint8Array;
    try {
      bytes = (await context.fetchSample(voiceUrl)).bytes;
    } catch (error) {
      return { voiceSeed: sha256Hex(voiceUrl), problem: `voice_url could not be downloaded: ${(error as Error).message}` };
    }
    const voiceSeed = sha256Hex(bytes);
    const probe = await context.probeAudio(bytes);
    const extension = urlExtension(voiceUrl);
    // An mp4/mov video's container is not always recognised; such a sample is trusted, as the check
    // applies "when probeable".
    if (!probe.format) return extension === 'mp4' || extension === 'mov' ? { voiceSeed } : { voiceSeed, problem: 'voice_url is not mp3/wav audio or mp4/mov video' };
    if (!['mp3', 'wav', 'm4a'].includes(probe.format)) return { voiceSeed, problem: `voice_url must be mp3/wav audio or mp4/mov video, got ${probe.format}` };
    if (probe.durationMs !== undefined && (probe.durationMs < sampleMinMs || probe.durationMs > sampleMaxMs)) {
      return { voiceSeed, problem: `the voice sample must be 5-30 s long, got ${(probe.durationMs / 1000).toFixed(1)} s` };
    }
    return { voiceSeed };
  };

  const createVoice = async (body: Body, bill: VendorRequest['bill']): Promise<Response> => {
    const { voice_name: voiceName, voice_url: voiceUrl, video_id: videoId, callback_url: callbackUrl, external_task_id: externalTaskId } = body;
    if (typeof voiceName !== 'string' || voiceName.trim() === '') return invalid('voice_name is required');
    if (characterCount(voiceName) > 20) return invalid(`voice_name must be at most 20 characters, got ${characterCount(voiceName)}`);
    const hasUrl = voiceUrl !== undefined && voiceUrl !== '';
    const hasVideo = videoId !== undefined && videoId !== '';
    if (hasUrl === hasVideo) return invalid('send exactly one of voice_url and video_id');
    if (hasUrl) {
      const problem = httpUrlProblem('voice_url', voiceUrl);
      if (problem) return invalid(problem);
      const extension = urlExtension(voiceUrl as string);
      if (extension !== undefined && !sampleExtensions.includes(extension)) return invalid(`voice_url must be a .mp3/.wav audio or .mp4/.mov video file, got .${extension}`);
    } else if (typeof videoId !== 'string') {
      return invalid('video_id must be a string');
    }
    if (callbackUrl !== undefined && callbackUrl !== '') {
      const problem = httpUrlProblem('callback_url', callbackUrl);
      if (problem) return invalid(problem);
    }
    if (externalTaskId !== undefined && (typeof externalTaskId !== 'string' || externalTaskId === '')) return invalid('external_task_id must be a non-empty string');
    const visible = visibleTasks();
    // external_task_id must be unique per account (§4.4); the id of a deleted voice stays taken, while
    // a voice gone through the voicesVanish fault is as if never created.
    const externalIdTaken = () => externalTaskId !== undefined && !context.faults().voicesVanish && [...tasks.values()].some((task) => task.externalTaskId === externalTaskId);
    if (externalIdTaken()) return invalid(`external_task_id '${externalTaskId}' already exists: it must be unique per account`);
    // Only a proxy (S34) says voice_name must be unique; the emulator enforces it among voices that are
    // not deleted or failed, so adapters pick names that work either way.
    if (visible.some((task) => task.voiceName === voiceName && !task.failure)) return invalid(`voice_name '${voiceName}' already exists in this account`);
    const running = visible.filter((task) => observeTask(context, task).phase !== 'done').length;
    if (running >= klingParallelTaskLimit) return fail(429, 1303, 'parallel task over resource pack limit');

    // The sample is read while the task runs: an unusable one is accepted and the task fails with the
    // reason (task_status_msg). Failed tasks deduct nothing, so they are not billed.
    const sample: { voiceSeed: string; problem?: string } = hasUrl
      ? await readSample(voiceUrl as string)
      : // The emulator generates no videos, so no video_id can name one.
        { voiceSeed: sha256Hex(videoId as string), problem: `video_id '${videoId as string}' not found: no Kling video with that id` };
    // Checked again after reading the sample: a request with the same id (a retry) may have been accepted meanwhile.
    if (externalIdTaken()) return invalid(`external_task_id '${externalTaskId}' already exists: it must be unique per account`);
    const task: VoiceTask = {
      taskId: newTaskId(),
      voiceName,
      voiceId: newVoiceId(),
      voiceSeed: sample.voiceSeed,
      createdAt: context.clock.now(),
      ...(externalTaskId !== undefined ? { externalTaskId: externalTaskId as string } : {}),
      ...(sample.problem ? { failure: sample.problem } : {}),
    };
    tasks.set(task.taskId, task);
    if (!sample.problem) bill('clone', (externalTaskId as string | undefined) ?? `${voiceName}\n${(hasUrl ? voiceUrl : videoId) as string}`);
    const view = await taskView(task);
    return answer({ task_id: view.task_id, task_info: view.task_info, task_status: view.task_status, created_at: view.created_at, updated_at: view.updated_at });
  };

  /** `pageNum` [1, 1000] default 1, `pageSize` [1, 500] default 30 (§4.6). */
  const page = <T>(url: URL, items: T[]): T[] | Response => {
    const read = (name: string, fallback: number, max: number): number | string => {
      const raw = url.searchParams.get(name);
      if (raw === null || raw === '') return fallback;
      const value = Number(raw);
      return Number.isInteger(value) && value >= 1 && value <= max ? value : `${name} must be a whole number in [1, ${max}], got '${raw}'`;
    };
    const pageNum = read('pageNum', 1, 1000);
    const pageSize = read('pageSize', 30, pageSizeMax);
    if (typeof pageNum === 'string') return invalid(pageNum);
    if (typeof pageSize === 'string') return invalid(pageSize);
    return items.slice((pageNum - 1) * pageSize, pageNum * pageSize);
  };

  const deleteVoice = (body: Body): Response => {
    if (typeof body.voice_id !== 'string' || body.voice_id === '') return invalid('voice_id is required');
    if (presetVoices.some((preset) => preset.voiceId === body.voice_id)) return invalid(`voice_id '${body.voice_id}' is an official voice: only custom voices can be deleted`);
    const task = visibleTasks().find((candidate) => candidate.voiceId === body.voice_id && !candidate.failure && observeTask(context, candidate).phase === 'done');
    if (!task) return invalid(`voice_id '${body.voice_id}' not found`);
    // UNKNOWN in VENDORS.md §4.8 (how a deleted voice shows): the emulator forgets it — queries by
    // task_id or external_task_id answer 1201 and the list leaves it out — while its external_task_id
    // stays taken. The deletion itself is a task that has already succeeded.
    const now = context.clock.now();
    task.deletedAt = now;
    return answer({ task_id: newTaskId(), task_status: 'succeed', task_info: {}, created_at: now, updated_at: now });
  };

  /** §4.12: synchronous TTS with official TTS voices only. */
  const textToSpeech = async (body: Body, bill: VendorRequest['bill']): Promise<Response> => {
    if (typeof body.text !== 'string' || body.text.trim() === '') return invalid('text is required');
    if (characterCount(body.text) > 1000) return invalid(`text must be at most 1000 characters, got ${characterCount(body.text)}`);
    if (typeof body.voice_id !== 'string' || body.voice_id === '') return invalid('voice_id is required');
    const language = body.voice_language ?? 'zh';
    if (language !== 'zh' && language !== 'en') return invalid(`voice_language must be 'zh' or 'en', got ${JSON.stringify(body.voice_language)}`);
    const voiceLanguage = ttsVoices[body.voice_id];
    if (!voiceLanguage) return invalid('Voice id not found');
    if (voiceLanguage !== language) return invalid(`voice_language '${language}' does not match voice '${body.voice_id}' (${voiceLanguage})`);
    if (body.voice_speed !== undefined && (typeof body.voice_speed !== 'number' || !Number.isFinite(body.voice_speed))) return invalid('voice_speed must be a number');
    bill('synthesis', `${body.voice_id}\n${body.text}`);
    const bytes = await context.audio.render(body.text, { voiceSeed: `kling-tts-${body.voice_id}`, format: 'mp3' });
    const durationMs = (await context.probeAudio(bytes)).durationMs ?? 0;
    const now = context.clock.now();
    const taskId = newTaskId();
    return answer({
      task_id: taskId,
      task_status: 'succeed',
      task_status_msg: '',
      final_unit_deduction: '0',
      task_result: {
        audios: [{ id: taskId, url: context.publish(bytes, { contentType: 'audio/mpeg', lifetimeMs: outputLifetimeMs }), duration: (durationMs / 1000).toFixed(2) }],
      },
      created_at: now,
      updated_at: now,
    });
  };

  const readBody = async (request: Request): Promise<Body | Response> => {
    const body = await request.json().catch(() => undefined);
    if (!body || typeof body !== 'object' || Array.isArray(body)) return fail(400, 1200, 'the request body must be a JSON object');
    return body as Body;
  };

  const routes: Record<string, Partial<Record<string, (request: Request, url: URL, bill: VendorRequest['bill']) => Promise<Response>>>> = {
    '/v1/general/custom-voices': {
      POST: async (request, _url, bill) => {
        const body = await readBody(request);
        return body instanceof Response ? body : createVoice(body, bill);
      },
      GET: async (_request, url) => {
        const listed = page(url, visibleTasks().sort((left, right) => right.createdAt - left.createdAt));
        return listed instanceof Response ? listed : answer(await Promise.all(listed.map(taskView)));
      },
    },
    '/v1/general/presets-voices': {
      GET: async (_request, url) => {
        const listed = page(url, presetVoices);
        return listed instanceof Response ? listed : answer(await Promise.all(listed.map(presetView)));
      },
    },
    '/v1/general/delete-voices': {
      POST: async (request) => {
        const body = await readBody(request);
        return body instanceof Response ? body : deleteVoice(body);
      },
    },
    '/v1/audio/tts': {
      POST: async (request, _url, bill) => {
        const body = await readBody(request);
        return body instanceof Response ? body : textToSpeech(body, bill);
      },
    },
  };

  return {
    async handle({ request, url, path, bill }) {
      const refused = await authenticate(request);
      if (refused) return refused;
      const queryId = /^\/v1\/general\/custom-voices\/([^/]+)$/.exec(path)?.[1];
      if (queryId !== undefined) {
        if (request.method !== 'GET') return fail(404, 1202, `invalid request method ${request.method} for ${path}`);
        const id = decodeSafely(queryId);
        // UNKNOWN in VENDORS.md §4.5/§4.9 (the answer for an unknown id): the emulator answers HTTP 400
        // code 1201, the code Kling gives for an unknown voice id ("Voice id not found", §4.12).
        const task = visibleTasks().find((candidate) => candidate.taskId === id || candidate.externalTaskId === id);
        return task ? answer(await taskView(task)) : invalid(`task '${id}' not found`);
      }
      const methods = routes[path];
      if (!methods) return fail(404, 1203, `requested resource ${path} does not exist`);
      const handler = methods[request.method];
      if (!handler) return fail(404, 1202, `invalid request method ${request.method} for ${path}`);
      return handler(request, url, bill);
    },

    faultResponse(status, { retryAfterSeconds }) {
      const headers: Record<string, string> = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
      if (status === 429) return fail(429, 1302, 'request rate too high', headers);
      if (status === 503) return fail(503, 5001, 'service temporarily unavailable', headers);
      if (status === 504) return fail(504, 5002, 'server internal timeout', headers);
      if (status >= 500) return fail(status, 5000, 'server internal error', headers);
      return fail(status, 1200, 'invalid request parameters', headers);
    },

    reset() {
      tasks.clear();
      presetTrialUrls.clear();
      nextTaskNumber = 0n;
      nextVoiceNumber = 0n;
    },
  };
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
