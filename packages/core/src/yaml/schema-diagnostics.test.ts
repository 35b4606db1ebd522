import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../providers/provider-v1.js';
import { validateWithSchema } from '../validation/schema-validator.js';
import { schemaProblems } from './schema-diagnostics.js';

/** The problems of `value` against `schema`, as `path: message` (the message alone at the top). */
function problemsOf(schema: JsonSchema, value: unknown): string[] {
  const { errors } = validateWithSchema(schema, value);
  return schemaProblems(errors, value).map((problem) => (problem.path.length > 0 ? `${problem.path.join('.')}: ${problem.message}` : problem.message));
}

describe('schemaProblems: anyOf and oneOf', () => {
  const preview: JsonSchema = {
    type: 'object',
    properties: {
      preview: {
        anyOf: [
          { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1 } } },
          { type: 'null' },
        ],
      },
      speed: { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', enum: ['fast', 'slow'] }] },
    },
  };

  it("reports the errors of the one branch the value's type matches, not the others", () => {
    expect(problemsOf(preview, { preview: {} })).toEqual(["preview: missing required property 'text'"]);
    expect(problemsOf(preview, { preview: { text: '', colour: 1 } })).toEqual([
      "preview.colour: unknown property 'colour' (allowed: text)",
      'preview.text: must NOT have fewer than 1 characters',
    ]);
    expect(problemsOf(preview, { speed: 0 })).toEqual(['speed: must be >= 1']);
    expect(problemsOf(preview, { speed: 1.5 })).toEqual(['speed: must be integer']);
    expect(problemsOf(preview, { speed: 'quick' })).toEqual(['speed: must be one of: "fast", "slow"']);
  });

  it('names every allowed type, once, when the value has none of them', () => {
    expect(problemsOf(preview, { preview: 'yes', speed: true })).toEqual(['preview: must be object or null', 'speed: must be integer or string']);
  });

  it('keeps the oneOf of required properties as one message', () => {
    const script: JsonSchema = { type: 'object', oneOf: [{ required: ['lines'], properties: { lines: true } }, { required: ['from'], properties: { from: true } }] };
    expect(problemsOf(script, {})).toEqual(["needs exactly one of: 'lines', 'from'"]);
  });
});
