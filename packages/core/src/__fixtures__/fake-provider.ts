import type {
  CreateVoiceRequest,
  ProviderCallContext,
  ProviderCapabilities,
  ProviderSettings,
  ProviderV1,
  SynthesizeRequest,
  SynthesizeResult,
  TaskRecord,
  VoiceRecord,
} from '../providers/provider-v1.js';
import { ProviderRegistry } from '../providers/provider-registry.js';
import { sineWav } from './test-project.js';

/** Real JSON schemas, so option checks run through ajv exactly as for a vendor adapter. */
export const fakeVoiceOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    need_noise_reduction: { type: 'boolean' },
    accent: { type: 'string', enum: ['neutral', 'british'] },
  },
};

export const fakeLineOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    speed: { type: 'number', minimum: 0.5, maximum: 2 },
    emotion: { type: 'string', enum: ['neutral', 'happy', 'angry'] },
  },
};

export interface FakeProviderOptions {
  id?: string;
  displayName?: string;
  capabilities?: Partial<Omit<ProviderCapabilities, 'sample'>> & { sample?: Partial<ProviderCapabilities['sample']> };
  createVoice?: (request: CreateVoiceRequest, context: ProviderCallContext) => Promise<VoiceRecord>;
  synthesize?: (request: SynthesizeRequest, context: ProviderCallContext) => Promise<SynthesizeResult>;
  resumeSynthesis?: (request: SynthesizeRequest, task: TaskRecord, context: ProviderCallContext) => Promise<SynthesizeResult | undefined>;
  resumeVoice?: (request: CreateVoiceRequest, task: TaskRecord, context: ProviderCallContext) => Promise<VoiceRecord | undefined>;
}

/** Every call the engine made, in order. */
export interface FakeProviderCalls {
  settings: ProviderSettings[];
  createVoice: CreateVoiceRequest[];
  synthesize: SynthesizeRequest[];
  resumeSynthesis: Array<{ request: SynthesizeRequest; task: TaskRecord }>;
  resumeVoice: Array<{ request: CreateVoiceRequest; task: TaskRecord }>;
}

export interface FakeProvider {
  provider: ProviderV1;
  calls: FakeProviderCalls;
  register(registry: ProviderRegistry): ProviderRegistry;
}

/** Audio a fake synthesis returns: a short WAV whose pitch depends on the text, so different lines differ. */
export function wavFor(text: string): SynthesizeResult {
  let frequency = 200;
  for (const character of text) frequency = (frequency * 31 + (character.codePointAt(0) ?? 0)) % 1800;
  return { audio: { type: 'bytes', bytes: sineWav({ durationMs: 120, frequency: 200 + frequency }) }, format: 'wav' };
}

/** An in-process `ProviderV1` that records its calls; by default it clones instantly and speaks sine waves. */
export function createFakeProvider(options: FakeProviderOptions = {}): FakeProvider {
  const id = options.id ?? 'fake';
  const calls: FakeProviderCalls = { settings: [], createVoice: [], synthesize: [], resumeSynthesis: [], resumeVoice: [] };
  const capabilities: ProviderCapabilities = {
    persistentVoices: true,
    clientChosenVoiceIds: true,
    synthesis: true,
    maxTextLength: 200,
    outputFormats: ['wav'],
    defaultConcurrency: 4,
    ...options.capabilities,
    sample: { sources: ['file', 'url'], formats: ['wav', 'mp3'], prompt: { formats: ['wav', 'mp3'], maxDurationMs: 8000 }, ...options.capabilities?.sample },
  };
  const provider: ProviderV1 = {
    specificationVersion: 'v1',
    id,
    displayName: options.displayName ?? `Fake ${id}`,
    capabilities,
    voiceOptionsSchema: fakeVoiceOptionsSchema,
    lineOptionsSchema: fakeLineOptionsSchema,
    async doCreateVoice(request, context) {
      calls.createVoice.push(request);
      if (options.createVoice) return options.createVoice(request, context);
      return { remoteId: request.suggestedVoiceId, data: { cloned: request.name } };
    },
    async doSynthesize(request, context) {
      calls.synthesize.push(request);
      if (options.synthesize) return options.synthesize(request, context);
      return wavFor(request.text);
    },
    async doResumeSynthesis(request, task, context) {
      calls.resumeSynthesis.push({ request, task });
      if (options.resumeSynthesis) return options.resumeSynthesis(request, task, context);
      return wavFor(request.text);
    },
    async doResumeVoice(request, task, context) {
      calls.resumeVoice.push({ request, task });
      if (options.resumeVoice) return options.resumeVoice(request, task, context);
      return { remoteId: task.taskId ?? request.suggestedVoiceId };
    },
  };
  return {
    provider,
    calls,
    register(registry) {
      return registry.register(id, (settings) => {
        calls.settings.push(settings);
        return provider;
      });
    },
  };
}

/** A registry holding the given fakes (by default one provider called `fake`). */
export function fakeRegistry(...fakes: FakeProvider[]): ProviderRegistry {
  const registry = new ProviderRegistry();
  for (const fake of fakes.length > 0 ? fakes : [createFakeProvider()]) fake.register(registry);
  return registry;
}
