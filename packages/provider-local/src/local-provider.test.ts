import { readFile } from 'node:fs/promises';
import type { CreateVoiceRequest, ProviderCallContext, SynthesizeRequest, VoiceRecord } from '@voxform/core';
import wavefile from 'wavefile';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from './decode-wav.js';
import { createLocalProvider, type LocalVoiceData } from './local-provider.js';
import { LocalProviderError } from './local-provider-error.js';
import { medianPitch, trackPitch } from './track-pitch.js';
import { runEspeak, type EspeakRun } from './run-espeak.js';

const provider = createLocalProvider();
const paragraph =
  'It was a dark and stormy night. The rain fell in torrents, except at occasional intervals, when it was checked by a violent gust of wind which swept up the streets.';

function context(signal = new AbortController().signal): ProviderCallContext {
  return { signal, recordTask: async () => {}, reportStatus: () => {} };
}

function createRequest(bytes: Uint8Array, overrides: Partial<CreateVoiceRequest> = {}): CreateVoiceRequest {
  return {
    name: 'narrator',
    fingerprint: 'f'.repeat(64),
    sample: { source: 'file', location: '/project/samples/narrator.wav', format: 'wav', read: async () => bytes },
    language: 'English',
    options: {},
    suggestedVoiceId: 'narrator-ffffffff',
    ...overrides,
  };
}

function synthesizeRequest(voice: VoiceRecord, text: string, options: SynthesizeRequest['options'] = {}): SynthesizeRequest {
  return {
    text,
    voice: {
      ...voice,
      name: 'narrator',
      fingerprint: 'f'.repeat(64),
      options: {},
      sample: { source: 'file', location: '/project/samples/narrator.wav', read: async () => new Uint8Array() },
    },
    options,
    format: 'wav',
  };
}

async function sampleFrom(run: Partial<EspeakRun>): Promise<Uint8Array> {
  return runEspeak({ text: paragraph, voice: 'en-us', variant: 'm3', pitch: 50, wordsPerMinute: 175, ...run });
}

async function synthesize(voice: VoiceRecord, text: string, options: SynthesizeRequest['options'] = {}): Promise<Uint8Array> {
  const result = await provider.doSynthesize(synthesizeRequest(voice, text, options), context());
  expect(result.format).toBe('wav');
  expect(result.billedCharacters).toBe(0);
  if (result.audio.type !== 'bytes') throw new Error(`expected bytes, got ${result.audio.type}`);
  return result.audio.bytes;
}

function voiceData(record: VoiceRecord): LocalVoiceData {
  return record.data as LocalVoiceData;
}

function durationSeconds(wav: Uint8Array): number {
  const audio = decodeWav(wav);
  return audio.samples.length / audio.sampleRate;
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createLocalProvider', () => {
  it('describes itself as an offline v1 provider without persistent voices', () => {
    expect(provider.specificationVersion).toBe('v1');
    expect(provider.id).toBe('local');
    expect(provider.displayName).toBe('Local (espeak-ng)');
    expect(provider.capabilities).toEqual({
      persistentVoices: false,
      free: true,
      clientChosenVoiceIds: false,
      synthesis: true,
      maxTextLength: 5000,
      sample: { sources: ['file'], formats: ['wav'], minDurationMs: 1000, maxDurationMs: 300_000, maxBytes: 50_000_000 },
      outputFormats: ['wav'],
      defaultConcurrency: 2,
    });
    expect(provider.capabilities.apiKeyEnv).toBeUndefined();
    expect(provider.capabilities.unusedVoiceLifetimeMs).toBeUndefined();
  });
});

