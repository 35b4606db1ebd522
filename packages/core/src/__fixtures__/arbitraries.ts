import fc from 'fast-check';
import { stringify } from 'yaml';
import { normalizeText } from '../identity/fingerprint.js';
import { sha256Hex } from '../identity/sha256.js';
import type { Lockfile, LockedRender, LockedVoice, PendingEntry } from '../lockfile/lockfile-types.js';
import type { LineDefinition, ManifestDocument, ScriptDefinition } from '../manifest/manifest-types.js';
import { unspeakableTextProblem } from '../manifest/provider-rules.js';
import type { JsonValue } from '../providers/provider-v1.js';

/*
 * fast-check generators of valid manifests and lockfiles, and of the broken input people and tools
 * actually produce, for the property tests of core and of the CLI.
 */

/**
 * Not a key of a full line (`id`, `voice`, `text`, `options`): `{ text: Hello }` is a line without a
 * voice, not the shorthand of a voice named `text`.
 */
export const voiceName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/).filter((name) => !['id', 'voice', 'text', 'options'].includes(name));
export const scriptName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,7}$/);
/** Starts with a letter, so it never equals a line's four-digit position. */
export const lineId = fc.stringMatching(/^[a-z][A-Za-z0-9._-]{0,7}$/);

/** Strings YAML could take for something else, and text from anywhere in Unicode. */
export const awkwardText = fc.constantFrom(
  'yes', 'no', 'null', '~', '0012', '1e3', '0x1F', '.inf', '- a', 'a: b', '#x', 'x #y', '"q"', "it's", '[x]', '{y}', '*z', '&w', '!t',
  '%p', '@voice: hi', '---', '...', '? q', '| bar', '> fold', 'ünï ✓', 'two\nlines', 'tab\there', 'Café', 'e\u0301', '\u00a0nbsp\u00a0',
);
/** Text a line may hold: any of the above with a letter or digit to speak. */
export const lineText = fc
  .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), fc.string({ minLength: 1, maxLength: 40 }), awkwardText)
  .filter((text) => unspeakableTextProblem(normalizeText(text)) === undefined);
/** Words espeak-ng speaks, for projects that are really rendered. */
export const spokenText = fc
  .array(fc.constantFrom('the', 'lamp', 'keeper', 'could', 'not', 'sleep', 'fog', 'boat', 'hello', 'sea', 'light', 'storm', 'night'), { minLength: 1, maxLength: 5 })
  .map((words) => `${words.join(' ')}.`);

export interface ManifestArbitraryOptions {
  provider: string;
  /** Text of the lines. Default {@link lineText}. */
  text?: fc.Arbitrary<string>;
  /** Generate the fake provider's voice and line options. */
  fakeOptions?: boolean;
  maxScripts?: number;
  maxLines?: number;
  maxVoices?: number;
}

const templates = ['{script}/{index}-{line}.{ext}', '{script}/{line}.{ext}', '{voice}/{script}-{index}.{ext}', '{script}-{index}.{ext}', 'a/{script}/{line}/{index}.{ext}'];

