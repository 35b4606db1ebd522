import type {
  CreateVoiceRequest,
  JsonValue,
  ProviderCallContext,
  ProviderSettings,
  ProviderV1,
  SynthesizeRequest,
  SynthesizeResult,
  VoiceRecord,
} from '@voxform/core';
import { appendSilence } from './append-silence.js';
import { decodeWav } from './decode-wav.js';
import {
  clampPitchSetting,
  clampWordsPerMinute,
  espeakVariants,
  pitchAtSetting,
  pitchSettingFor,
  variantForPitch,
  wordsPerMinuteFor,
  type EspeakVariant,
} from './espeak-settings.js';
import { espeakVoiceForLanguage, espeakVoices } from './espeak-voices.js';
import { LocalProviderError } from './local-provider-error.js';
import { measureVoice } from './measure-voice.js';
import {
  lineOptionDefaults,
  lineOptionsSchema,
  voiceOptionsSchema,
  type LocalLineOptions,
  type LocalVoiceOptions,
} from './option-schemas.js';
import { runEspeak } from './run-espeak.js';

/**
 * What the lockfile keeps of a `local` voice (`VoiceRecord.data`): the measurements, rounded so that
 * they read well and stay stable, and the espeak-ng settings derived from them.
 */
export type LocalVoiceData = {
  /** Median fundamental frequency of the sample's voiced speech, in Hz (whole hertz). */
  pitchHz: number;
  /** Syllable nuclei per second of speech, pauses excluded (two decimals). */
  syllablesPerSecond: number;
  espeak: {
    /** espeak-ng voice (`-v`). */
    voice: string;
    /** espeak-ng variant, appended to the voice as `+variant`. */
    variant: EspeakVariant;
    /** `-p`, 0–99. */
    pitch: number;
    /** `-s`, 80–450. */
    wordsPerMinute: number;
  };
};

const voiceSet: ReadonlySet<string> = new Set(espeakVoices);
const variantSet: ReadonlySet<string> = new Set(espeakVariants);

/**
 * The `local` provider: espeak-ng compiled to WebAssembly, shaped by the sample's measured pitch and
 * speaking rate. Offline, free and deterministic; draft quality, not a neural clone. It takes no
 * settings (no key, no URL).
 */
export function createLocalProvider(_settings: ProviderSettings = {}): ProviderV1 {
  return {
    specificationVersion: 'v1',
    id: 'local',
    displayName: 'Local (espeak-ng)',
    capabilities: {
      persistentVoices: false,
      clientChosenVoiceIds: false,
      synthesis: true,
      maxTextLength: 5000,
      sample: {
        sources: ['file'],
        formats: ['wav'],
        minDurationMs: 1000,
        maxDurationMs: 300_000,
        maxBytes: 50_000_000,
      },
      outputFormats: ['wav'],
      free: true,
      // One espeak-ng run keeps one core busy.
      defaultConcurrency: 2,
    },
    voiceOptionsSchema,
    lineOptionsSchema,
    doCreateVoice,
    doSynthesize,
  };
}

async function doCreateVoice(request: CreateVoiceRequest, context: ProviderCallContext): Promise<VoiceRecord> {
  context.signal.throwIfAborted();
  const location = `the sample of voice "${request.name}" (${request.sample.location})`;
  if (request.sample.source !== 'file') {
    throw new LocalProviderError({
      code: 'unsupported-sample',
      message: `${location} is a URL; the local provider measures only local files: download it into the project and give its path.`,
    });
  }
  const audio = decodeWav(await request.sample.read(), location);
  context.signal.throwIfAborted();
  const measurement = measureVoice(audio, location);
  const options = request.options as LocalVoiceOptions;
  const pitchHz = Math.round(measurement.pitchHz);
  const syllablesPerSecond = Math.round(measurement.syllablesPerSecond * 100) / 100;
  const variant = options.variant ?? variantForPitch(pitchHz);
  const data: LocalVoiceData = {
    pitchHz,
    syllablesPerSecond,
    espeak: {
      voice: options.voice ?? espeakVoiceForLanguage(request.language),
      variant,
      pitch: pitchSettingFor(variant, pitchHz),
      wordsPerMinute: wordsPerMinuteFor(syllablesPerSecond),
    },
  };
  return { data };
}

async function doSynthesize(request: SynthesizeRequest, context: ProviderCallContext): Promise<SynthesizeResult> {
  context.signal.throwIfAborted();
  if (request.format !== 'wav') {
    throw new LocalProviderError({
      code: 'synthesis-failed',
      message: `The local provider writes only WAV, not ${request.format}: set output.format to wav (or leave it out).`,
    });
  }
  const { espeak } = readVoiceData(request.voice.name, request.voice.data);
  const options = { ...lineOptionDefaults, ...(request.options as LocalLineOptions) };
  const pitch =
    options.pitch === 0
      ? espeak.pitch
      : clampPitchSetting(
          pitchSettingFor(espeak.variant, pitchAtSetting(espeak.variant, espeak.pitch) * 2 ** (options.pitch / 12)),
        );
  const wav = await runEspeak(
    {
      text: request.text,
      voice: espeak.voice,
      variant: espeak.variant,
      pitch,
      wordsPerMinute: clampWordsPerMinute(espeak.wordsPerMinute * options.speed),
    },
    context.signal,
  );
  return { audio: { type: 'bytes', bytes: appendSilence(wav, options.pauseMs) }, format: 'wav', billedCharacters: 0 };
}

/** Checks the recorded data of a voice (it comes from the lockfile, which people can edit). */
function readVoiceData(name: string, data: Record<string, JsonValue> | undefined): LocalVoiceData {
  const espeak = data?.['espeak'];
  const valid =
    typeof data?.['pitchHz'] === 'number' &&
    typeof data['syllablesPerSecond'] === 'number' &&
    isRecord(espeak) &&
    typeof espeak['voice'] === 'string' &&
    voiceSet.has(espeak['voice']) &&
    typeof espeak['variant'] === 'string' &&
    variantSet.has(espeak['variant']) &&
    typeof espeak['pitch'] === 'number' &&
    Number.isFinite(espeak['pitch']) &&
    typeof espeak['wordsPerMinute'] === 'number' &&
    Number.isFinite(espeak['wordsPerMinute']);
  if (!valid) {
    throw new LocalProviderError({
      code: 'synthesis-failed',
      message: `Voice "${name}" has no usable local-provider data in voices.lock (expected { pitchHz, syllablesPerSecond, espeak: { voice, variant, pitch, wordsPerMinute } }, found ${JSON.stringify(data ?? null)}): recreate it with \`voxform apply --replace voice.${name}\`.`,
    });
  }
  const voiceData = data as LocalVoiceData;
  return {
    ...voiceData,
    espeak: {
      ...voiceData.espeak,
      pitch: clampPitchSetting(voiceData.espeak.pitch),
      wordsPerMinute: clampWordsPerMinute(voiceData.espeak.wordsPerMinute),
    },
  };
}

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
