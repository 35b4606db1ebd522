/*
 * SoundClone (GlobalAiOpc, docs branded "mingyan"), VENDORS.md §2. The documented base
 * `https://zcbservice.aizfw.cn/kyyReactApiServer` is the emulator's `/soundclone` prefix, so paths here
 * are `/v1/soundCloning/clones`, `/v1/soundCloning/audios` and `/v1/result/{id}`.
 *
 * A clone is an asynchronous preview task: it reads the sample, then completes with a `modelId` and a
 * preview `audioUrl`. A `modelId` lives 3 days from then, unless a generation task (`/audios`) uses it,
 * which makes it permanent (§2.4).
 */
import { randomUUID } from 'node:crypto';

import { json, type VendorContext, type VendorModule, type VendorRequest } from '../vendor.js';
import {
  characterCount,
  httpUrlProblem,
  observeTask,
  pauseMarkerProblem,
  rangeProblem,
  sampleProblem,
  sha256Hex,
  speakableText,
  type SampleLimits,
  type TaskTimes,
} from './shared-rules.js';

/** §2.1: "actual speech must be > 15 s and < 60 s"; audio mp3/ogg/wav/m4a/aac. */
// The emulator can probe mp3, wav, m4a (also what an mp4 video's container reads as) and ogg; an aac
// (ADTS) or avi/mkv/flv sample is not recognised, so its task fails.
const sampleLimits: SampleLimits = { formats: ['mp3', 'wav', 'm4a', 'ogg'], minDurationMs: 15_000, maxDurationMs: 60_000, maxDurationExclusive: true };

/** §2.1: the preview script when `contentText` is omitted, "a fixed Chinese sentence about a forest". */
export const soundCloneDefaultPreviewText = '在一片宁静的森林里，阳光透过树叶洒在小路上，鸟儿在枝头轻快地歌唱。';

const bothVersionLanguages = [
  'Chinese', 'Chinese,Yue', 'English', 'Arabic', 'Russian', 'Spanish', 'French', 'Portuguese', 'German', 'Turkish', 'Dutch', 'Ukrainian',
  'Vietnamese', 'Indonesian', 'Japanese', 'Italian', 'Korean', 'Thai', 'Polish', 'Romanian', 'Greek', 'Czech', 'Finnish', 'Hindi',
];
const v2OnlyLanguages = [
  'Bulgarian', 'Danish', 'Hebrew', 'Malay', 'Persian', 'Slovak', 'Swedish', 'Croatian', 'Filipino', 'Hungarian', 'Norwegian', 'Slovenian',
  'Catalan', 'Nynorsk', 'Tamil', 'Afrikaans',
];
const emotions = ['happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised', 'neutral'];

/** §2.4: an unused `modelId` can be used for 3 days after the preview completes. */
const modelLifetimeMs = 3 * 24 * 60 * 60 * 1000;

interface CloneTask extends TaskTimes {
  kind: 'clone';
  id: string;
  fileUrl: string;
  contentText: string;
  /** Set at creation when the sample cannot be used: the task fails with this reason. */
  failure?: string;
  voiceSeed: string;
  modelId?: string;
  audioUrl?: Promise<string>;
}

interface AudioTask extends TaskTimes {
  kind: 'audio';
  id: string;
  modelId: string;
  voiceSeed: string;
  contentText: string;
  subtitles?: 'sentence' | 'word';
  result?: Promise<{ audioUrl: string; subtitleFile?: string }>;
}

interface VoiceModel {
  modelId: string;
  voiceSeed: string;
  createdAt: number;
  /** Used by an accepted `/audios` call: it no longer expires. */
  permanent: boolean;
}

type Body = Record<string, unknown>;

