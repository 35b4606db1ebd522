import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import ajvFormats from 'ajv-formats';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { LockedRender, LockedVoice, Lockfile, PendingEntry } from '../lockfile/lockfile-types.js';
import type { LineDefinition, ManifestDocument, ProviderBlock, ScriptDefinition, VoiceDefinition } from '../manifest/manifest-types.js';
import type { TaskRecord } from '../providers/provider-v1.js';
import { ajvOptions, validateWithSchema } from '../validation/schema-validator.js';
import { voicesLockSchema } from './voices-lock-schema.js';
import { voicesSchema } from './voices-schema.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const readJson = (file: string): unknown => JSON.parse(readFileSync(`${root}${file}`, 'utf8'));

type Schema = { [keyword: string]: unknown };

/**
 * Where `example` leaves a schema property unused: `<schema pointer>: <property>` (`*` for a map's
 * entries). The example is walked along the schema, taking the `if`/`then`/`else` and `oneOf` branches
 * it matches, so each object shape (a full line, a shorthand line, a voice or line pending entry…)
 * must appear with all of its properties.
 */
function unusedProperties(schema: Schema, example: unknown): string[] {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });
  ajvFormats.default(ajv);
  ajv.addSchema(schema);
  const at = (pointer: string): unknown =>
    pointer === '' ? schema : pointer.slice(1).split('/').reduce<unknown>((node, segment) => (node as Schema)[segment], schema);
  const matches = (pointer: string, value: unknown) => ajv.getSchema(`${String(schema.$id)}#${pointer}`)!(value) as boolean;
  const isObject = (value: unknown): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);

  const seen = new Map<string, Set<string>>();
  const see = (pointer: string, key: string) => (seen.get(pointer) ?? seen.set(pointer, new Set()).get(pointer)!).add(key);
  const visit = (pointer: string, value: unknown) => {
    const node = at(pointer);
    if (!isObject(node)) return;
    if (typeof node.$ref === 'string') visit(node.$ref.slice(1), value);
    if (node.if !== undefined) {
      const branch = matches(`${pointer}/if`, value) ? 'then' : 'else';
      if (node[branch] !== undefined) visit(`${pointer}/${branch}`, value);
    }
    for (const keyword of ['oneOf', 'anyOf', 'allOf']) {
      (node[keyword] as unknown[] | undefined)?.forEach((_branch, index) => {
        if (matches(`${pointer}/${keyword}/${index}`, value)) visit(`${pointer}/${keyword}/${index}`, value);
      });
    }
    const properties = isObject(node.properties) ? node.properties : {};
    if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key in properties) {
          see(pointer, key);
          visit(`${pointer}/properties/${key}`, item);
        } else if (isObject(node.additionalProperties)) {
          see(pointer, '*');
          visit(`${pointer}/additionalProperties`, item);
        }
      }
    }
    if (Array.isArray(value) && isObject(node.items)) for (const item of value) visit(`${pointer}/items`, item);
  };

  const expected = new Map<string, string[]>();
  const walk = (pointer: string) => {
    const node = at(pointer);
    if (!isObject(node) || expected.has(pointer)) return;
    const keys = isObject(node.properties) ? Object.keys(node.properties) : [];
    if (isObject(node.additionalProperties)) keys.push('*');
    expected.set(pointer, keys);
    if (typeof node.$ref === 'string') walk(node.$ref.slice(1));
    for (const key of Object.keys(isObject(node.properties) ? node.properties : {})) walk(`${pointer}/properties/${key}`);
    for (const keyword of ['additionalProperties', 'items', 'then', 'else']) walk(`${pointer}/${keyword}`);
    for (const keyword of ['oneOf', 'anyOf', 'allOf']) (node[keyword] as unknown[] | undefined)?.forEach((_branch, index) => walk(`${pointer}/${keyword}/${index}`));
  };

  visit('', example);
  walk('');
  return [...expected].flatMap(([pointer, keys]) => keys.filter((key) => !seen.get(pointer)?.has(key)).map((key) => `${pointer || '/'}: ${key}`));
}

