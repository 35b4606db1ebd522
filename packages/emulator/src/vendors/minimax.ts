/*
 * MiniMax voice cloning and T2A (VENDORS.md §5): files/upload → voice_clone with a client-chosen voice_id,
 * t2a_v2 (sync), t2a_async_v2 + query + files/retrieve (async), get_voice / delete_voice.
 *
 * Every answer, success or not, is HTTP 200 with `base_resp: {status_code, status_msg}` (status_code 0 =
 * success) and a `Trace-Id` header, as the vendor does; only unknown paths (404) and injected 5xx/4xx
 * faults use another HTTP status.
 */
import { randomUUID } from 'node:crypto';

import { json, type VendorContext, type VendorModule, type VendorRequest } from '../vendor.js';
import {
  characterCount,
  cloneSampleLimits,
  languageBoostValues,
  pauseMarkerProblem,
  promptSampleLimits,
  rangeProblem,
  sampleProblem,
  speakableText,
  voiceIdProblem,
  type SampleLimits,
} from './shared-rules.js';

const hourMs = 3_600_000;
/** An unused cloned voice is deleted by the vendor 168 h after it was cloned (§5.3). */
const voiceLifetimeMs = 168 * hourMs;
/** `output_format: "url"` and preview URLs (§5.4). */
const audioUrlLifetimeMs = 24 * hourMs;
/** `files/retrieve` download URLs (§5.5). */
const retrieveUrlLifetimeMs = 9 * hourMs;

const models = ['speech-2.8-hd', 'speech-2.8-turbo', 'speech-2.6-hd', 'speech-2.6-turbo', 'speech-02-hd', 'speech-02-turbo', 'speech-01-hd', 'speech-01-turbo'];
const emotions = ['happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised', 'calm', 'fluent', 'whisper'];
const audioFormats = ['mp3', 'pcm', 'flac', 'wav', 'pcmu_raw', 'pcmu_wav', 'opus'];
/** The formats the emulator can really produce; the others are documented but answered with 2013. */
const producedFormats = ['mp3', 'wav'] as const;
type ProducedFormat = (typeof producedFormats)[number];
const sampleRates = [8000, 16000, 22050, 24000, 32000, 44100];
const bitrates = [32000, 64000, 128000, 256000];
const soundEffects = ['spacious_echo', 'auditorium_echo', 'lofi_telephone', 'robotic'];
const uploadPurposes = ['voice_clone', 'prompt_audio', 't2a_async_input'];
const voiceTypes = ['system', 'voice_cloning', 'voice_generation', 'all'];

/** A few of MiniMax's system voices: usable in T2A by anyone, listed by get_voice, never expire. */
const systemVoices = [
  { voice_id: 'male-qn-qingse', voice_name: '青涩青年音色', description: [] as string[] },
  { voice_id: 'female-shaonv', voice_name: '少女音色', description: [] as string[] },
  { voice_id: 'English_expressive_narrator', voice_name: 'Expressive Narrator', description: [] as string[] },
];

const maxCloneTextCharacters = 1000;
const maxSyncTextCharacters = 10_000;
const maxAsyncTextCharacters = 50_000;
const maxAsyncFileCharacters = 1_000_000;

/** An answer with a non-zero base_resp: thrown by validation, turned into the vendor's body by `handle`. */
class MinimaxProblem extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (detail: string) => new MinimaxProblem(2013, `invalid params, ${detail}`);

interface UploadedFile {
  fileId: number;
  purpose: string;
  filename: string;
  /** Emulator clock ms. */
  createdAt: number;
  contentType: string;
  bytes: Uint8Array;
  /** Text of a `t2a_async_input` file. */
  text?: string;
}

interface ClonedVoice {
  voiceId: string;
  createdAt: number;
  /** Set by the first T2A call that used the voice: from then on the vendor keeps it. */
  usedAt?: number;
  deletedAt?: number;
}

interface AsyncTask {
  taskId: number;
  /** The id of the audio file the task produces (returned at creation, retrievable once done). */
  fileId: number;
  createdAt: number;
  format: ProducedFormat;
  audio: Promise<Uint8Array>;
}

type JsonObject = Record<string, unknown>;

