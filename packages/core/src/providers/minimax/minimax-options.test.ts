import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it, vi } from 'vitest';
import type { JsonSchema } from '../provider-v1.js';
import { minimaxLineOptionsSchema, minimaxSettingsSchema, minimaxVoiceOptionsSchema } from './minimax-options.js';

/** Compiled the way core validates manifests: draft 2020-12, strict, every error. */
function compile(schema: JsonSchema) {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    expect(warn).not.toHaveBeenCalled();
    return (value: unknown) => ({ valid: validate(value) as boolean, errors: validate.errors ?? [] });
  } finally {
    warn.mockRestore();
  }
}

/** Every property of every object in `schema`, with its path. */
function propertiesOf(schema: Record<string, unknown>, path = ''): Array<[string, Record<string, unknown>]> {
  const found: Array<[string, Record<string, unknown>]> = [];
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [name, property] of Object.entries(properties ?? {})) {
    found.push([`${path}${name}`, property]);
    found.push(...propertiesOf(property, `${path}${name}.`));
    for (const alternative of (property.anyOf as Array<Record<string, unknown>> | undefined) ?? []) found.push(...propertiesOf(alternative, `${path}${name}.`));
  }
  return found;
}

describe('MiniMax option schemas', () => {
  it.each([
    ['voice', minimaxVoiceOptionsSchema],
    ['line', minimaxLineOptionsSchema],
  ])('documents every %s option with a description and a default', (_kind, schema) => {
    const properties = propertiesOf(schema);
    expect(properties.length).toBeGreaterThan(5);
    for (const [path, property] of properties) {
      expect(property.description, path).toBeTypeOf('string');
      // A required field has no default: the preview text.
      if (path !== 'preview.text') expect(property, path).toHaveProperty('default');
    }
  });

  it('documents the settings', () => {
    for (const [path, property] of propertiesOf(minimaxSettingsSchema)) expect(property.description, path).toBeTypeOf('string');
  });

  it('accepts documented voice options and refuses values outside MiniMax\'s ranges', () => {
    const validate = compile(minimaxVoiceOptionsSchema);
    expect(validate({}).valid).toBe(true);
    expect(
      validate({
        need_noise_reduction: true,
        need_volume_normalization: false,
        accuracy: 0.7,
        text_validation: 'Welcome back.',
        language_boost: 'Chinese,Yue',
        aigc_watermark: true,
        preview: { text: 'Hello there.', model: 'speech-02-hd' },
      }).valid,
    ).toBe(true);
    expect(validate({ language_boost: null, text_validation: null, preview: null }).valid).toBe(true);
    for (const invalid of [
      { accuracy: 1.5 },
      { text_validation: 'x'.repeat(201) },
      { language_boost: 'Klingon' },
      { preview: { text: 'x'.repeat(1001) } },
      { preview: { model: 'speech-2.8-hd' } },
      { preview: { text: 'Hi', model: 'speech-03' } },
      { voice_id: 'chosen-by-voxform' },
    ]) {
      expect(validate(invalid).valid, JSON.stringify(invalid).slice(0, 80)).toBe(false);
    }
  });

  it('accepts documented line options and refuses values outside MiniMax\'s ranges', () => {
    const validate = compile(minimaxLineOptionsSchema);
    expect(validate({}).valid).toBe(true);
    expect(
      validate({
        model: 'speech-2.6-turbo',
        speed: 2,
        vol: 10,
        pitch: -12,
        emotion: 'calm',
        language_boost: 'auto',
        text_normalization: true,
        pronunciation_dict: { tone: ['omg/oh my god', '处理/(chu3)(li3)'] },
        voice_modify: { pitch: -100, intensity: 100, timbre: 0, sound_effects: 'lofi_telephone' },
        sample_rate: 22050,
        bitrate: 64000,
      }).valid,
    ).toBe(true);
    for (const invalid of [
      { model: 'speech-3' },
      { speed: 0.4 },
      { speed: 2.1 },
      { vol: 0 },
      { vol: 10.5 },
      { pitch: 1.5 },
      { pitch: 13 },
      { emotion: 'neutral' },
      { pronunciation_dict: { tone: ['no slash'] } },
      { voice_modify: { timbre: 101 } },
      { voice_modify: { sound_effects: 'reverb' } },
      { sample_rate: 48000 },
      { bitrate: 320000 },
      { format: 'flac' },
    ]) {
      expect(validate(invalid).valid, JSON.stringify(invalid)).toBe(false);
    }
  });

  it('takes a groupId string and nothing else as settings', () => {
    const validate = compile(minimaxSettingsSchema);
    expect(validate({ groupId: '1987687468056449719' }).valid).toBe(true);
    expect(validate({ groupId: 1987687468056449719 }).valid).toBe(false);
    expect(validate({ group: 'x' }).valid).toBe(false);
  });
});
