import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it, vi } from 'vitest';
import type { JsonSchema } from '../provider-v1.js';
import { aiVoiceCloneFreeLineOptionsSchema, aiVoiceCloneFreeVoiceOptionsSchema } from './aivoiceclonefree-options.js';

/** Compiled the way core validates manifests: draft 2020-12, strict, every error. */
function compile(schema: JsonSchema) {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    expect(warn).not.toHaveBeenCalled();
    return (value: unknown) => {
      const valid = validate(value) as boolean;
      // `if` only repeats the error of its `then`: core's diagnostics drop it too.
      const errors = (validate.errors ?? []).filter((error) => error.keyword !== 'if').map((error) => ({ at: error.instancePath, keyword: error.keyword, params: error.params }));
      return { valid, errors };
    };
  } finally {
    warn.mockRestore();
  }
}

/** Every property of every object in `schema`, with its path. */
function propertiesOf(schema: Record<string, unknown>, path = ''): Array<[string, Record<string, unknown>]> {
  const found: Array<[string, Record<string, unknown>]> = [];
  const properties = schema.properties as Record<string, Record<string, unknown> | boolean> | undefined;
  for (const [name, property] of Object.entries(properties ?? {})) {
    if (typeof property !== 'object') continue;
    found.push([`${path}${name}`, property]);
    found.push(...propertiesOf(property, `${path}${name}.`));
  }
  return found;
}

const voice = compile(aiVoiceCloneFreeVoiceOptionsSchema);
const line = compile(aiVoiceCloneFreeLineOptionsSchema);
const joyful = [0.8, 0, 0, 0, 0.3, 0, 0.2, 0.5];