export function createMinimax(context: VendorContext): VendorModule {
  // Realistic int64-looking ids (MiniMax's are 14–15 digits), still exact as JavaScript numbers.
  const firstFileId = 301_425_807_183_112;
  const firstTaskId = 95_157_322_514_444;
  let nextFileId = firstFileId;
  let nextTaskId = firstTaskId;
  const files = new Map<number, UploadedFile>();
  /** Every voice_id ever cloned, including deleted and expired ones: their ids stay taken. */
  const voices = new Map<string, ClonedVoice>();
  const tasks = new Map<number, AsyncTask>();
  /** Output file id → its task. */
  const outputs = new Map<number, AsyncTask>();

  const nowSeconds = () => Math.floor(context.clock.now() / 1000);

  /** Deleted by delete_voice, or unused for 168 h. */
  const isGone = (voice: ClonedVoice) =>
    voice.deletedAt !== undefined || (voice.usedAt === undefined && context.clock.now() >= voice.createdAt + voiceLifetimeMs);

  /** A cloned voice that can be used now, honouring the voicesVanish fault. */
  const liveVoice = (voiceId: string): ClonedVoice | undefined => {
    const voice = voices.get(voiceId);
    if (!voice || isGone(voice) || context.faults().voicesVanish) return undefined;
    return voice;
  };

  /**
   * The voice T2A speaks with: a system voice or a live cloned voice. Unknown, expired, deleted or
   * vanished voices answer 2042.
   * UNKNOWN in VENDORS.md §5.7: the code for a voice_id that does not exist. The emulator answers 2042
   * ("no access to that voice_id"); client code also mentions 2054 for a voice that is not usable yet,
   * which adapters should treat the same way.
   */
  const speakingVoice = (voiceId: string): { voiceId: string; cloned?: ClonedVoice } => {
    if (systemVoices.some((voice) => voice.voice_id === voiceId)) return { voiceId };
    const cloned = liveVoice(voiceId);
    if (!cloned) throw new MinimaxProblem(2042, `voice_id ${voiceId} does not exist or you have no access to it (unused cloned voices are deleted after 168 h)`);
    return { voiceId, cloned };
  };

  const authProblem = (request: Request): MinimaxProblem | undefined => {
    // UNKNOWN in VENDORS.md §5.7 which code each auth failure gets: the emulator answers 1004 ("login fail")
    // when no Bearer key is sent, and 2049 ("invalid api key") when a key is sent but is not the right one.
    const header = request.headers.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return new MinimaxProblem(1004, "login fail: Please carry the API secret key in the 'Authorization' field of the request header");
    if (match[1] !== context.keys.minimax) return new MinimaxProblem(2049, 'invalid api key');
    return undefined;
  };

  async function upload({ request }: VendorRequest): Promise<JsonObject> {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      throw invalid('send multipart/form-data with the form fields purpose and file');
    }
    const purpose = form.get('purpose');
    if (typeof purpose !== 'string' || purpose === '') throw invalid('purpose is required as a multipart form field (voice_clone, prompt_audio or t2a_async_input)');
    // The vendor has more, non-audio purposes; the emulator only knows the ones voice cloning and T2A use.
    if (!uploadPurposes.includes(purpose)) throw invalid(`purpose must be one of ${uploadPurposes.join(', ')} (others are not supported by the emulator), got ${purpose}`);
    const file = form.get('file');
    if (!(file instanceof Blob)) throw invalid('file is required as a multipart file field');
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.length === 0) throw invalid('file is empty');
    const filename = file instanceof File && file.name ? file.name : 'file';
    const stored: UploadedFile = { fileId: 0, purpose, filename, createdAt: context.clock.now(), contentType: file.type || 'application/octet-stream', bytes };

    if (purpose === 'voice_clone') await checkSample(bytes, cloneSampleLimits, 2037, 'voice clone sample');
    if (purpose === 'prompt_audio') await checkSample(bytes, promptSampleLimits, 2048, 'prompt audio');
    if (purpose === 't2a_async_input') {
      // The vendor also takes a zip of several texts; the emulator reads plain UTF-8 text only.
      if (/\.zip$/i.test(filename) || (bytes[0] === 0x50 && bytes[1] === 0x4b)) throw invalid('zip files for t2a_async_input are not supported by the emulator; upload a .txt file');
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      if (characterCount(text) > maxAsyncFileCharacters) throw invalid(`a t2a_async_input file may hold at most ${maxAsyncFileCharacters} characters, got ${characterCount(text)}`);
      stored.text = text;
    }

    stored.fileId = nextFileId++;
    files.set(stored.fileId, stored);
    return { file: fileFacts(stored), base_resp: success() };
  }

  /** Format and size problems are 2013; a duration outside the limits gets the purpose's own code. */
  async function checkSample(bytes: Uint8Array, limits: SampleLimits, durationCode: number, what: string): Promise<void> {
    const probe = await context.probeAudio(bytes);
    const formatProblem = sampleProblem(probe, bytes.length, { formats: limits.formats, ...(limits.maxBytes !== undefined ? { maxBytes: limits.maxBytes } : {}) });
    if (formatProblem) throw invalid(`${what}: ${formatProblem}`);
    const durationProblem = sampleProblem(probe, bytes.length, limits);
    if (durationProblem) {
      const tooLong = limits.maxDurationMs !== undefined && (probe.durationMs ?? 0) > limits.maxDurationMs;
      const message = durationCode === 2048 ? 'prompt audio too long' : tooLong ? 'voice clone sample too long' : 'voice clone sample too short';
      throw new MinimaxProblem(durationCode, `${message}: ${durationProblem}`);
    }
  }

  const fileFacts = (file: UploadedFile) => ({
    file_id: file.fileId,
    bytes: file.bytes.length,
    created_at: Math.floor(file.createdAt / 1000),
    filename: file.filename,
    purpose: file.purpose,
  });

  async function voiceClone({ request, bill }: VendorRequest): Promise<JsonObject> {
    const body = await readBody(request);
    const fileId = body.file_id;
    if (fileId === undefined) throw invalid('file_id is required (the file_id of a purpose=voice_clone upload)');
    if (typeof fileId !== 'number' || !Number.isSafeInteger(fileId)) throw invalid(`file_id must be an integer (int64), got ${JSON.stringify(fileId)}`);
    const voiceId = body.voice_id;
    const voiceProblem = voiceIdProblem(voiceId);
    if (voiceProblem) throw invalid(voiceProblem);

    const prompt = body.clone_prompt;
    let promptFileId: number | undefined;
    if (prompt !== undefined && prompt !== null) {
      if (!isObject(prompt)) throw invalid('clone_prompt must be an object {prompt_audio, prompt_text}');
      if (!Number.isSafeInteger(prompt.prompt_audio)) throw invalid('clone_prompt.prompt_audio is required: the file_id (int64) of a purpose=prompt_audio upload');
      if (typeof prompt.prompt_text !== 'string' || prompt.prompt_text.trim() === '') throw invalid('clone_prompt.prompt_text is required: the transcript of the prompt audio');
      promptFileId = prompt.prompt_audio as number;
    }

    const text = body.text;
    let model: string | undefined;
    if (text !== undefined && text !== null && text !== '') {
      if (typeof text !== 'string') throw invalid('text must be a string');
      // CONFLICT in VENDORS.md §5.3 (1000 vs 2000 characters): the emulator follows the official 1000.
      if (characterCount(text) > maxCloneTextCharacters) throw invalid(`text must be at most ${maxCloneTextCharacters} characters, got ${characterCount(text)}`);
      if (body.model === undefined || body.model === null || body.model === '') throw invalid('model is required when text is given');
      model = checkModel(body.model);
    }
    checkLanguageBoost(body.language_boost);
    if (body.text_validation !== undefined && body.text_validation !== null) {
      if (typeof body.text_validation !== 'string') throw invalid('text_validation must be a string');
      if (characterCount(body.text_validation) > 200) throw invalid(`text_validation must be at most 200 characters, got ${characterCount(body.text_validation)}`);
    }
    // The emulator has no speech recogniser: text_validation and accuracy are checked for shape only, never 1043.
    const accuracyProblem = rangeProblem('accuracy', body.accuracy, 0, 1);
    if (accuracyProblem) throw invalid(accuracyProblem);
    for (const flag of ['need_noise_reduction', 'need_volume_normalization', 'aigc_watermark']) {
      if (body[flag] !== undefined && typeof body[flag] !== 'boolean') throw invalid(`${flag} must be true or false`);
    }

    const source = files.get(fileId);
    if (!source || source.purpose !== 'voice_clone') {
      throw new MinimaxProblem(20132, `invalid samples or voice_id: file_id ${fileId} is not a purpose=voice_clone upload${source ? ` (its purpose is ${source.purpose})` : ''}`);
    }
    if (promptFileId !== undefined) {
      const promptFile = files.get(promptFileId);
      if (!promptFile || promptFile.purpose !== 'prompt_audio') {
        throw new MinimaxProblem(20132, `invalid samples or voice_id: clone_prompt.prompt_audio ${promptFileId} is not a purpose=prompt_audio upload`);
      }
    }

    const id = voiceId as string;
    const existing = voices.get(id);
    // A deleted voice_id cannot be reused (§5.6). UNKNOWN whether a voice the vendor deleted for being unused
    // frees its id: the emulator keeps it taken (the stricter reading), so a replacement needs a new voice_id.
    // A voice hidden by the voicesVanish fault is as if never created, so cloning it again succeeds.
    if (existing && (isGone(existing) || !context.faults().voicesVanish)) {
      throw new MinimaxProblem(2039, `voice clone voice id duplicate: ${id} is already taken${isGone(existing) ? ' (by a deleted voice; deleted voice ids cannot be reused)' : ''}`);
    }
    // Recorded before the preview renders, so a concurrent clone with the same id is a duplicate.
    const voice: ClonedVoice = { voiceId: id, createdAt: context.clock.now() };
    voices.set(id, voice);

    let demoAudio = '';
    let facts: AudioFacts = { durationMs: 0, sampleRate: 32000, bitrate: 128000, channels: 1 };
    let usage = 0;
    if (model !== undefined && typeof text === 'string') {
      try {
        const bytes = await context.audio.render(speakableText(text), { voiceSeed: id, format: 'mp3' });
        facts = await audioFacts(bytes, 'mp3');
        // UNKNOWN in VENDORS.md §5.3 how long the demo_audio URL lives: the emulator gives it the 24 h of T2A URLs.
        demoAudio = context.publish(bytes, { contentType: 'audio/mpeg', lifetimeMs: audioUrlLifetimeMs });
        facts = { ...facts, size: bytes.length };
        usage = characterCount(text);
      } catch (error) {
        voices.delete(id);
        throw new MinimaxProblem(1000, `unknown error: the preview could not be rendered (${(error as Error).message})`);
      }
    }
    bill('clone', id);
    return {
      input_sensitive: false,
      input_sensitive_type: 0,
      demo_audio: demoAudio,
      extra_info: {
        audio_length: facts.durationMs,
        audio_sample_rate: facts.sampleRate,
        audio_size: facts.size ?? 0,
        bitrate: facts.bitrate,
        word_count: typeof text === 'string' && model !== undefined ? wordCount(text) : 0,
        usage_characters: usage,
      },
      base_resp: success(),
    };
  }

  async function textToAudio({ request, bill }: VendorRequest, traceId: string): Promise<JsonObject> {
    const body = await readBody(request);
    const model = checkModel(body.model);
    const text = body.text;
    if (typeof text !== 'string' || text.trim() === '') throw invalid('text is required');
    // "< 10 000" (§5.4 table) and "up to 10 000" (overview) disagree by one: the emulator refuses 10 000 and more.
    if (characterCount(text) >= maxSyncTextCharacters) throw invalid(`text must be shorter than ${maxSyncTextCharacters} characters, got ${characterCount(text)}`);
    const pauseProblem = pauseMarkerProblem(text);
    if (pauseProblem) throw invalid(pauseProblem);
    if (body.stream !== undefined && typeof body.stream !== 'boolean') throw invalid('stream must be true or false');
    if (body.stream === true) throw invalid('stream=true is not supported by the emulator; send stream=false');
    const outputFormat = body.output_format ?? 'hex';
    if (outputFormat !== 'hex' && outputFormat !== 'url') throw invalid(`output_format must be hex or url, got ${JSON.stringify(outputFormat)}`);

    if (!isObject(body.voice_setting)) throw invalid('voice_setting is required: an object with voice_id');
    const voiceId = checkVoiceSetting(body.voice_setting, model, { extraFlags: ['text_normalization', 'latex_read'] });
    const format = checkAudioSetting(body.audio_setting, 'sample_rate', 1);
    checkPronunciationDictionary(body.pronunciation_dict);
    checkLanguageBoost(body.language_boost);
    checkVoiceModify(body.voice_modify);
    if (body.subtitle_enable !== undefined && typeof body.subtitle_enable !== 'boolean') throw invalid('subtitle_enable must be true or false');
    if (body.subtitle_enable === true) throw invalid('subtitle_enable=true is not supported by the emulator');

    const voice = speakingVoice(voiceId);
    let bytes: Uint8Array;
    try {
      bytes = await context.audio.render(speakableText(text), { voiceSeed: voiceId, format });
    } catch (error) {
      throw new MinimaxProblem(1000, `unknown error: the audio could not be rendered (${(error as Error).message})`);
    }
    // Used within 168 h → kept: from this call on the vendor never deletes the voice.
    if (voice.cloned && voice.cloned.usedAt === undefined) voice.cloned.usedAt = context.clock.now();
    bill('synthesis', `${voiceId}\n${text}`);
    const facts = await audioFacts(bytes, format);
    const audio = outputFormat === 'url'
      ? context.publish(bytes, { contentType: contentTypeOf(format), lifetimeMs: audioUrlLifetimeMs })
      : Buffer.from(bytes).toString('hex');
    return {
      data: { audio, status: 2 },
      extra_info: {
        audio_length: facts.durationMs,
        audio_sample_rate: facts.sampleRate,
        audio_size: bytes.length,
        bitrate: facts.bitrate,
        word_count: wordCount(text),
        invisible_character_ratio: 0,
        usage_characters: characterCount(text),
        audio_format: format,
        audio_channel: facts.channels,
      },
      trace_id: traceId,
      base_resp: success(),
    };
  }

  async function textToAudioAsync({ request, bill }: VendorRequest): Promise<JsonObject> {
    const body = await readBody(request);
    const model = checkModel(body.model);
    const hasText = body.text !== undefined && body.text !== null && body.text !== '';
    const hasFile = body.text_file_id !== undefined && body.text_file_id !== null;
    // UNKNOWN in VENDORS.md §5.5 what happens when both are sent: the emulator refuses, so adapters send one.
    if (hasText && hasFile) throw invalid('send text or text_file_id, not both');
    let text: string;
    if (hasFile) {
      if (!Number.isSafeInteger(body.text_file_id)) throw invalid('text_file_id must be an integer (int64)');
      const file = files.get(body.text_file_id as number);
      if (!file || file.purpose !== 't2a_async_input' || file.text === undefined) throw invalid(`text_file_id ${String(body.text_file_id)} is not a purpose=t2a_async_input upload`);
      text = file.text;
    } else {
      if (typeof body.text !== 'string' || body.text.trim() === '') throw invalid('text or text_file_id is required');
      text = body.text;
      if (characterCount(text) > maxAsyncTextCharacters) throw invalid(`text must be at most ${maxAsyncTextCharacters} characters (upload longer text as text_file_id), got ${characterCount(text)}`);
    }
    if (text.trim() === '') throw invalid('the text to speak is empty');
    const pauseProblem = pauseMarkerProblem(text);
    if (pauseProblem) throw invalid(pauseProblem);

    if (!isObject(body.voice_setting)) throw invalid('voice_setting is required: an object with voice_id');
    // The async API names some fields differently from t2a_v2 (§5.5): english_normalization, audio_sample_rate.
    const voiceId = checkVoiceSetting(body.voice_setting, model, { extraFlags: ['english_normalization'] });
    const format = checkAudioSetting(body.audio_setting, 'audio_sample_rate', 2);
    checkPronunciationDictionary(body.pronunciation_dict);
    checkLanguageBoost(body.language_boost);
    checkVoiceModify(body.voice_modify);

    const voice = speakingVoice(voiceId);
    // Used within 168 h → kept.
    if (voice.cloned && voice.cloned.usedAt === undefined) voice.cloned.usedAt = context.clock.now();
    const audio = context.audio.render(speakableText(text), { voiceSeed: voiceId, format });
    audio.catch(() => {}); // a failed render shows as a Failed task, not as an unhandled rejection
    const task: AsyncTask = { taskId: nextTaskId++, fileId: nextFileId++, createdAt: context.clock.now(), format, audio };
    tasks.set(task.taskId, task);
    outputs.set(task.fileId, task);
    bill('synthesis', `${voiceId}\n${text}`);
    return {
      task_id: task.taskId,
      task_token: randomUUID().replaceAll('-', ''),
      file_id: task.fileId,
      usage_characters: characterCount(text),
      base_resp: success(),
    };
  }

  /**
   * The documented enum is lower-case (processing, success, failed, expired) but the official example
   * says "Processing": the emulator answers capitalised (Processing, Success, Failed), as the example;
   * adapters compare case-insensitively.
   */
  async function asyncStatus(task: AsyncTask): Promise<'Processing' | 'Success' | 'Failed'> {
    if (context.taskPhase(task.createdAt) !== 'done') return 'Processing';
    try {
      await task.audio;
      return 'Success';
    } catch {
      return 'Failed';
    }
  }

  async function queryAsync({ url }: VendorRequest): Promise<JsonObject> {
    const taskId = integerParameter(url, 'task_id');
    const task = tasks.get(taskId);
    if (!task) throw invalid(`task_id ${taskId} not found`);
    return { task_id: task.taskId, status: await asyncStatus(task), file_id: task.fileId, base_resp: success() };
  }

  /** An upload, or the audio of a finished async task; undefined while the task runs. */
  async function findFile(fileId: number): Promise<UploadedFile | undefined> {
    const uploaded = files.get(fileId);
    if (uploaded) return uploaded;
    const task = outputs.get(fileId);
    if (!task || (await asyncStatus(task)) !== 'Success') return undefined;
    const bytes = await task.audio;
    // UNKNOWN in VENDORS.md §5.5 what the async output file holds: the emulator serves the bare audio file.
    return { fileId, purpose: 't2a_async', filename: `output_${task.taskId}.${task.format}`, createdAt: task.createdAt + context.timing.queuedMs + context.timing.processingMs, contentType: contentTypeOf(task.format), bytes };
  }

  async function retrieveFile({ url }: VendorRequest): Promise<JsonObject> {
    const fileId = integerParameter(url, 'file_id');
    const file = await findFile(fileId);
    if (!file) throw invalid(`file_id ${fileId} not found${outputs.has(fileId) ? ' (its task has not finished)' : ''}`);
    // A freshly signed URL per call, valid 9 h (§5.5).
    const downloadUrl = context.publish(file.bytes, { contentType: file.contentType, lifetimeMs: retrieveUrlLifetimeMs });
    return { file: { ...fileFacts(file), download_url: downloadUrl }, base_resp: success() };
  }

  async function retrieveContent({ url }: VendorRequest): Promise<Response> {
    const fileId = integerParameter(url, 'file_id');
    const file = await findFile(fileId);
    if (!file) throw invalid(`file_id ${fileId} not found${outputs.has(fileId) ? ' (its task has not finished)' : ''}`);
    return new Response(new Uint8Array(file.bytes), { headers: { 'content-type': file.contentType, 'content-length': String(file.bytes.length) } });
  }

  async function getVoice({ request }: VendorRequest): Promise<JsonObject> {
    const body = await readBody(request);
    const voiceType = body.voice_type;
    if (typeof voiceType !== 'string' || !voiceTypes.includes(voiceType)) throw invalid(`voice_type must be one of ${voiceTypes.join(', ')}, got ${JSON.stringify(voiceType)}`);
    const answer: JsonObject = {};
    // UNKNOWN in VENDORS.md §5.6 whether arrays of types not asked for are sent: the emulator sends only the asked ones.
    if (voiceType === 'system' || voiceType === 'all') answer.system_voice = systemVoices.map((voice) => ({ ...voice, description: [...voice.description] }));
    if (voiceType === 'voice_cloning' || voiceType === 'all') {
      // A voice is listed from its creation (not only after first use, as one hosting page says) until it is gone.
      answer.voice_cloning = [...voices.values()]
        .filter((voice) => liveVoice(voice.voiceId))
        .map((voice) => ({ voice_id: voice.voiceId, description: [], created_time: new Date(voice.createdAt).toISOString().slice(0, 10) }));
    }
    if (voiceType === 'voice_generation' || voiceType === 'all') answer.voice_generation = [];
    return { ...answer, base_resp: success() };
  }

  async function deleteVoice({ request }: VendorRequest): Promise<JsonObject> {
    const body = await readBody(request);
    if (body.voice_type !== 'voice_cloning' && body.voice_type !== 'voice_generation') {
      throw invalid(`voice_type must be voice_cloning or voice_generation, got ${JSON.stringify(body.voice_type)}`);
    }
    if (typeof body.voice_id !== 'string' || body.voice_id === '') throw invalid('voice_id is required');
    if (systemVoices.some((voice) => voice.voice_id === body.voice_id)) throw invalid(`${body.voice_id} is a system voice; only cloned or designed voices can be deleted`);
    // The emulator has no voice design, so no voice_generation voice exists.
    const voice = body.voice_type === 'voice_cloning' ? liveVoice(body.voice_id) : undefined;
    if (!voice) throw new MinimaxProblem(2042, `voice_id ${body.voice_id} does not exist as a ${body.voice_type} voice or you have no access to it`);
    voice.deletedAt = context.clock.now();
    // The example answers a Unix time in a string, though the text says yyyy-mm-dd: the emulator follows the example.
    return { voice_id: voice.voiceId, created_time: String(Math.floor(voice.createdAt / 1000)), base_resp: success() };
  }

  const checkModel = (value: unknown): string => {
    if (value === undefined || value === null || value === '') throw invalid('model is required');
    if (typeof value !== 'string' || !models.includes(value)) throw invalid(`model must be one of ${models.join(', ')}, got ${JSON.stringify(value)}`);
    return value;
  };

  const checkVoiceSetting = (setting: JsonObject, model: string, options: { extraFlags: string[] }): string => {
    const voiceId = setting.voice_id;
    if (typeof voiceId !== 'string' || voiceId === '') throw invalid('voice_setting.voice_id is required');
    const problem =
      rangeProblem('voice_setting.speed', setting.speed, 0.5, 2) ??
      rangeProblem('voice_setting.vol', setting.vol, 0, 10, { exclusiveMin: true }) ??
      rangeProblem('voice_setting.pitch', setting.pitch, -12, 12, { integer: true });
    if (problem) throw invalid(problem);
    const emotion = setting.emotion;
    if (emotion !== undefined && emotion !== null) {
      if (typeof emotion !== 'string' || !emotions.includes(emotion)) throw invalid(`voice_setting.emotion must be one of ${emotions.join(', ')}, got ${JSON.stringify(emotion)}`);
      if (emotion === 'whisper' && model.startsWith('speech-2.8')) throw invalid(`voice_setting.emotion whisper is not available on ${model}`);
    }
    for (const flag of options.extraFlags) {
      if (setting[flag] !== undefined && typeof setting[flag] !== 'boolean') throw invalid(`voice_setting.${flag} must be true or false`);
    }
    return voiceId;
  };

  const checkAudioSetting = (setting: unknown, sampleRateField: string, defaultChannels: number): ProducedFormat => {
    if (setting === undefined || setting === null) return 'mp3';
    if (!isObject(setting)) throw invalid('audio_setting must be an object');
    const sampleRate = setting[sampleRateField];
    if (sampleRate !== undefined && !sampleRates.includes(sampleRate as number)) throw invalid(`audio_setting.${sampleRateField} must be one of ${sampleRates.join(', ')}, got ${JSON.stringify(sampleRate)}`);
    if (setting.bitrate !== undefined && !bitrates.includes(setting.bitrate as number)) throw invalid(`audio_setting.bitrate must be one of ${bitrates.join(', ')}, got ${JSON.stringify(setting.bitrate)}`);
    const channel = setting.channel ?? defaultChannels;
    if (channel !== 1 && channel !== 2) throw invalid(`audio_setting.channel must be 1 or 2, got ${JSON.stringify(channel)}`);
    const format = setting.format ?? 'mp3';
    if (typeof format !== 'string' || !audioFormats.includes(format)) throw invalid(`audio_setting.format must be one of ${audioFormats.join(', ')}, got ${JSON.stringify(format)}`);
    if (!(producedFormats as readonly string[]).includes(format)) throw invalid(`audio_setting.format ${format} is not supported by the emulator (use ${producedFormats.join(' or ')})`);
    // The emulator renders at its synthesiser's own rate and channels; extra_info reports what it really sent.
    return format as ProducedFormat;
  };

  const checkLanguageBoost = (value: unknown): void => {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || !languageBoostValues.includes(value)) throw invalid(`language_boost must be one of ${languageBoostValues.join(', ')}, got ${JSON.stringify(value)}`);
  };

  const checkPronunciationDictionary = (dictionary: unknown): void => {
    if (dictionary === undefined || dictionary === null) return;
    if (!isObject(dictionary)) throw invalid('pronunciation_dict must be an object {tone: ["word/replacement", …]}');
    const tone = dictionary.tone;
    if (tone !== undefined && (!Array.isArray(tone) || !tone.every((entry) => typeof entry === 'string' && entry.includes('/')))) {
      throw invalid('pronunciation_dict.tone must be an array of "original/replacement" strings');
    }
  };

  const checkVoiceModify = (modify: unknown): void => {
    if (modify === undefined || modify === null) return;
    if (!isObject(modify)) throw invalid('voice_modify must be an object');
    for (const name of ['pitch', 'intensity', 'timbre']) {
      const problem = rangeProblem(`voice_modify.${name}`, modify[name], -100, 100, { integer: true });
      if (problem) throw invalid(problem);
    }
    if (modify.sound_effects !== undefined && !soundEffects.includes(modify.sound_effects as string)) {
      throw invalid(`voice_modify.sound_effects must be one of ${soundEffects.join(', ')}, got ${JSON.stringify(modify.sound_effects)}`);
    }
  };

  const routes: Record<string, (request: VendorRequest, traceId: string) => Promise<JsonObject | Response>> = {
    'POST /v1/files/upload': upload,
    'POST /v1/voice_clone': voiceClone,
    'POST /v1/t2a_v2': textToAudio,
    'POST /v1/t2a_async_v2': textToAudioAsync,
    'GET /v1/query/t2a_async_query_v2': queryAsync,
    'GET /v1/files/retrieve': retrieveFile,
    'GET /v1/files/retrieve_content': retrieveContent,
    'POST /v1/get_voice': getVoice,
    'POST /v1/delete_voice': deleteVoice,
  };

  return {
    async handle(vendorRequest) {
      const traceId = randomUUID().replaceAll('-', '');
      const headers = { 'Trace-Id': traceId };
      const { request, path } = vendorRequest;
      const route = routes[`${request.method} ${path}`];
      if (!route) return json({ base_resp: { status_code: 2013, status_msg: `invalid params, no endpoint ${request.method} ${path}` } }, 404, headers);
      const authentication = authProblem(request);
      if (authentication) return json({ base_resp: failure(authentication) }, 200, headers);
      try {
        const answer = await route(vendorRequest, traceId);
        return answer instanceof Response ? answer : json(answer, 200, headers);
      } catch (error) {
        // A bug or an unreadable request in the emulator itself still answers in the vendor's shape.
        if (!(error instanceof MinimaxProblem)) return json({ base_resp: { status_code: 1024, status_msg: `internal error: ${(error as Error).message}` } }, 500, headers);
        const body: JsonObject = { base_resp: failure(error) };
        if (path === '/v1/t2a_v2') body.trace_id = traceId;
        return json(body, 200, headers);
      }
    },
    faultResponse(status, options) {
      const headers: Record<string, string> = { 'Trace-Id': randomUUID().replaceAll('-', '') };
      if (options.retryAfterSeconds !== undefined) headers['Retry-After'] = String(options.retryAfterSeconds);
      // MiniMax reports rate limiting inside an HTTP 200 (§5.8).
      if (status === 429) return json({ base_resp: { status_code: 1002, status_msg: 'rate limit exceeded(RPM)' } }, 200, headers);
      if (status >= 500) {
        const baseResponse = status === 500 ? { status_code: 1024, status_msg: 'internal error' } : { status_code: 1000, status_msg: 'unknown error' };
        return json({ base_resp: baseResponse }, status, headers);
      }
      return json({ base_resp: { status_code: 2013, status_msg: `invalid params (injected HTTP ${status})` } }, status, headers);
    },
    reset() {
      nextFileId = firstFileId;
      nextTaskId = firstTaskId;
      files.clear();
      voices.clear();
      tasks.clear();
      outputs.clear();
    },
  };

  async function audioFacts(bytes: Uint8Array, format: ProducedFormat): Promise<AudioFacts> {
    const header = format === 'wav' ? wavFacts(bytes) : mp3Facts(bytes);
    const durationMs = header?.durationMs ?? (await context.probeAudio(bytes)).durationMs ?? 0;
    return { durationMs, sampleRate: header?.sampleRate ?? 32000, bitrate: header?.bitrate ?? 128000, channels: header?.channels ?? 1 };
  }
}