/** A manifest that uses every property the schema has, typed as the TypeScript type. */
const manifestExample: ManifestDocument = {
  version: 1,
  output: { dir: 'out', format: 'wav', path: '{script}/{index}-{line}.{ext}', loudness: { target: -18, truePeak: -1 } },
  providers: {
    minimax: { apiKey: '${MINIMAX_API_KEY}', baseUrl: 'https://api.minimax.io', region: 'global', concurrency: 4, requestsPerMinute: 60, maxTextLength: 1000, options: { groupId: '1234567890' }, pricing: { perMillionCharacters: 50, perVoiceClone: 1.5, currency: 'USD' } },
  },
  defaults: { voice: 'narrator', provider: 'minimax' },
  lexicon: { SQL: 'sequel' },
  voices: {
    narrator: {
      provider: 'minimax',
      sample: 'samples/narrator.wav',
      prompt: { sample: 'samples/narrator-short.wav', text: 'Welcome back.' },
      language: 'English',
      lexicon: { nguyen: 'win' },
      description: 'Warm, low narrator voice.',
      options: { need_noise_reduction: true },
    },
  },
  scripts: {
    'chapter-01': {
      voice: 'narrator',
      options: { speed: 1 },
      assemble: { lineGapMs: 400, paragraphGapMs: 1000, path: 'chapters/{script}.{ext}' },
      loudness: -16,
      lines: [
        { narrator: 'It was a dark and stormy night.' },
        'A line in the default voice.',
        { id: 'villain-laugh', voice: 'narrator', text: "Ha! You'll never catch me.", options: { speed: 1.1, emotion: 'angry' } },
      ],
    },
    'chapter-02': { from: 'chapters/02.md', assemble: true },
  },
  books: { 'the-lighthouse': { title: 'The Lighthouse', chapters: ['chapter-01', 'chapter-02'], path: 'books/{book}.m4b', bitrate: 64 } },
};

/** A lockfile that uses every property the schema has, typed as the TypeScript type. */
const lockfileExample: Lockfile = {
  lockfileVersion: 1,
  voices: {
    narrator: {
      provider: 'minimax',
      fingerprint: '9f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      sampleSha256: '1f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      remoteId: 'vx-narrator-9f2c1a7b',
      createdAt: '2026-11-21T10:00:00Z',
      lastUsedAt: '2026-11-21T10:05:00Z',
      expiresAt: '2026-11-28T10:05:00Z',
      preview: { file: 'out/voices/narrator.mp3', sha256: '2f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8', bytes: 48213 },
      data: { fileId: 3651821593 },
    },
  },
  renders: {
    'chapter-01/0001': {
      key: '4be1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f',
      voice: 'narrator',
      voiceFingerprint: '9f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      textSha256: '2f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      optionsSha256: '3f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      lexiconSha256: '5f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      format: 'wav',
      file: 'out/chapter-01/0001-0001.wav',
      sha256: '77ad1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      bytes: 123456,
      durationMs: 2870,
      chars: 31,
      pieces: 2,
      mtimeMs: 1795255500000,
      renderedAt: '2026-11-21T10:05:00Z',
    },
  },
  assemblies: {
    'chapter-01': {
      key: '8a2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      file: 'out/chapter-01.wav',
      format: 'wav',
      sha256: '9a2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      bytes: 781590,
      durationMs: 17722,
      parts: [{ address: 'chapter-01/0001', key: '4be1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f', sha256: '77ad1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8' }],
      loudness: { target: -18, truePeakLimit: -1, sourceIntegrated: -21.26, integrated: -18.04, truePeak: -1.02, gainDb: 3.52 },
      mtimeMs: 1795255500000,
      builtAt: '2026-11-21T10:05:00Z',
    },
  },
  pending: [
    { kind: 'voice', address: 'voice.villain', key: '5f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8', provider: 'minimax', startedAt: '2026-11-21T10:06:00Z' },
    {
      kind: 'line',
      address: 'chapter-01/0002',
      key: '6f2c1a7b3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      provider: 'vidu',
      startedAt: '2026-11-21T10:06:00Z',
      task: { taskId: 'task_5f3a9c', data: { attempt: 1 } },
    },
  ],
};

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type FullLine = Extract<LineDefinition, { text: string }>;
type ManifestDefs = typeof voicesSchema.$defs;
type LockDefs = typeof voicesLockSchema.$defs;