describe('doCreateVoice', () => {
  let low: VoiceRecord;
  let high: VoiceRecord;

  beforeAll(async () => {
    low = await provider.doCreateVoice(createRequest(await sampleFrom({ variant: 'm3', pitch: 30, wordsPerMinute: 150 })), context());
    high = await provider.doCreateVoice(createRequest(await sampleFrom({ variant: 'f2', pitch: 70, wordsPerMinute: 220 })), context());
  });

  it('recovers the settings a sample was spoken with', () => {
    expect(low.remoteId).toBeUndefined();
    expect(voiceData(low).espeak.variant).toBe('m3');
    expect(Math.abs(voiceData(low).espeak.pitch - 30)).toBeLessThanOrEqual(3);
    expect(Math.abs(voiceData(low).espeak.wordsPerMinute - 150)).toBeLessThanOrEqual(150 * 0.15);
    expect(voiceData(high).espeak.variant).toBe('f2');
    expect(Math.abs(voiceData(high).espeak.pitch - 70)).toBeLessThanOrEqual(3);
    expect(Math.abs(voiceData(high).espeak.wordsPerMinute - 220)).toBeLessThanOrEqual(220 * 0.15);
  });

  it('records rounded measurements and the espeak-ng settings derived from them', () => {
    const data = voiceData(low);
    expect(Object.keys(data).sort()).toEqual(['espeak', 'pitchHz', 'syllablesPerSecond']);
    expect(Number.isInteger(data.pitchHz)).toBe(true);
    expect(Math.round(data.syllablesPerSecond * 100) / 100).toBe(data.syllablesPerSecond);
    expect(data.pitchHz).toBeGreaterThan(80);
    expect(data.pitchHz).toBeLessThan(100);
    expect(data.espeak.voice).toBe('en-us');
    expect(voiceData(high).pitchHz).toBeGreaterThan(2 * data.pitchHz);
    expect(voiceData(high).syllablesPerSecond).toBeGreaterThan(data.syllablesPerSecond);
  });

  it('speaks two samples of different pitch with audibly different voices', async () => {
    const text = 'Good evening, keeper. I believe you have something of mine.';
    const lowAudio = decodeWav(await synthesize(low, text));
    const highAudio = decodeWav(await synthesize(high, text));
    const lowPitch = medianPitch(trackPitch(lowAudio)) ?? 0;
    const highPitch = medianPitch(trackPitch(highAudio)) ?? 0;
    expect(highPitch).toBeGreaterThan(1.8 * lowPitch);
    expect(Math.abs(lowPitch - voiceData(low).pitchHz)).toBeLessThan(0.1 * voiceData(low).pitchHz);
    expect(Math.abs(highPitch - voiceData(high).pitchHz)).toBeLessThan(0.1 * voiceData(high).pitchHz);
  });

  it('is deterministic', async () => {
    const bytes = await sampleFrom({ variant: 'f2', pitch: 70, wordsPerMinute: 220 });
    expect(await provider.doCreateVoice(createRequest(bytes), context())).toEqual(high);
  });

  it('derives the espeak-ng voice from the language, unless the options name one', async () => {
    const bytes = await sampleFrom({ pitch: 30 });
    const french = await provider.doCreateVoice(createRequest(bytes, { language: 'French' }), context());
    expect(voiceData(french).espeak.voice).toBe('fr-fr');
    const untold = await provider.doCreateVoice(createRequest(bytes, { language: undefined }), context());
    expect(voiceData(untold).espeak.voice).toBe('en');
    const chosen = await provider.doCreateVoice(createRequest(bytes, { options: { voice: 'en-gb-x-rp', variant: 'f4' } }), context());
    expect(voiceData(chosen).espeak.voice).toBe('en-gb-x-rp');
    expect(voiceData(chosen).espeak.variant).toBe('f4');
    // A ~88 Hz voice is below what the female variant reaches, so it gets its lowest setting.
    expect(voiceData(chosen).espeak.pitch).toBe(0);
  });

  it('tells the two example samples apart', async () => {
    const measure = async (file: string) => {
      const path = new URL(`../../../examples/audiobook/samples/${file}`, import.meta.url);
      const bytes = new Uint8Array(await readFile(path));
      return voiceData(await provider.doCreateVoice(createRequest(bytes, { name: file }), context()));
    };
    const narrator = await measure('narrator.wav');
    const villain = await measure('villain.wav');
    expect(narrator.pitchHz).toBeLessThan(110);
    expect(narrator.espeak.variant).toBe('m3');
    expect(villain.pitchHz).toBeGreaterThan(220);
    expect(villain.espeak.variant).toBe('f2');
    expect(villain.espeak.wordsPerMinute).toBeGreaterThan(narrator.espeak.wordsPerMinute);
  });

  it('rejects a sample that is not WAV with a clear error', async () => {
    const error = await rejection(
      provider.doCreateVoice(createRequest(new TextEncoder().encode('ID3\u0003 not really audio')), context()),
    );
    expect(LocalProviderError.isInstance(error)).toBe(true);
    expect((error as LocalProviderError).code).toBe('unsupported-sample');
    expect((error as LocalProviderError).message).toContain(
      'the sample of voice "narrator" (/project/samples/narrator.wav) is not a readable WAV file',
    );
    expect((error as LocalProviderError).message).toContain('accepts PCM WAV');
  });

  it('rejects a sample without voiced speech, saying how to fix it', async () => {
    const wave = new wavefile.WaveFile();
    wave.fromScratch(1, 16_000, '16', new Int16Array(32_000));
    const error = await rejection(provider.doCreateVoice(createRequest(wave.toBuffer()), context()));
    expect((error as LocalProviderError).code).toBe('no-voiced-speech');
    expect((error as LocalProviderError).message).toMatch(/^No voiced speech found in the sample of voice "narrator"/);
    expect((error as LocalProviderError).message).toContain('of one person speaking');
  });

  it('rejects a URL sample', async () => {
    const request = createRequest(new Uint8Array());
    request.sample = { ...request.sample, source: 'url', location: 'https://example.com/a.wav' };
    const error = await rejection(provider.doCreateVoice(request, context()));
    expect((error as LocalProviderError).code).toBe('unsupported-sample');
  });

  it('rejects with the signal reason when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    controller.abort(reason);
    await expect(provider.doCreateVoice(createRequest(new Uint8Array()), context(controller.signal))).rejects.toBe(reason);
  });
});