interface AudioFacts {
  durationMs: number;
  sampleRate: number;
  bitrate: number;
  channels: number;
  size?: number;
}

const success = () => ({ status_code: 0, status_msg: 'success' });
const failure = (problem: MinimaxProblem) => ({ status_code: problem.statusCode, status_msg: problem.message });
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const contentTypeOf = (format: ProducedFormat) => (format === 'mp3' ? 'audio/mpeg' : 'audio/wav');
const wordCount = (text: string) => speakableText(text).split(/\s+/).filter(Boolean).length;

async function readBody(request: Request): Promise<JsonObject> {
  const body = await request.json().catch(() => undefined);
  if (!isObject(body)) throw invalid('the request body must be a JSON object');
  return body;
}

function integerParameter(url: URL, name: string): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') throw invalid(`${name} is required as a query parameter`);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) throw invalid(`${name} must be an integer, got ${raw}`);
  return value;
}

/** Sample rate, channels, bitrate and duration from a PCM WAV header. */
function wavFacts(bytes: Uint8Array): { durationMs: number; sampleRate: number; bitrate: number; channels: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || view.getUint32(0, false) !== 0x52494646 || view.getUint32(8, false) !== 0x57415645) return undefined;
  let offset = 12;
  let format: { channels: number; sampleRate: number; byteRate: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ' && offset + 24 <= bytes.length) {
      format = { channels: view.getUint16(offset + 10, true), sampleRate: view.getUint32(offset + 12, true), byteRate: view.getUint32(offset + 16, true) };
    }
    if (id === 'data' && format && format.byteRate > 0) {
      const dataBytes = Math.min(size, bytes.length - offset - 8);
      return { durationMs: Math.round((dataBytes / format.byteRate) * 1000), sampleRate: format.sampleRate, bitrate: format.byteRate * 8, channels: format.channels };
    }
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

