import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { lineOptionsSchema, voiceOptionsSchema } from './option-schemas.js';

// The same settings as core's validator: strict, so that a sloppy schema fails here first.
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateVoice = ajv.compile(voiceOptionsSchema);
const validateLine = ajv.compile(lineOptionsSchema);

describe('option schemas', () => {
  it.each([
    ['voice', voiceOptionsSchema],
    ['line', lineOptionsSchema],
  ])('document every %s option with a description and a default', (_kind, schema) => {
    expect(schema['additionalProperties']).toBe(false);
    for (const property of Object.values(schema['properties'] as Record<string, Record<string, unknown>>)) {
      expect(typeof property['description']).toBe('string');
      expect(property).toHaveProperty('default');
    }
  });

  it('accepts the defaults and sensible values', () => {
    expect(validateVoice({})).toBe(true);
    expect(validateVoice({ voice: 'en-gb', variant: 'f4' })).toBe(true);
    expect(validateLine({})).toBe(true);
    expect(validateLine({ speed: 0.5, pitch: -12, pauseMs: 0 })).toBe(true);
    expect(validateLine({ speed: 2, pitch: 12, pauseMs: 5000 })).toBe(true);
    expect(validateLine({ speed: 1.15, pitch: 2.5 })).toBe(true);
  });

  it.each([
    [{ speed: 0.4 }, '/speed'],
    [{ speed: 2.01 }, '/speed'],
    [{ speed: '1' }, '/speed'],
    [{ pitch: -13 }, '/pitch'],
    [{ pitch: 12.5 }, '/pitch'],
    [{ pauseMs: -1 }, '/pauseMs'],
    [{ pauseMs: 5001 }, '/pauseMs'],
    [{ pauseMs: 10.5 }, '/pauseMs'],
  ])('rejects the line options %j', (options, path) => {
    expect(validateLine(options)).toBe(false);
    expect(validateLine.errors?.map((error) => error.instancePath)).toContain(path);
  });

  it('rejects unknown options, voices and variants', () => {
    expect(validateLine({ emotion: 'angry' })).toBe(false);
    expect(validateVoice({ voice: 'en-uk' })).toBe(false);
    expect(validateVoice({ variant: 'klatt' })).toBe(false);
    expect(validateVoice({ stability: 0.5 })).toBe(false);
  });
});
