import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it, vi } from 'vitest';
import type { JsonSchema } from '../provider-v1.js';
import {
  soundCloneAllLanguages,
  soundCloneLanguageOf,
  soundCloneLineOptionsSchema,
  soundCloneV2OnlyLanguages,
  soundCloneVoiceOptionsSchema,
} from './soundclone-options.js';

/** Compiled the way core validates manifests: draft 2020-12, strict, every error, verbose. */
function compile(schema: JsonSchema) {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const validate = new Ajv2020({ allErrors: true, strict: true, verbose: true }).compile(schema);
    expect(warn).not.toHaveBeenCalled();
    return (value: unknown) => ({ valid: validate(value) as boolean, errors: validate.errors ?? [] });
  } finally {
    warn.mockRestore();
  }
}

describe('SoundClone option schemas', () => {
  it.each([
    ['voice', soundCloneVoiceOptionsSchema],
    ['line', soundCloneLineOptionsSchema],
  ])('documents every %s option with a description and a default, and refuses unknown options', (_kind, schema) => {
    expect(schema.additionalProperties).toBe(false);
    const properties = Object.entries(schema.properties as Record<string, Record<string, unknown>>);
    expect(properties.length).toBeGreaterThanOrEqual(3);
    for (const [name, property] of properties) {
      expect(property.description, name).toMatch(/Default/);
      expect(property, name).toHaveProperty('default');
    }
  });

  it('accepts documented voice options and refuses values SoundClone would refuse', () => {
    const validate = compile(soundCloneVoiceOptionsSchema);
    expect(validate({}).valid).toBe(true);
    expect(validate({ soundVersion: 'v1', language: 'Chinese,Yue', previewText: 'Welcome back.' }).valid).toBe(true);
    expect(validate({ soundVersion: 'v2', language: 'Swedish' }).valid).toBe(true);
    // `auto` is the default of both versions, although §2.3 lists it among the v2 languages.
    expect(validate({ soundVersion: 'v1', language: 'auto' }).valid).toBe(true);
    expect(validate({ previewText: 'x'.repeat(269) }).valid).toBe(true);
    for (const invalid of [
      { soundVersion: 'v3' },
      { language: 'Klingon' },
      { language: 'english' },
      { previewText: 'x'.repeat(270) },
      { previewText: '' },
      { modelId: 'chosen-by-soundclone' },
    ]) {
      expect(validate(invalid).valid, JSON.stringify(invalid).slice(0, 80)).toBe(false);
    }
  });

  it('counts the preview text in code points, as SoundClone bills it', () => {
    expect(compile(soundCloneVoiceOptionsSchema)({ previewText: '🎙'.repeat(269) }).valid).toBe(true);
  });

  it.each([...soundCloneV2OnlyLanguages])('refuses %s without soundVersion v2, pointing at soundVersion', (language) => {
    const validate = compile(soundCloneVoiceOptionsSchema);

    const withV1 = validate({ language, soundVersion: 'v1' });
    expect(withV1.valid).toBe(false);
    // What `voxform validate` places on the YAML node: the const error on options.soundVersion.
    expect(withV1.errors).toContainEqual(expect.objectContaining({ instancePath: '/soundVersion', keyword: 'const', params: { allowedValue: 'v2' } }));
    expect(withV1.errors.find((error) => error.keyword === 'const')!.parentSchema).toMatchObject({ description: expect.stringContaining('only with soundVersion v2') });

    const withoutVersion = validate({ language });
    expect(withoutVersion.valid).toBe(false);
    expect(withoutVersion.errors).toContainEqual(expect.objectContaining({ instancePath: '', keyword: 'required', params: { missingProperty: 'soundVersion' } }));

    expect(validate({ language, soundVersion: 'v2' }).valid).toBe(true);
  });

  it('accepts every language of both versions with v1', () => {
    const validate = compile(soundCloneVoiceOptionsSchema);
    for (const language of soundCloneAllLanguages.filter((value) => !(soundCloneV2OnlyLanguages as readonly string[]).includes(value))) {
      expect(validate({ language, soundVersion: 'v1' }).valid, language).toBe(true);
    }
    expect(soundCloneAllLanguages).toHaveLength(41);
  });

  it('accepts documented line options and refuses values outside SoundClone\'s ranges', () => {
    const validate = compile(soundCloneLineOptionsSchema);
    expect(validate({}).valid).toBe(true);
    expect(validate({ emotion: 'neutral', speed: 0.5, vol: 10, pitch: -12, subtitleEnable: true, subtitleType: 'word' }).valid).toBe(true);
    expect(validate({ emotion: 'surprised', speed: 2, vol: 0.1, pitch: 12, subtitleType: 'sentence' }).valid).toBe(true);
    for (const invalid of [
      { emotion: 'calm' },
      { speed: 0.4 },
      { speed: 2.1 },
      { vol: 0 },
      { vol: 10.5 },
      { pitch: 1.5 },
      { pitch: 13 },
      { subtitleEnable: 'yes' },
      { subtitleType: 'line' },
      { soundVersion: 'v2' },
    ]) {
      expect(validate(invalid).valid, JSON.stringify(invalid)).toBe(false);
    }
  });
});

describe('soundCloneLanguageOf', () => {
  it.each([
    ['English', 'English'],
    ['english', 'English'],
    [' SWEDISH ', 'Swedish'],
    ['chinese,yue', 'Chinese,Yue'],
    ['Auto', 'auto'],
  ])('maps %j onto %j', (language, expected) => {
    expect(soundCloneLanguageOf(language)).toBe(expected);
  });

  it.each([undefined, '', 'en-US', 'Klingon'])('has no value for %j', (language) => {
    expect(soundCloneLanguageOf(language)).toBeUndefined();
  });
});