const mpeg1Layer3Bitrates = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const mpeg2Layer3Bitrates = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const mpegSampleRates: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Sample rate, bitrate and channels from the first MPEG layer III frame header (duration comes from probing). */
function mp3Facts(bytes: Uint8Array): { sampleRate: number; bitrate: number; channels: number; durationMs?: number } | undefined {
  let offset = 0;
  if (bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33 && bytes.length > 10) {
    offset = 10 + (((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f));
  }
  for (; offset + 4 <= bytes.length; offset++) {
    if (bytes[offset] !== 0xff || (bytes[offset + 1]! & 0xe0) !== 0xe0) continue;
    const version = (bytes[offset + 1]! >> 3) & 3;
    const layer = (bytes[offset + 1]! >> 1) & 3;
    const bitrateIndex = bytes[offset + 2]! >> 4;
    const sampleRateIndex = (bytes[offset + 2]! >> 2) & 3;
    const rates = mpegSampleRates[version];
    if (layer !== 1 || !rates || sampleRateIndex === 3 || bitrateIndex === 0 || bitrateIndex === 15) continue;
    const kilobits = (version === 3 ? mpeg1Layer3Bitrates : mpeg2Layer3Bitrates)[bitrateIndex]!;
    return { sampleRate: rates[sampleRateIndex]!, bitrate: kilobits * 1000, channels: bytes[offset + 3]! >> 6 === 3 ? 1 : 2 };
  }
  return undefined;
}