/** A valid manifest document: every line's voice is declared, ids are unique per script, files differ. */
export function manifestDocument(options: ManifestArbitraryOptions): fc.Arbitrary<ManifestDocument> {
  const text = options.text ?? lineText;
  const voiceOptions = options.fakeOptions
    ? fc.option(fc.record({ need_noise_reduction: fc.boolean(), accent: fc.constantFrom('neutral', 'british') }, { requiredKeys: [] }), { nil: undefined })
    : fc.constant(undefined);
  const lineOptions = options.fakeOptions
    ? fc.option(fc.record({ speed: fc.double({ min: 0.5, max: 2, noNaN: true }), emotion: fc.constantFrom('neutral', 'happy', 'angry') }, { requiredKeys: [] }), { nil: undefined })
    : fc.constant(undefined);

  return fc
    .record({
      voices: fc.uniqueArray(voiceName, { minLength: 1, maxLength: options.maxVoices ?? 3 }),
      scripts: fc.uniqueArray(scriptName, { minLength: 1, maxLength: options.maxScripts ?? 3 }),
      output: fc.record(
        { dir: fc.constantFrom('out', 'public/audio', '.', './audio/'), path: fc.constantFrom(...templates), format: fc.constant('wav' as const) },
        { requiredKeys: [] },
      ),
      useDefaultVoice: fc.boolean(),
    })
    .chain(({ voices, scripts, output, useDefaultVoice }) => {
      const voice = fc.constantFrom(...voices);
      const line = (hasDefault: boolean) =>
        fc.oneof(
          fc.record({ voice, text }).map(({ voice: name, text: said }): LineDefinition => ({ [name]: said })),
          fc.record({ voice, text, options: lineOptions }).map(({ voice: name, text: said, options: chosen }): LineDefinition => ({
            voice: name,
            text: said,
            ...(chosen && Object.keys(chosen).length > 0 ? { options: chosen } : {}),
          })),
          ...(hasDefault ? [text.map((said): LineDefinition => said)] : []),
        );
      const script = fc
        .record({ ids: fc.uniqueArray(lineId, { maxLength: options.maxLines ?? 4 }), voice: fc.option(voice, { nil: undefined }), count: fc.integer({ min: 1, max: options.maxLines ?? 4 }), options: lineOptions })
        .chain(({ ids, voice: scriptVoice, count, options: scriptOptions }) =>
          fc.array(line(useDefaultVoice || scriptVoice !== undefined), { minLength: count, maxLength: count }).map((lines): ScriptDefinition => ({
            ...(scriptVoice ? { voice: scriptVoice } : {}),
            ...(scriptOptions && Object.keys(scriptOptions).length > 0 ? { options: scriptOptions } : {}),
            // Some full-form lines get the generated ids, which are unique within the script.
            lines: lines.map((definition, index) =>
              typeof definition === 'object' && 'text' in definition && ids[index] !== undefined ? { id: ids[index], ...definition } : definition,
            ),
          })),
        );
      return fc.record({
        voiceOptions: fc.array(voiceOptions, { minLength: voices.length, maxLength: voices.length }),
        scripts: fc.array(script, { minLength: scripts.length, maxLength: scripts.length }),
        defaultVoice: voice,
      }).map(({ voiceOptions: chosen, scripts: definitions, defaultVoice }): ManifestDocument => ({
        version: 1,
        ...(Object.keys(output).length > 0 ? { output } : {}),
        ...(useDefaultVoice ? { defaults: { voice: defaultVoice } } : {}),
        voices: Object.fromEntries(
          voices.map((name, index) => [
            name,
            { provider: options.provider, sample: `samples/${name}.wav`, ...(chosen[index] && Object.keys(chosen[index]!).length > 0 ? { options: chosen[index] } : {}) },
          ]),
        ),
        scripts: Object.fromEntries(scripts.map((name, index) => [name, definitions[index]!])),
      }));
    });
}

const sha256 = fc.string().map((seed) => sha256Hex(seed));
const timestamp = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
const audioFile = fc
  .tuple(fc.array(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9 ._-]{0,8}$/), { minLength: 1, maxLength: 3 }), fc.constantFrom('wav', 'mp3'))
  .map(([segments, ext]) => `${segments.join('/')}.${ext}`);
/** JSON values as vendors send them: any Unicode text, nested objects and lists. */
const vendorData = fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.jsonValue({ maxDepth: 2, stringUnit: 'grapheme' }) as fc.Arbitrary<JsonValue>, { maxKeys: 4 });

