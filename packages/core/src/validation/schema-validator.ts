import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { JsonSchema } from '../providers/provider-v1.js';
import { validate as validateLockfile } from '../schemas/voices-lock-validator.js';
import { voicesLockSchema } from '../schemas/voices-lock-schema.js';
import { validate as validateManifest } from '../schemas/voices-validator.js';
import { voicesSchema } from '../schemas/voices-schema.js';

/** The options every validator is compiled with, here and ahead of time by scripts/sync-schemas.mjs. */
export const ajvOptions = { allErrors: true, strict: true, useDefaults: false, verbose: true } as const;

let shared: Ajv2020 | undefined;
// The manifest and lockfile schemas come compiled ahead of time; providers' option schemas on first use.
const compiled = new WeakMap<object, ValidateFunction>([
  [voicesSchema, validateManifest as ValidateFunction],
  [voicesLockSchema, validateLockfile as ValidateFunction],
]);

function ajv(): Ajv2020 {
  if (!shared) {
    // allErrors: report every problem at once. strict: a typo in a provider's schema is a bug to catch early.
    // verbose: errors carry their schema and parent schema, which the messages quote (allowed properties,
    // the alternatives of a oneOf).
    // validateSchema: false skips checking each schema against the 2020-12 meta-schema, which cost 80 ms
    // of every command; providers' schemas are checked against it by a test instead.
    shared = new Ajv2020({ ...ajvOptions, validateSchema: false });
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
