import { parseBuffer } from 'music-metadata';
import type { AdaptiveLimiter } from '../http/adaptive-limiter.js';
import { createHttpClient } from '../http/create-http-client.js';
import { redact } from '../http/redact.js';
import { audioFormatProblem } from '../node/audio-store.js';
import type { AudioFormat, AudioSource, CreateVoiceRequest, JsonValue, ProviderCallContext, ProviderV1, VoiceRecord } from '../providers/provider-v1.js';
import type { CloneTaskStore, StoredCloneTask } from './clone-task-store.js';
import { collectCapped } from './read-body.js';

/** Everything one task needs, checked and prepared by the handler. */
export interface CloneJob {
  taskId: string;
  /** The provider instance, with its key and limiter. */
  provider: ProviderV1;
  limiter: AdaptiveLimiter;
  voice: CreateVoiceRequest;
  text: string;
  /** Line options, already validated. */
  options: Record<string, JsonValue>;
  format: AudioFormat;
  /** Where the audio will be served (`<basePath>/tasks/<id>/audio`). */
  audioUrl: string;
}

export interface RunCloneTaskOptions {
  store: CloneTaskStore;
  /** Aborted when the task is cancelled (or the handler closes): stops waiting on the vendor. */
  signal: AbortSignal;
  /** Strings that must never reach the task's error: every API key the handler holds. */
  secrets: readonly string[];
  /** The undici dispatcher for downloading the vendor's audio. */
  dispatcher?: object;
  /** Largest audio accepted from the vendor, in bytes. */
  maxAudioBytes: number;
  now: () => Date;
}

/**
 * Runs a task on the provider contract, as `voxform apply` runs a voice and a line: the voice is
 * cloned, then the text is spoken with it, each call in the provider's adaptive queue; the adapters
 * bring their own retries and polling. The audio is checked (magic bytes, a real duration) before the
 * task completes. A cancelled task deletes the voice it made, where the provider can delete voices.
 * Resolves when the task is final; never rejects.
 */
export async function runCloneTask(job: CloneJob, options: RunCloneTaskOptions): Promise<StoredCloneTask | undefined> {
  const { store, signal } = options;
  const at = () => options.now().toISOString();
  const context: ProviderCallContext = {
    signal,
    // No lockfile to write ahead to: a task lives as long as its server; a crash loses it.
    recordTask: async () => {},
    reportStatus: (status) => {
      void store.dispatch(job.taskId, { type: 'vendor-status', status, at: at() }).catch(() => {});
    },
  };
  let voice: VoiceRecord | undefined;
  let cloneStarted = false;
  try {
    voice = await job.limiter.run(
      async () => {
        signal.throwIfAborted();
        await store.dispatch(job.taskId, { type: 'start', at: at() });
        cloneStarted = true;
        return job.provider.doCreateVoice(job.voice, context);
      },
      { signal },
    );
    if (voice.remoteId || voice.data) {
      await store.dispatch(job.taskId, {
        type: 'voice-created',
        voice: { ...(voice.remoteId ? { remoteId: voice.remoteId } : {}), ...(voice.data ? { data: voice.data } : {}) },
        at: at(),
      });
    }
    const clonedVoice = voice;
    const result = await job.limiter.run(
      () =>
        job.provider.doSynthesize(
          {
            text: job.text,
            voice: {
              name: job.voice.name,
              fingerprint: job.voice.fingerprint,
              ...clonedVoice,
              ...(job.voice.language ? { language: job.voice.language } : {}),
              options: job.voice.options,
              sample: job.voice.sample,
            },
            options: job.options,
            format: job.format,
          },
          context,
        ),
      { signal },
    );
    if (result.format !== job.format) {
      throw new Error(`${job.provider.displayName} returned ${result.format} audio where ${job.format} was asked: this is a bug in the provider`);
    }
    const audio = await readAudio(result.audio, job.provider.displayName, options);
    await checkAudio(audio, job.format);
    await store.putAudio(job.taskId, audio);
    return await store.dispatch(job.taskId, { type: 'complete', audioUrl: job.audioUrl, format: job.format, at: at() });
  } catch (error) {
    if (signal.aborted) {
      await deleteVoice(job, voice, cloneStarted);
      return store.get(job.taskId);
    }
    return store.dispatch(job.taskId, { type: 'fail', error: redact(messageOf(error), options.secrets), at: at() }).catch(() => undefined);
  }
}

/**
 * Cancelling at the vendor: no adapter can stop a vendor's task midway, but one that made a voice can
 * delete it. A voice whose creation was cut short is looked for under the id voxform chose for it.
 */
async function deleteVoice(job: CloneJob, voice: VoiceRecord | undefined, cloneStarted: boolean): Promise<void> {
  const { provider } = job;
  if (!provider.doDeleteVoice || !provider.capabilities.persistentVoices) return;
  const record = voice ?? (cloneStarted && provider.capabilities.clientChosenVoiceIds ? { remoteId: job.voice.suggestedVoiceId } : undefined);
  if (!record?.remoteId) return;
  try {
    await provider.doDeleteVoice(record, { signal: AbortSignal.timeout(30_000), recordTask: async () => {}, reportStatus: () => {} });
  } catch {
    // Best effort: the vendor deletes unused voices on its own schedule.
  }
}

async function readAudio(source: AudioSource, provider: string, options: RunCloneTaskOptions): Promise<Uint8Array> {
  const tooLarge = () => new Error(`${provider} returned more than ${options.maxAudioBytes} bytes of audio`);
  if (source.type === 'bytes') {
    if (source.bytes.byteLength > options.maxAudioBytes) throw tooLarge();
    return source.bytes;
  }
  if (source.type === 'url') {
    const client = createHttpClient({ provider, secrets: [...options.secrets, ...Object.values(source.headers ?? {})], ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
    const { value } = await client.request({ path: source.url, responseType: 'bytes', signal: options.signal, ...(source.headers ? { headers: source.headers } : {}) });
    if (value.byteLength > options.maxAudioBytes) throw tooLarge();
    return value;
  }
  return collectCapped(source.stream as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, options.maxAudioBytes, tooLarge, options.signal);
}

async function checkAudio(audio: Uint8Array, format: AudioFormat): Promise<void> {
  const problem = audioFormatProblem(audio.subarray(0, 16), format, audio.byteLength);
  if (problem) throw new Error(problem);
  let duration: number | undefined;
  try {
    duration = (await parseBuffer(audio, { mimeType: format === 'mp3' ? 'audio/mpeg' : 'audio/wav' }, { duration: true, skipCovers: true })).format.duration;
  } catch (error) {
    throw new Error(`the ${format} audio received cannot be read (${(error as Error).message})`);
  }
  if (!duration || !Number.isFinite(duration) || duration <= 0) throw new Error(`the ${format} audio received is empty (${audio.byteLength} bytes, no duration)`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