export function createSoundClone(context: VendorContext): VendorModule {
  const tasks = new Map<string, CloneTask | AudioTask>();
  const models = new Map<string, VoiceModel>();

  // UNKNOWN in VENDORS.md §2.5 (error body and HTTP codes of the direct base): the emulator answers
  // every error with Spring Boot's default error body — the server behind the base is Spring, as its
  // "No handler found for GET /kyyReactApiServer/…" 404 shows — and puts the explanation in `message`.
  const error = (status: number, message: string, path: string, headers: Record<string, string> = {}): Response =>
    json({ timestamp: new Date(context.clock.now()).toISOString(), status, error: reasonPhrases[status] ?? 'Error', message, path: `/kyyReactApiServer${path}` }, status, headers);

  const taskView = async (task: CloneTask | AudioTask): Promise<Body> => {
    const { phase } = observeTask(context, task);
    const view: Body = {
      id: task.id,
      object: 'audio',
      created: Math.floor(task.createdAt / 1000),
      model: task.kind === 'clone' ? 'soundCloningClone' : 'soundCloningAudio',
      status: phase === 'queued' ? 'queued' : 'processing',
      error: null,
    };
    if (phase !== 'done') return view;
    if (task.kind === 'clone') {
      if (task.failure) return { ...view, status: 'failed', error: task.failure };
      if (!task.modelId) {
        // UNKNOWN in VENDORS.md §2.2: the modelId format; the emulator hands out 32 hex digits.
        task.modelId = randomUUID().replaceAll('-', '');
        models.set(task.modelId, { modelId: task.modelId, voiceSeed: task.voiceSeed, createdAt: task.finishedAt!, permanent: false });
      }
      task.audioUrl ??= context.audio.render(task.contentText, { voiceSeed: task.voiceSeed, format: 'mp3' }).then((bytes) => context.publish(bytes, { contentType: 'audio/mpeg' }));
      // UNKNOWN in VENDORS.md §2: no lifetime is documented for the preview or generated audio URLs, so
      // the emulator keeps them for as long as it runs.
      return { ...view, status: 'completed', modelId: task.modelId, audioUrl: await task.audioUrl };
    }
    task.result ??= renderGeneration(task);
    const result = await task.result;
    return { ...view, status: 'completed', modelId: task.modelId, audioUrl: result.audioUrl, ...(result.subtitleFile ? { subtitleFile: result.subtitleFile } : {}) };
  };

  const renderGeneration = async (task: AudioTask): Promise<{ audioUrl: string; subtitleFile?: string }> => {
    const spoken = speakableText(task.contentText);
    const bytes = await context.audio.render(spoken, { voiceSeed: task.voiceSeed, format: 'mp3' });
    const audioUrl = context.publish(bytes, { contentType: 'audio/mpeg' });
    if (!task.subtitles) return { audioUrl };
    const durationMs = (await context.probeAudio(bytes)).durationMs ?? characterCount(spoken) * 60;
    const subtitles = subRip(spoken, durationMs, task.subtitles);
    return { audioUrl, subtitleFile: context.publish(new TextEncoder().encode(subtitles), { contentType: 'application/x-subrip' }) };
  };

  const createClone = async (body: Body, path: string, bill: VendorRequest['bill']): Promise<Response> => {
    const urlProblem = httpUrlProblem('fileUrl', body.fileUrl);
    if (urlProblem) return error(400, urlProblem, path);
    const fileUrl = body.fileUrl as string;
    if (/[\u3400-\u9fff\uf900-\ufaff]/.test(decodeURIComponentSafe(fileUrl))) return error(400, 'fileUrl must not contain Chinese characters', path);
    if (body.contentText !== undefined && typeof body.contentText !== 'string') return error(400, 'contentText must be a string', path);
    const contentText = body.contentText === undefined || body.contentText === '' ? soundCloneDefaultPreviewText : (body.contentText as string);
    if (characterCount(contentText) >= 270) return error(400, `contentText must be shorter than 270 characters, got ${characterCount(contentText)}`, path);
    const versionProblem = soundVersionProblem(body);
    if (versionProblem) return error(400, versionProblem, path);

    // A sample that cannot be used is not refused here: the vendor reads it while the task runs, so
    // the task fails with the reason, and (§2.4: failed tasks are refunded) nothing is billed.
    let failure: string | undefined;
    let voiceSeed = sha256Hex(fileUrl);
    try {
      const sample = await context.fetchSample(fileUrl);
      voiceSeed = sha256Hex(sample.bytes);
      const problem = sampleProblem(await context.probeAudio(sample.bytes), sample.bytes.length, sampleLimits);
      if (problem) failure = `invalid fileUrl audio: ${problem}`;
    } catch (fetchError) {
      failure = `fileUrl could not be downloaded: ${(fetchError as Error).message}`;
    }
    const task: CloneTask = { kind: 'clone', id: `audio_${randomUUID()}`, fileUrl, contentText, voiceSeed, createdAt: context.clock.now(), ...(failure ? { failure } : {}) };
    tasks.set(task.id, task);
    if (!failure) bill('clone', `${fileUrl}\n${typeof body.contentText === 'string' ? body.contentText : ''}`);
    return json(await taskView(task));
  };

  const createAudio = async (body: Body, path: string, bill: VendorRequest['bill']): Promise<Response> => {
    if (typeof body.modelId !== 'string' || body.modelId === '') return error(400, 'modelId is required', path);
    if (typeof body.contentText !== 'string' || body.contentText === '') return error(400, 'contentText is required', path);
    // Pause markers do not count toward the limit (§2.4 counts characters without them).
    const length = characterCount(body.contentText.replace(/<#[^#<>]*#>/g, ''));
    if (length >= 10_000) return error(400, `contentText must be shorter than 10000 characters, got ${length}`, path);
    const pauseProblem = pauseMarkerProblem(body.contentText);
    if (pauseProblem) return error(400, pauseProblem, path);
    const problem =
      soundVersionProblem(body) ??
      (body.emotion !== undefined && !emotions.includes(body.emotion as string) ? `emotion must be one of ${emotions.join(', ')}, got ${JSON.stringify(body.emotion)}` : undefined) ??
      rangeProblem('speed', body.speed, 0.5, 2) ??
      rangeProblem('vol', body.vol, 0, 10, { exclusiveMin: true }) ??
      rangeProblem('pitch', body.pitch, -12, 12, { integer: true }) ??
      (body.subtitleEnable !== undefined && typeof body.subtitleEnable !== 'boolean' ? 'subtitleEnable must be true or false' : undefined) ??
      (body.subtitleType !== undefined && body.subtitleType !== 'word' ? `subtitleType must be 'word' (omit it for sentence-level subtitles), got ${JSON.stringify(body.subtitleType)}` : undefined);
    if (problem) return error(400, problem, path);

    const model = models.get(body.modelId);
    // UNKNOWN in VENDORS.md §2.5: an unknown or expired modelId is a 400 with the reason in `message`.
    if (!model || context.faults().voicesVanish) return error(400, `modelId '${body.modelId}' not found`, path);
    if (!model.permanent && context.clock.now() >= model.createdAt + modelLifetimeMs) {
      return error(400, `modelId '${body.modelId}' has expired: an unused modelId is valid for 3 days after the preview completes`, path);
    }
    model.permanent = true;
    const task: AudioTask = {
      kind: 'audio',
      id: `audio_${randomUUID()}`,
      modelId: model.modelId,
      voiceSeed: model.voiceSeed,
      contentText: body.contentText,
      createdAt: context.clock.now(),
      ...(body.subtitleEnable === true ? { subtitles: body.subtitleType === 'word' ? ('word' as const) : ('sentence' as const) } : {}),
    };
    tasks.set(task.id, task);
    bill('synthesis', `${model.modelId}\n${body.contentText}`);
    return json(await taskView(task));
  };

  const route = async (request: Request, path: string, bill: VendorRequest['bill']): Promise<Response> => {
    const resultId = /^\/v1\/result\/([^/]+)$/.exec(path)?.[1];
    if (request.method === 'GET' && resultId !== undefined) {
      const task = tasks.get(decodeURIComponentSafe(resultId));
      if (!task) return error(404, `task '${decodeURIComponentSafe(resultId)}' not found`, path);
      return json(await taskView(task));
    }
    if (request.method === 'POST' && (path === '/v1/soundCloning/clones' || path === '/v1/soundCloning/audios')) {
      const body = await request.json().catch(() => undefined);
      if (!body || typeof body !== 'object' || Array.isArray(body)) return error(400, 'the request body must be a JSON object', path);
      return path === '/v1/soundCloning/clones' ? createClone(body as Body, path, bill) : createAudio(body as Body, path, bill);
    }
    return error(404, `No handler found for ${request.method} /kyyReactApiServer${path}`, path);
  };

  return {
    async handle({ request, path, bill }) {
      const authorization = request.headers.get('authorization') ?? '';
      if (authorization !== `Bearer ${context.keys.soundclone}`) {
        return error(401, authorization === '' ? 'Authorization header is missing: send Authorization: Bearer <key>' : 'invalid API key', path);
      }
      const answer = await route(request, path, bill);
      // The reseller (§2, S13) serves the same API wrapped in {code: 20000, msg: "ok", data}; a test asks
      // for that shape with `X-Emulator-Envelope: reseller` to check that an adapter accepts both.
      if (request.headers.get('x-emulator-envelope') !== 'reseller' || !answer.ok) return answer;
      return json({ code: 20000, msg: 'ok', data: await answer.json() }, answer.status);
    },

    faultResponse(status, { retryAfterSeconds }) {
      const message = status === 429 ? 'Too many requests, please retry later' : status >= 500 ? 'Service temporarily unavailable' : 'Request failed';
      return error(status, message, '/', retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {});
    },

    reset() {
      tasks.clear();
      models.clear();
    },
  };
}

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function soundVersionProblem(body: Body): string | undefined {
  const version = body.soundVersion ?? 'v1';
  if (version !== 'v1' && version !== 'v2') return `soundVersion must be 'v1' or 'v2', got ${JSON.stringify(body.soundVersion)}`;
  if (body.language === undefined) return undefined;
  if (typeof body.language !== 'string') return 'language must be a string';
  // CONFLICT in VENDORS.md §2.3: `auto` is the default for both versions yet listed among the v2-only
  // languages; the emulator accepts `auto` with v1 too, so the documented defaults work together.
  if (body.language === 'auto' || bothVersionLanguages.includes(body.language)) return undefined;
  if (v2OnlyLanguages.includes(body.language)) return version === 'v2' ? undefined : `language '${body.language}' requires soundVersion 'v2'`;
  return `language '${body.language}' is not supported (see the language list of the SoundClone docs)`;
}

/** SubRip subtitles spread over the audio by character count: one cue per sentence, or per word. */
function subRip(text: string, durationMs: number, level: 'sentence' | 'word'): string {
  const cues = (level === 'word' ? text.split(/\s+/) : text.split(/(?<=[.!?。！？])\s*/)).map((cue) => cue.trim()).filter((cue) => cue !== '');
  const total = cues.reduce((sum, cue) => sum + characterCount(cue), 0) || 1;
  let start = 0;
  return cues
    .map((cue, index) => {
      const end = start + (durationMs * characterCount(cue)) / total;
      const entry = `${index + 1}\n${srtTime(start)} --> ${srtTime(end)}\n${cue}\n`;
      start = end;
      return entry;
    })
    .join('\n');
}

function srtTime(milliseconds: number): string {
  const whole = Math.round(milliseconds);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(whole / 3_600_000))}:${pad(Math.floor(whole / 60_000) % 60)}:${pad(Math.floor(whole / 1000) % 60)},${pad(whole % 1000, 3)}`;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
