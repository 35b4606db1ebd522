import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { JsonSchema } from '../providers/provider-v1.js';

let shared: Ajv2020 | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function ajv(): Ajv2020 {
  if (!shared) {
    // allErrors: report every problem at once. strict: a typo in a provider's schema is a bug to catch early.
    // verbose: errors carry their schema and parent schema, which the messages quote (allowed properties,
    // the alternatives of a oneOf).
    shared = new Ajv2020({ allErrors: true, strict: true, useDefaults: false, verbose: true });
    ajvFormats.default(shared);
  }
  return shared;
}

/** Validates `value` against `schema` (compiled once per schema object). */
export function validateWithSchema(schema: JsonSchema, value: unknown): { valid: boolean; errors: ErrorObject[] } {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv().compile(schema);
    compiled.set(schema, validate);
  }
  const valid = validate(value) as boolean;
  return { valid, errors: valid ? [] : [...(validate.errors ?? [])] };
}
