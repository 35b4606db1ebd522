import { describe, expect, it } from 'vitest';
import { validateWithSchema } from '../../validation/schema-validator.js';
import type { JsonSchema } from '../provider-v1.js';
import { defaultVoiceName, klingLineOptionsSchema, klingSettingsSchema, klingVoiceOptionsSchema } from './kling-options.js';

const valid = (schema: JsonSchema, value: unknown) => validateWithSchema(schema, value).valid;

describe('Kling option schemas', () => {
  it('documents every voice option and its default', () => {
    const properties = Object.entries(klingVoiceOptionsSchema.properties as Record<string, { description?: string }>);
    expect(properties.map(([name]) => name)).toEqual(['voiceName', 'callbackUrl']);
    for (const [name, property] of properties) expect(property.description, name).toMatch(/Default/);
  });

  it('checks the voice options the way core validates manifests (strict, with formats)', () => {
    expect(valid(klingVoiceOptionsSchema, {})).toBe(true);
    expect(valid(klingVoiceOptionsSchema, { voiceName: 'Narrator', callbackUrl: 'https://hooks.example.com/kling' })).toBe(true);
    expect(valid(klingVoiceOptionsSchema, { voiceName: '叙述者 narrator voice' })).toBe(true);
    expect(valid(klingVoiceOptionsSchema, { voiceName: 'x'.repeat(21) })).toBe(false);
    expect(valid(klingVoiceOptionsSchema, { voiceName: '   ' })).toBe(false);
    expect(valid(klingVoiceOptionsSchema, { callbackUrl: 'not a url' })).toBe(false);
    expect(valid(klingVoiceOptionsSchema, { callbackUrl: 'ftp://hooks.example.com/kling' })).toBe(false);
    expect(valid(klingVoiceOptionsSchema, { videoId: '123' })).toBe(false);
  });

  it('takes no line options and no provider options, and says why', () => {
    expect(valid(klingLineOptionsSchema, {})).toBe(true);
    expect(valid(klingLineOptionsSchema, { speed: 1 })).toBe(false);
    expect(klingLineOptionsSchema.description).toMatch(/cannot speak text with a custom voice/);
    expect(valid(klingSettingsSchema, {})).toBe(true);
    expect(valid(klingSettingsSchema, { accessKey: 'AK' })).toBe(false);
    expect(klingSettingsSchema.description).toMatch(/KLING_API_KEY.*API key.*access key and the secret key joined by a colon/);
  });
});

describe('defaultVoiceName', () => {
  it('is the voice\'s name, a dash and a 6-character tag of the voice id: at most 20 characters', () => {
    const name = defaultVoiceName('narrator', 'vx-narrator-9f2c1a7b3d4e');
    expect(name).toMatch(/^narrator-[0-9a-z]{6}$/);
    expect(defaultVoiceName('narrator', 'vx-narrator-9f2c1a7b3d4e')).toBe(name);
  });

  it('differs for a replacement of the same voice', () => {
    expect(defaultVoiceName('narrator', 'vx-narrator-9f2c1a7b3d4e-rt3k9x2')).not.toBe(defaultVoiceName('narrator', 'vx-narrator-9f2c1a7b3d4e'));
  });

  it('cuts long names by characters, not bytes', () => {
    const name = defaultVoiceName('the-very-long-narrator-name', 'vx-a');
    expect(name).toMatch(/^the-very-long-[0-9a-z]{6}$/);
    expect([...name]).toHaveLength(20);
    expect([...defaultVoiceName('讲述者讲述者讲述者讲述者讲述者讲述者', 'vx-b')]).toHaveLength(20);
  });
});
