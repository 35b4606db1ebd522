import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { createProviderRegistry } from './providers.js';

// At run time schemas are compiled without the meta-schema check (it cost every command 80 ms), so
// here every schema a provider hands the engine must be valid JSON Schema 2020-12 and compile strictly.
describe('the providers the CLI registers', () => {
  const registry = createProviderRegistry();
  const cases = registry.ids().flatMap((id) => {
    const provider = registry.describe(id);
    return [
      [id, 'voiceOptionsSchema', provider.voiceOptionsSchema],
      [id, 'lineOptionsSchema', provider.lineOptionsSchema],
      ...(provider.settingsSchema ? [[id, 'settingsSchema', provider.settingsSchema] as const] : []),
    ] as const;
  });

  it('are the six voxform knows', () => {
    expect(registry.ids()).toEqual(['aivoiceclonefree', 'kling', 'local', 'minimax', 'soundclone', 'vidu']);
  });

  it.each(cases)('%s: %s is valid JSON Schema 2020-12 and compiles in strict mode', (_id, _name, schema) => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajvFormats.default(ajv);
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('the check catches a schema that is not JSON Schema', () => {
    const ajv = new Ajv2020({ strict: true });
    expect(ajv.validateSchema({ type: 'object', properties: { speed: { type: 'nummber' } } })).toBe(false);
  });
});