const lockedVoice: fc.Arbitrary<LockedVoice> = fc.record(
  {
    provider: fc.constantFrom('local', 'minimax', 'vidu', 'soundclone', 'aivoiceclonefree', 'kling'),
    fingerprint: sha256,
    sampleSha256: sha256,
    remoteId: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), awkwardText),
    createdAt: timestamp,
    lastUsedAt: timestamp,
    expiresAt: timestamp,
    data: vendorData,
    preview: fc.record({ file: audioFile, sha256, bytes: fc.nat() }),
  },
  { requiredKeys: ['provider', 'fingerprint', 'createdAt'] },
);
const lockedRender: fc.Arbitrary<LockedRender> = fc.record(
  {
    key: sha256,
    voice: voiceName,
    voiceFingerprint: sha256,
    textSha256: sha256,
    optionsSha256: sha256,
    format: fc.constantFrom('wav' as const, 'mp3' as const),
    file: audioFile,
    sha256,
    bytes: fc.nat(),
    durationMs: fc.nat(),
    chars: fc.nat(),
    mtimeMs: fc.double({ min: 0, max: 4e12, noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
    renderedAt: timestamp,
  },
  { requiredKeys: ['key', 'voice', 'voiceFingerprint', 'textSha256', 'optionsSha256', 'format', 'file', 'sha256', 'bytes', 'durationMs', 'chars'] },
);
const pendingEntry: fc.Arbitrary<PendingEntry> = fc.oneof(
  fc.record({ kind: fc.constant('voice' as const), address: voiceName.map((name) => `voice.${name}`) }),
  fc.record({ kind: fc.constant('line' as const), address: fc.tuple(scriptName, scriptName).map(([script, id]) => `${script}/${id}`) }),
).chain((head) =>
  fc.record(
    {
      kind: fc.constant(head.kind),
      address: fc.constant(head.address),
      key: sha256,
      provider: fc.constantFrom('minimax', 'vidu'),
      startedAt: timestamp,
      task: fc.record({ taskId: fc.string({ minLength: 1, maxLength: 20 }), data: vendorData }, { requiredKeys: [] }),
    },
    { requiredKeys: ['kind', 'address', 'key', 'provider', 'startedAt'] },
  ),
);

/** A valid lockfile, with vendor data and ids of any shape. */
export const lockfile: fc.Arbitrary<Lockfile> = fc.record({
  lockfileVersion: fc.constant(1 as const),
  voices: fc.dictionary(voiceName, lockedVoice, { maxKeys: 3 }),
  renders: fc.dictionary(fc.tuple(scriptName, scriptName).map(([script, id]) => `${script}/${id}`), lockedRender, { maxKeys: 5 }),
  pending: fc.array(pendingEntry, { maxLength: 3 }),
});

/** Pieces of YAML and JSON syntax, glued at random: what a broken editor or a bad merge leaves. */
const syntaxPiece = fc.constantFrom(
  ':', ': ', '- ', '-', '{', '}', '[', ']', ',', '&a ', '*a', '*b', '!!str ', '!!binary ', '!<tag:x> ', '<<: *a', '\t', '  ', '\n', '\n  ', '\n    ', '"', "'", '#', '---\n',
  '...\n', '%YAML 1.2\n', '%TAG ! x\n', '? ', '|', '>', '|-\n', 'version', 'version: 1', 'voices', 'scripts', 'lines', 'narrator', 'text', 'id', 'null', '~', '1', '0x', '1e999',
  '-.inf', 'true', 'sample', 'samples/a.wav', 'provider: local', 'output', 'path', 'dir', '..', '/', '\\', '\u0000', '\ufeff', '\r\n', 'é', '😀', '\u2028',
  'lockfileVersion: 1', 'renders', 'pending', 'key', 'file', 'sha256', '<<<<<<< HEAD\n', '=======\n', '>>>>>>> x\n',
  // Prototype pollution attempts: plain, through a merge key, through constructor.prototype.
  '__proto__: { polluted: yes }\n', '<<: { __proto__: { polluted: yes } }\n', '{ "__proto__": { "polluted": true } }', 'constructor: { prototype: { polluted: yes } }\n',
);
export const syntaxSoup = fc.array(syntaxPiece, { maxLength: 40 }).map((pieces) => pieces.join(''));

/** A text with random edits: a range removed, a piece inserted, a line doubled or two lines swapped. */
export function mutated(text: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.tuple(fc.nat(), fc.nat({ max: 20 })).map(([at, length]) => (source: string) => {
      const start = at % (source.length + 1);
      return source.slice(0, start) + source.slice(start + length);
    }),
    fc.tuple(fc.nat(), fc.oneof(syntaxPiece, fc.string({ unit: 'binary', maxLength: 4 }))).map(([at, piece]) => (source: string) => {
      const start = at % (source.length + 1);
      return source.slice(0, start) + piece + source.slice(start);
    }),
    fc.nat().map((at) => (source: string) => {
      const lines = source.split('\n');
      const index = at % lines.length;
      lines.splice(index, 0, lines[index]!);
      return lines.join('\n');
    }),
    fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (source: string) => {
      const lines = source.split('\n');
      const [i, j] = [a % lines.length, b % lines.length];
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce((source, apply) => apply(source), text));
}

/** Input that is not a valid manifest or lockfile, of every kind a parser meets. */
export function badInput(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    syntaxSoup,
    valid.chain((value) => mutated(stringify(value))),
    valid.chain((value) => mutated(JSON.stringify(value, null, 2))),
    fc.json({ maxDepth: 3 }),
    fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }).map((value) => {
      try {
        return stringify(value) ?? String(value); // undefined for a function or a symbol
      } catch {
        return String(value);
      }
    }),
  );
}