describe('schemas', () => {
  it.each([
    ['schemas/voices.schema.json', voicesSchema],
    ['schemas/voices-lock.schema.json', voicesLockSchema],
  ])('the generated module equals %s', (file, generated) => {
    expect(generated).toEqual(readJson(file));
  });

  it('the generated modules are exactly what scripts/sync-schemas.mjs writes', () => {
    expect(() => execFileSync(process.execPath, ['scripts/sync-schemas.mjs', '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });

  describe('the validators compiled ahead of time', () => {
    /** A document with `mutation` written at a path: a wrong type, an unknown key, a missing part. */
    const mutated = fc
      .tuple(fc.constantFrom<unknown>(manifestExample, lockfileExample), fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }))
      .map(([example, path, value]) => {
        const document = structuredClone(example) as Record<string, unknown>;
        let node: Record<string, unknown> = document;
        // Own properties only, written by defineProperty: a generated `__proto__` must become a key of
        // the document, never a write into Object.prototype that would leak into every later test.
        const put = (target: Record<string, unknown>, key: string, item: unknown) =>
          Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true });
        for (const key of path.slice(0, -1)) {
          const next = Object.hasOwn(node, key) ? node[key] : undefined;
          if (next && typeof next === 'object') node = next as Record<string, unknown>;
          else {
            const created: Record<string, unknown> = {};
            put(node, key, created);
            node = created;
          }
        }
        put(node, path.at(-1) ?? 'extra', value);
        return document;
      });

    it.each([
      ['voices.yaml', voicesSchema],
      ['voices.lock', voicesLockSchema],
    ])('give the errors a validator compiled now gives (%s)', (_name, schema) => {
      const ajv = new Ajv2020(ajvOptions);
      ajvFormats.default(ajv);
      const compiledNow = ajv.compile(structuredClone(schema));
      fc.assert(
        fc.property(fc.oneof(mutated, fc.jsonValue()), (document) => {
          const valid = compiledNow(document);
          const ahead = validateWithSchema(schema, document);
          expect(ahead.valid).toBe(valid);
          expect(ahead.errors).toEqual(valid ? [] : compiledNow.errors);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('voices.yaml and ManifestDocument', () => {
    it('a fully-populated ManifestDocument validates against the schema', () => {
      expect(validateWithSchema(voicesSchema, manifestExample).errors).toEqual([]);
    });

    it('the example uses every property the schema has', () => {
      expect(unusedProperties(voicesSchema, manifestExample)).toEqual([]);
    });

    it('the walk notices a property the example leaves out', () => {
      const { description: _description, ...voice } = manifestExample.voices.narrator!;
      expect(unusedProperties(voicesSchema, { ...manifestExample, voices: { narrator: voice } })).toEqual(['/$defs/voice: description']);
    });

    it('the TypeScript types have the same properties, and the same required ones, as the schema', () => {
      expectTypeOf<keyof ManifestDocument>().toEqualTypeOf<keyof typeof voicesSchema.properties>();
      expectTypeOf<RequiredKeys<ManifestDocument>>().toEqualTypeOf<(typeof voicesSchema.required)[number]>();
      expectTypeOf<keyof NonNullable<ManifestDocument['output']>>().toEqualTypeOf<keyof typeof voicesSchema.properties.output.properties>();
      expectTypeOf<keyof NonNullable<ManifestDocument['defaults']>>().toEqualTypeOf<keyof typeof voicesSchema.properties.defaults.properties>();
      expectTypeOf<keyof ProviderBlock>().toEqualTypeOf<keyof ManifestDefs['providerSettings']['properties']>();
      expectTypeOf<keyof VoiceDefinition>().toEqualTypeOf<keyof ManifestDefs['voice']['properties']>();
      expectTypeOf<RequiredKeys<VoiceDefinition>>().toEqualTypeOf<ManifestDefs['voice']['required'][number]>();
      expectTypeOf<keyof NonNullable<VoiceDefinition['prompt']>>().toEqualTypeOf<keyof ManifestDefs['voice']['properties']['prompt']['properties']>();
      expectTypeOf<keyof ScriptDefinition>().toEqualTypeOf<keyof ManifestDefs['script']['properties']>();
      expectTypeOf<keyof FullLine>().toEqualTypeOf<keyof ManifestDefs['fullLine']['properties']>();
      expectTypeOf<RequiredKeys<FullLine>>().toEqualTypeOf<ManifestDefs['fullLine']['required'][number]>();
    });
  });

  describe('voices.lock and Lockfile', () => {
    it('a fully-populated Lockfile validates against the schema', () => {
      expect(validateWithSchema(voicesLockSchema, lockfileExample).errors).toEqual([]);
    });

    it('the example uses every property the schema has', () => {
      expect(unusedProperties(voicesLockSchema, lockfileExample)).toEqual([]);
    });

    it('the TypeScript types have the same properties, and the same required ones, as the schema', () => {
      expectTypeOf<keyof Lockfile>().toEqualTypeOf<keyof typeof voicesLockSchema.properties>();
      expectTypeOf<RequiredKeys<Lockfile>>().toEqualTypeOf<(typeof voicesLockSchema.required)[number]>();
      expectTypeOf<keyof LockedVoice>().toEqualTypeOf<keyof LockDefs['voice']['properties']>();
      expectTypeOf<RequiredKeys<LockedVoice>>().toEqualTypeOf<LockDefs['voice']['required'][number]>();
      expectTypeOf<keyof LockedRender>().toEqualTypeOf<keyof LockDefs['render']['properties']>();
      expectTypeOf<RequiredKeys<LockedRender>>().toEqualTypeOf<LockDefs['render']['required'][number]>();
      expectTypeOf<keyof PendingEntry>().toEqualTypeOf<keyof LockDefs['pending']['properties']>();
      expectTypeOf<RequiredKeys<PendingEntry>>().toEqualTypeOf<LockDefs['pending']['required'][number]>();
      expectTypeOf<keyof TaskRecord>().toEqualTypeOf<keyof LockDefs['pending']['properties']['task']['properties']>();
    });
  });
});