describe('AI Voice Clone Free option schemas', () => {
  it.each([
    ['voice', aiVoiceCloneFreeVoiceOptionsSchema],
    ['line', aiVoiceCloneFreeLineOptionsSchema],
  ])('documents every %s option, with its default or when it is required', (_kind, schema) => {
    expect(schema.additionalProperties).toBe(false);
    const properties = propertiesOf(schema);
    expect(properties.length).toBeGreaterThanOrEqual(3);
    for (const [path, property] of properties) {
      expect(property.description, path).toMatch(/Default|Required/);
    }
  });

  it('says that emotion_control\'s fields are the emulator\'s choice, UNKNOWN in the vendor\'s docs', () => {
    const emotion = (aiVoiceCloneFreeVoiceOptionsSchema.properties as Record<string, { description: string }>).emotion_control!;
    expect(emotion.description).toMatch(/UNKNOWN/);
    expect(emotion.description).toMatch(/emulator/);
    expect(emotion.description).toMatch(/Only with `model: v2`/);
  });

  it('accepts the documented voice options, defaulting to no options at all', () => {
    expect(voice({}).valid).toBe(true);
    for (const model of ['v1', 'v2', 'v-mul']) expect(voice({ model }).valid, model).toBe(true);
    expect(voice({ model: 'v2', emotion_control: { mode: 'text', text: 'warm and slightly amused' } }).valid).toBe(true);
    expect(voice({ emotion_control: { mode: 'vector', vector: joyful } }).valid).toBe(true);
    expect(voice({ emotion_control: { mode: 'reference', reference_audio_url: 'https://example.com/angry.wav' } }).valid).toBe(true);
  });

  it('refuses unknown models and options', () => {
    expect(voice({ model: 'v2-emotion' }).errors).toEqual([expect.objectContaining({ at: '/model', keyword: 'enum' })]);
    expect(voice({ voice_id: 'abc' }).errors).toEqual([expect.objectContaining({ at: '', keyword: 'additionalProperties' })]);
  });

  it.each(['v1', 'v-mul'])('refuses emotion_control with model %s, pointing at the model', (model) => {
    const result = voice({ model, emotion_control: { mode: 'text', text: 'angry' } });

    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([{ at: '/model', keyword: 'const', params: { allowedValue: 'v2' } }]);
  });

  it.each([
    ['mode text without text', { mode: 'text' }, [{ at: '/emotion_control', keyword: 'required', params: { missingProperty: 'text' } }]],
    ['mode vector without vector', { mode: 'vector' }, [{ at: '/emotion_control', keyword: 'required', params: { missingProperty: 'vector' } }]],
    ['mode reference without a URL', { mode: 'reference' }, [{ at: '/emotion_control', keyword: 'required', params: { missingProperty: 'reference_audio_url' } }]],
    ['no mode', { text: 'angry' }, [{ at: '/emotion_control', keyword: 'required', params: { missingProperty: 'mode' } }]],
    ['an unknown mode', { mode: 'audio' }, [expect.objectContaining({ at: '/emotion_control/mode', keyword: 'enum' })]],
    ['7 weights', { mode: 'vector', vector: joyful.slice(1) }, [expect.objectContaining({ at: '/emotion_control/vector', keyword: 'minItems' })]],
    ['9 weights', { mode: 'vector', vector: [...joyful, 0] }, [expect.objectContaining({ at: '/emotion_control/vector', keyword: 'maxItems' })]],
    ['a weight above 1', { mode: 'vector', vector: [1.5, 0, 0, 0, 0, 0, 0, 0] }, [expect.objectContaining({ at: '/emotion_control/vector/0', keyword: 'maximum' })]],
    ['a reference that is no URL', { mode: 'reference', reference_audio_url: 'takes/angry.wav' }, [expect.objectContaining({ at: '/emotion_control/reference_audio_url', keyword: 'pattern' })]],
    ['an unknown field', { mode: 'text', text: 'angry', intensity: 2 }, [expect.objectContaining({ at: '/emotion_control', keyword: 'additionalProperties' })]],
  ])('refuses emotion_control with %s', (_name, emotionControl, errors) => {
    expect(voice({ emotion_control: emotionControl }).errors).toEqual(errors);
  });

  it('accepts the documented line ranges and refuses values outside them', () => {
    expect(line({}).valid).toBe(true);
    expect(line({ speed_ratio: 0.5, pitch_ratio: -10, volume_ratio: 0.1 }).valid).toBe(true);
    expect(line({ speed_ratio: 2, pitch_ratio: 10, volume_ratio: 2 }).valid).toBe(true);
    expect(line({ pitch_ratio: 2.5 }).valid).toBe(true);
    expect(line({ speed_ratio: 0.4 }).errors).toEqual([expect.objectContaining({ at: '/speed_ratio', keyword: 'minimum' })]);
    expect(line({ speed_ratio: 2.1 }).errors).toEqual([expect.objectContaining({ at: '/speed_ratio', keyword: 'maximum' })]);
    expect(line({ pitch_ratio: -11 }).errors).toEqual([expect.objectContaining({ at: '/pitch_ratio', keyword: 'minimum' })]);
    expect(line({ volume_ratio: 0 }).errors).toEqual([expect.objectContaining({ at: '/volume_ratio', keyword: 'minimum' })]);
    expect(line({ volume_ratio: '1' }).errors).toEqual([expect.objectContaining({ at: '/volume_ratio', keyword: 'type' })]);
    expect(line({ speed: 1 }).errors).toEqual([expect.objectContaining({ keyword: 'additionalProperties' })]);
  });

  it('gives the documented defaults', () => {
    const defaults = (schema: JsonSchema) =>
      Object.fromEntries(Object.entries(schema.properties as Record<string, { default?: unknown }>).filter(([, field]) => 'default' in field).map(([name, field]) => [name, field.default]));
    expect(defaults(aiVoiceCloneFreeVoiceOptionsSchema)).toEqual({ model: 'v2' });
    expect(defaults(aiVoiceCloneFreeLineOptionsSchema)).toEqual({ speed_ratio: 1, pitch_ratio: 0, volume_ratio: 1 });
  });
});
