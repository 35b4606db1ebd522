import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../errors/diagnostic.js';
import { voicesSchema } from '../schemas/voices-schema.js';
import { validateWithSchema } from '../validation/schema-validator.js';
import { pointerToPath, schemaDiagnostics, type SchemaMessageOverride } from '../yaml/schema-diagnostics.js';
import { conflictSides, findConflictMarkers } from '../yaml/conflict-markers.js';
import { YamlSource, type PathSegment } from '../yaml/yaml-source.js';
import type { ManifestDocument } from './manifest-types.js';

export interface ParsedManifest {
  source: YamlSource;
  /**
   * The document, present when the text is valid YAML. When it breaks the schema, the offending
   * values are left out so the remaining rules can still be checked and every problem reported at once.
   */
  document?: ManifestDocument;
  /** Voices left out because they broke the schema: lines naming them get no second error. */
  brokenVoices: Set<string>;
  /** Scripts whose `assemble` was left out because it broke the schema: nothing asks them to add one. */
  brokenAssemblies: Set<string>;
  diagnostics: Diagnostic[];
}

// Clearer words than the schema's regular expressions for the mistakes people actually make.
const overrides: SchemaMessageOverride[] = [
  {
    path: /^providers\.[^.]+\.apiKey$/,
    keyword: 'pattern',
    message:
      'must be a reference to an environment variable such as ${MINIMAX_API_KEY}, never the key itself: keys in voices.yaml end up in git. Put the key in the environment and reference it.',
  },
  {
    path: /^output\.path$/,
    keyword: 'pattern',
    message:
      "must be a relative path with '/' between folders, ending in '.{ext}', without '..' or '\\', e.g. \"{script}/{index}-{line}.{ext}\": voxform writes only inside output.dir",
  },
  {
    // Script and book names may contain '.', hence `.+` for them.
    path: /^scripts\..+\.assemble\.path$/,
    keyword: 'pattern',
    message:
      "must be a relative path with '/' between folders, ending in '.{ext}', without '..' or '\\', e.g. \"chapters/{script}.{ext}\": voxform writes the chapter file only inside output.dir",
  },
  {
    path: /^books\..+\.path$/,
    keyword: 'pattern',
    message: "must be a relative path with '/' between folders, ending in '.m4b', without '..' or '\\', e.g. \"books/{book}.m4b\": voxform writes the book only inside output.dir",
  },
  {
    path: /^output\.dir$/,
    keyword: 'pattern',
    message: "must be a folder inside the project, relative to the manifest and without '..', e.g. out or public/audio: voxform writes nowhere else",
  },
  {
    path: /^providers\.[^.]+\.baseUrl$/,
    keyword: 'pattern',
    message: 'must be an http(s) URL, e.g. https://api.minimax.io',
  },
];

/** Parses and schema-checks `voices.yaml`. Pure: reads nothing, throws nothing. */
export function parseManifest(text: string, file: string): ParsedManifest {
  const markers = findConflictMarkers(text);
  if (markers.length > 0) {
    // The YAML parser would report a puzzling syntax error in the middle of one side.
    const sides = conflictSides(markers);
    const message = (marker: string) =>
      `git merge conflict marker '${marker}': resolve the merge conflict${sides} first (keep the lines you want from each side and delete the marker lines), then run voxform validate`;
    const diagnostics = markers.map(({ line, marker }): Diagnostic => ({ file, line, column: 1, path: '', message: message(marker), severity: 'error' }));
    return { source: YamlSource.parse('', file).source, diagnostics, brokenVoices: new Set(), brokenAssemblies: new Set() };
  }
  const { source, diagnostics } = YamlSource.parse(text, file);
  const brokenVoices = new Set<string>();
  const brokenAssemblies = new Set<string>();
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return { source, diagnostics, brokenVoices, brokenAssemblies };
  const value = source.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const message = 'the manifest must be a YAML mapping with version, voices and scripts: run `voxform init` for a commented starter';
    return { source, diagnostics: [...diagnostics, source.diagnostic([], message)], brokenVoices, brokenAssemblies };
  }
  const first = validateWithSchema(voicesSchema, value);
  if (first.valid) return { source, document: value as ManifestDocument, diagnostics, brokenVoices, brokenAssemblies };

  diagnostics.push(...schemaDiagnostics(first.errors, value, source, { overrides }));
  // Leave out what broke the schema, then check the rest, so one run reports every mistake.
  const pruned = structuredClone(value) as Record<string, unknown>;
  // Array items left out become null placeholders; the schema rejects those, which is no new problem.
  const placeholders = new Set<string>();
  const isNew = (error: ErrorObject) => !placeholders.has(error.instancePath);
  let errors = first.errors;
  for (let round = 0; round < 8 && errors.length > 0; round++) {
    for (const error of errors) {
      const path = pointerToPath(error.instancePath, pruned);
      if (error.keyword === 'additionalProperties') path.push(String(error.params.additionalProperty));
      if (error.keyword === 'if') continue;
      if (path.length === 0) return { source, diagnostics, brokenVoices, brokenAssemblies };
      if (path[0] === 'voices' && path.length === 2) brokenVoices.add(String(path[1]));
      if (path[0] === 'scripts' && path[2] === 'assemble') brokenAssemblies.add(String(path[1]));
      removeAt(pruned, path);
      if (typeof path[path.length - 1] === 'number') placeholders.add(error.instancePath);
    }
    errors = validateWithSchema(voicesSchema, pruned).errors.filter(isNew);
  }
  if (errors.length > 0) return { source, diagnostics, brokenVoices, brokenAssemblies };
  return { source, document: pruned as unknown as ManifestDocument, diagnostics, brokenVoices, brokenAssemblies };
}

/** Removes the value at `path`; array items become null so later items keep their positions. */
function removeAt(root: Record<string, unknown>, path: PathSegment[]) {
  let parent: unknown = root;
  for (const segment of path.slice(0, -1)) {
    parent = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[segment] : undefined;
  }
  if (!parent || typeof parent !== 'object') return;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent[last] = null;
  else delete (parent as Record<string, unknown>)[last];
}