describe('doSynthesize', () => {
  const voice: VoiceRecord = {
    data: { pitchHz: 105, syllablesPerSecond: 4.69, espeak: { voice: 'en-us', variant: 'm3', pitch: 50, wordsPerMinute: 175 } },
  };
  const text = 'The keeper watched the boat until it was only a speck on the horizon.';
  let plain: Uint8Array;

  beforeAll(async () => {
    plain = await synthesize(voice, text);
  });

  it('returns a mono 16-bit PCM RIFF/WAVE file of non-silent speech', () => {
    expect(String.fromCharCode(...plain.subarray(0, 4))).toBe('RIFF');
    expect(String.fromCharCode(...plain.subarray(8, 12))).toBe('WAVE');
    const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    expect(view.getUint32(4, true)).toBe(plain.length - 8);
    const wave = new wavefile.WaveFile();
    wave.fromBuffer(plain);
    expect(wave.fmt).toMatchObject({ audioFormat: 1, numChannels: 1, sampleRate: 22_050, bitsPerSample: 16 });
    expect(rms(decodeWav(plain).samples)).toBeGreaterThan(0.02);
  });

  it('takes about as long as the text at the voice speed', () => {
    // 14 words at 175 words per minute: 4.8 s.
    const seconds = durationSeconds(plain);
    expect(seconds).toBeGreaterThan(4.8 * 0.6);
    expect(seconds).toBeLessThan(4.8 * 1.5);
  });

  it('gives the same bytes for the same request', async () => {
    expect(Buffer.from(await synthesize(voice, text)).equals(Buffer.from(plain))).toBe(true);
  });

  it('speeds up and slows down with the speed option', async () => {
    const fast = durationSeconds(await synthesize(voice, text, { speed: 2 }));
    const slow = durationSeconds(await synthesize(voice, text, { speed: 0.5 }));
    expect(fast).toBeLessThan(durationSeconds(plain) * 0.65);
    expect(slow).toBeGreaterThan(durationSeconds(plain) * 1.5);
  });

  it('shifts the pitch by the pitch option, in semitones', async () => {
    const base = medianPitch(trackPitch(decodeWav(plain))) ?? 0;
    const up = medianPitch(trackPitch(decodeWav(await synthesize(voice, text, { pitch: 7 })))) ?? 0;
    const down = medianPitch(trackPitch(decodeWav(await synthesize(voice, text, { pitch: -5 })))) ?? 0;
    expect(up / base).toBeGreaterThan(2 ** (5 / 12));
    expect(up / base).toBeLessThan(2 ** (9 / 12));
    expect(down / base).toBeGreaterThan(2 ** (-7 / 12));
    expect(down / base).toBeLessThan(2 ** (-3 / 12));
  });

  it('appends the pause as silence', async () => {
    const paused = decodeWav(await synthesize(voice, text, { pauseMs: 1000 }));
    const original = decodeWav(plain);
    expect(paused.samples.length - original.samples.length).toBe(22_050);
    expect(rms(paused.samples.subarray(original.samples.length))).toBe(0);
    expect(paused.samples.subarray(0, original.samples.length)).toEqual(original.samples);
  });

  it('speaks text that looks like options, quotes and several lines as text', async () => {
    const tricky = '--help -v xx "quoted" \'single\'\n-w /etc/passwd\nThe end.';
    const audio = decodeWav(await synthesize(voice, tricky));
    const seconds = audio.samples.length / audio.sampleRate;
    expect(rms(audio.samples)).toBeGreaterThan(0.02);
    expect(seconds).toBeGreaterThan(2);
  });

  it('rejects with the signal reason when aborted before starting', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(provider.doSynthesize(synthesizeRequest(voice, text), context(controller.signal)));
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
  });

  it('refuses voice data it cannot use, saying how to recreate the voice', async () => {
    const error = await rejection(provider.doSynthesize(synthesizeRequest({ data: { pitchHz: 100 } }, text), context()));
    expect((error as LocalProviderError).code).toBe('synthesis-failed');
    expect((error as LocalProviderError).message).toContain('voxform apply --replace voice.narrator');
  });
});
