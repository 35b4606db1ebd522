import type { Diagnostic } from '../errors/diagnostic.js';
import { normalizeText } from '../identity/fingerprint.js';
import { lexiconEntriesIn, mergeLexicons, spokenText, type Lexicon } from '../lexicon/lexicon.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { AudioFormat, JsonValue, ProviderV1 } from '../providers/provider-v1.js';
import { validateWithSchema } from '../validation/schema-validator.js';
import { optionProblems, sampleSourceProblem, textLimit, unspeakableTextProblem } from './provider-rules.js';
import { splitText } from '../text/split-text.js';
import { schemaDiagnostics, type SchemaProblem } from '../yaml/schema-diagnostics.js';
import type { PathSegment } from '../yaml/yaml-source.js';
import {
  MANIFEST_DEFAULTS,
  type LineDefinition,
  type LoudnessSetting,
  type ResolvedAssembly,
  type ResolvedBook,
  type ResolvedLine,
  type ResolvedManifest,
  type ResolvedProviderSettings,
  type ResolvedVoice,
  type SampleReference,
  type SourcePosition,
} from './manifest-types.js';
import type { ParsedManifest } from './parse-manifest.js';
import type { ScriptParagraph } from './parse-script-source.js';

/** The text of a `from:` file, or why it could not be read. */
/** A `from:` file as the caller read it: its spoken paragraphs (`parseScriptSource`), or why it could not be read. */
export type ScriptSource = { paragraphs: ScriptParagraph[] } | { error: string };

export interface ResolveManifestInput {
  parsed: ParsedManifest & { document: NonNullable<ParsedManifest['document']> };
  providers: ProviderRegistry;
  /** The `from:` files, keyed by the path exactly as the manifest writes it. */
  scriptSources: Record<string, ScriptSource>;
}

export interface ResolveManifestResult {
  manifest?: ResolvedManifest;
  diagnostics: Diagnostic[];
}

const urlPattern = /^https?:\/\//i;
const envReference = /^\$\{([A-Z_][A-Z0-9_]*)\}$/;

/**
 * Applies defaults, expands every script into addressed lines and checks the rules a schema cannot
 * express (unknown voices and providers, duplicate ids, provider option schemas and limits). Pure:
 * the caller reads the `from:` files. Collects every problem rather than stopping at the first.
 */
export function resolveManifest(input: ResolveManifestInput): ResolveManifestResult {
  const { source, document } = input.parsed;
  const diagnostics: Diagnostic[] = [];
  const error = (path: PathSegment[], message: string, options: { key?: boolean } = {}) =>
    diagnostics.push(source.diagnostic(path, message, options));
  // Found only when read: a position needs the YAML parsed with positions, and most runs report none.
  const positionOf = (path: PathSegment[]): SourcePosition => {
    let found: { line: number; column: number } | undefined;
    const find = () => (found ??= source.positionOf(path));
    return {
      file: source.file,
      get line() {
        return find().line;
      },
      get column() {
        return find().column;
      },
    };
  };
  const knownProviders = () => input.providers.ids().join(', ');

  const providers: Record<string, ResolvedProviderSettings> = {};
  for (const [id, block] of Object.entries(document.providers ?? {})) {
    if (!input.providers.has(id)) {
      error(['providers', id], `unknown provider '${id}' (known providers: ${knownProviders()})`, { key: true });
      continue;
    }
    const apiKeyEnv = block.apiKey ? envReference.exec(block.apiKey)?.[1] : undefined;
    const provider = input.providers.describe(id);
    if (block.options && Object.keys(block.options).length > 0) {
      if (!provider.settingsSchema) {
        error(['providers', id, 'options'], `${provider.displayName} takes no provider options: remove providers.${id}.options`);
      } else {
        const { valid, errors } = validateWithSchema(provider.settingsSchema, block.options);
        if (!valid) {
          diagnostics.push(
            ...schemaDiagnostics(errors, block.options, source, { prefix: ['providers', id, 'options'] }).map((diagnostic) => ({
              ...diagnostic,
              message: diagnostic.message.replace(/^unknown property/, `unknown ${id} provider option:`),
            })),
          );
        }
      }
    }
    providers[id] = {
      ...(apiKeyEnv ? { apiKeyEnv } : {}),
      ...(block.baseUrl ? { baseUrl: block.baseUrl } : {}),
      ...(block.region ? { region: block.region } : {}),
      ...(block.concurrency ? { concurrency: block.concurrency } : {}),
      ...(block.requestsPerMinute ? { requestsPerMinute: block.requestsPerMinute } : {}),
      ...(block.maxTextLength ? { maxTextLength: block.maxTextLength } : {}),
      ...(block.options && Object.keys(block.options).length > 0 ? { options: block.options } : {}),
      ...(block.pricing ? { pricing: block.pricing } : {}),
    };
  }

  const defaultProvider = document.defaults?.provider ?? MANIFEST_DEFAULTS.provider;
  if (document.defaults?.provider && !input.providers.has(defaultProvider)) {
    error(['defaults', 'provider'], `unknown provider '${defaultProvider}' (known providers: ${knownProviders()})`);
  }

  const voices: Record<string, ResolvedVoice> = {};
  const voiceProviders = new Map<string, ProviderV1>();
  const voiceLexicons = new Map<string, Lexicon>();
  for (const [name, definition] of Object.entries(document.voices)) {
    const path = ['voices', name];
    const providerId = definition.provider ?? defaultProvider;
    if (!input.providers.has(providerId)) {
      if (definition.provider) error([...path, 'provider'], `unknown provider '${providerId}' (known providers: ${knownProviders()})`);
      continue;
    }
    const provider = input.providers.describe(providerId);
    voiceProviders.set(name, provider);
    const sample = sampleReference(definition.sample);
    checkSampleSource(sample, provider, [...path, 'sample'], error);
    let prompt: ResolvedVoice['prompt'];
    if (definition.prompt && !provider.capabilities.sample.prompt) {
      error([...path, 'prompt'], `${provider.displayName} takes no prompt sample: remove prompt, or use a provider that takes one`);
    } else if (definition.prompt) {
      prompt = { sample: sampleReference(definition.prompt.sample), text: normalizeText(definition.prompt.text) };
      checkSampleSource(prompt.sample, provider, [...path, 'prompt', 'sample'], error);
    }
    const options = definition.options ?? {};
    diagnostics.push(...optionDiagnostics(provider, 'voice', options, [...path, 'options'], input.parsed).diagnostics);
    const lexicon = mergeLexicons(document.lexicon, definition.lexicon);
    voiceLexicons.set(name, lexicon);
    if (provider.capabilities.pronunciationDictionary) {
      // The vendors' dictionaries are "word/replacement" strings: a "/" in the word cannot be sent.
      for (const word of Object.keys(lexicon).filter((word) => word.includes('/'))) {
        const inVoice = definition.lexicon !== undefined && Object.keys(definition.lexicon).some((key) => key.normalize('NFC') === word);
        error(inVoice ? [...path, 'lexicon', word] : ['lexicon', word], `lexicon word '${word}' contains '/', which ${provider.displayName}'s pronunciation dictionary cannot carry (voice '${name}'): write the word without '/'`, { key: true });
      }
    }
    voices[name] = {
      name,
      provider: providerId,
      sample,
      ...(prompt ? { prompt } : {}),
      ...(definition.language ? { language: definition.language } : {}),
      options,
      position: positionOf(path),
    };
  }

  const defaultVoice = document.defaults?.voice;
  if (defaultVoice !== undefined && !(defaultVoice in document.voices)) {
    error(['defaults', 'voice'], unknownVoiceMessage(defaultVoice, document.voices));
  }

  const outputFormat = document.output?.format;
  const outputDir = normalizeDir(document.output?.dir ?? MANIFEST_DEFAULTS.outputDir);
  const pathTemplate = document.output?.path ?? MANIFEST_DEFAULTS.outputPath;
  const lines: ResolvedLine[] = [];
  const assemblies: ResolvedAssembly[] = [];
  const scripts = Object.keys(document.scripts);
  const addressPositions = new Map<string, SourcePosition>();
  const filePositions = new Map<string, string>();

  for (const script of scripts) {
    const definition = document.scripts[script]!;
    const scriptPath = ['scripts', script];
    const scriptVoice = definition.voice;
    if (scriptVoice !== undefined && !(scriptVoice in document.voices)) {
      error([...scriptPath, 'voice'], unknownVoiceMessage(scriptVoice, document.voices));
    }
    /** Per provider: the problems found in the script's own options (see `optionProblemId`), reported once. */
    const scriptOptionProblems = new Map<string, Set<string>>();
    const scriptOptionProblemsFor = (provider: ProviderV1): Set<string> => {
      let problems = scriptOptionProblems.get(provider.id);
      if (!problems) {
        const scriptOptionsPath = [...scriptPath, 'options'];
        const checked = optionDiagnostics(provider, 'line', definition.options ?? {}, scriptOptionsPath, input.parsed);
        diagnostics.push(...checked.diagnostics);
        problems = new Set(checked.problems.map((problem) => optionProblemId(problem, scriptOptionsPath.length)));
        scriptOptionProblems.set(provider.id, problems);
      }
      return problems;
    };
    const candidates: Array<LineCandidate | undefined> = definition.from
      ? linesFromFile(definition.from, input.scriptSources[definition.from], source.file, [...scriptPath, 'from'], error)
      : (definition.lines ?? []).map((line, index) =>
          line === null ? undefined : lineFromDefinition(line, [...scriptPath, 'lines', index], positionOf),
        );

    candidates.forEach((candidate, position) => {
      if (!candidate) return; // broke the schema: already reported
      const index = position + 1;
      const id = candidate.id ?? String(index).padStart(4, '0');
      const address = `${script}/${id}`;
      const voiceName = candidate.voice ?? scriptVoice ?? defaultVoice;
      const report = (message: string, at: 'line' | 'voice' | 'id' = 'line') => {
        if (candidate.yamlPath) {
          const path =
            at === 'voice'
              ? (candidate.voicePath ?? candidate.yamlPath)
              : at === 'id' && candidate.id !== undefined
                ? [...candidate.yamlPath, 'id']
                : candidate.yamlPath;
          error(path, message, { key: at === 'voice' && candidate.voiceIsKey === true });
        } else {
          diagnostics.push({ ...candidate.position, path: address, message, severity: 'error' });
        }
      };

      const earlier = addressPositions.get(address);
      if (earlier) {
        report(`duplicate line address '${address}' (first at ${earlier.file}:${earlier.line}:${earlier.column}): give each line of a script a different id`, 'id');
      } else {
        addressPositions.set(address, candidate.position);
      }

      if (voiceName === undefined) {
        report(`line has no voice: write it as { <voice>: <text> }, give it a 'voice:', or set scripts.${script}.voice or defaults.voice`);
        return;
      }
      const voice = voices[voiceName];
      const provider = voiceProviders.get(voiceName);
      if (input.parsed.brokenVoices.has(voiceName)) return;
      if (!(voiceName in document.voices)) {
        if (candidate.voice !== undefined) report(unknownVoiceMessage(voiceName, document.voices), 'voice');
        return;
      }
      if (!voice || !provider) return; // its provider is unknown: reported on the voice

      if (!provider.capabilities.synthesis) {
        report(
          `voice '${voiceName}' uses ${provider.displayName}, which cannot speak text with a cloned voice; ` +
            `its voices are managed for use elsewhere. Give this line a voice on another provider.`,
          'voice',
        );
        return;
      }
      const text = normalizeText(candidate.text);
      const unspeakable = unspeakableTextProblem(text);
      if (unspeakable) {
        report(unspeakable);
        return;
      }
      const lexicon = lexiconEntriesIn(text, voiceLexicons.get(voiceName) ?? {});
      const spoken = spokenText({ text, lexicon }, provider.capabilities.pronunciationDictionary === true);
      const lineLexicon = { ...(Object.keys(lexicon).length > 0 ? { lexicon } : {}), ...(spoken !== text ? { spokenText: spoken } : {}) };
      // Longer than one call takes: rendered in pieces, joined into the one output. What is split is
      // what is sent: the text after the lexicon's replacements.
      const pieces = splitText(spoken, textLimit(provider, providers[provider.id]));
      const options = { ...(definition.options ?? {}), ...(candidate.options ?? {}) };
      // The script's options are checked once per provider its lines use, not once per line (a problem
      // in them would otherwise be reported for every line). A line's own options are checked merged
      // with them; what the script's check already reported is not reported again for the line.
      const scriptProblems = scriptOptionProblemsFor(provider);
      if (candidate.options !== undefined) {
        const optionsPath = candidate.yamlPath ? [...candidate.yamlPath, 'options'] : [...scriptPath, 'options'];
        const own = candidate.options;
        const keep = (problem: SchemaProblem) => String(problem.path[optionsPath.length]) in own || !scriptProblems.has(optionProblemId(problem, optionsPath.length));
        diagnostics.push(...optionDiagnostics(provider, 'line', options, optionsPath, input.parsed, keep).diagnostics);
      }

      const format = outputFormat ?? provider.capabilities.outputFormats[0];
      if (!provider.capabilities.outputFormats.includes(format)) {
        report(
          `output.format is ${format}, but ${provider.displayName} (voice '${voiceName}') produces only ${provider.capabilities.outputFormats.join(', ')}: change output.format or the voice's provider`,
          'voice',
        );
      }
      const file = outputFile(outputDir, pathTemplate, { script, index, line: id, voice: voiceName, ext: format });
      if (file === undefined) {
        error(['output', 'path'], `output path for ${address} would leave the output folder: output.path must be relative, with '/' between folders and no '..', '\\' or empty folder names`);
        return;
      }
      const sameFile = filePositions.get(file);
      if (sameFile) {
        error(['output', 'path'], `lines ${sameFile} and ${address} would both write ${file}: include {line} or {index} in output.path`);
      }
      filePositions.set(file, address);
      lines.push({ address, script, id, index, voice: voiceName, text, options, ...lineLexicon, position: candidate.position, format, file, ...(pieces.length > 1 ? { pieces } : {}) });
    });

    const loudness = loudnessOf(definition.loudness ?? document.output?.loudness);
    // An `assemble` that broke the schema is already reported; asking to add one would be false.
    if (definition.loudness !== undefined && !definition.assemble && !input.parsed.brokenAssemblies.has(script)) {
      error([...scriptPath, 'loudness'], `a loudness target applies to the assembled chapter: add assemble: true to scripts.${script}, or remove loudness`);
    }
    if (definition.assemble) {
      const settings = definition.assemble === true ? {} : definition.assemble;
      const scriptLines = lines.filter((line) => line.script === script);
      const mp3 = scriptLines.find((line) => line.format !== 'wav');
      if (mp3) {
        error([...scriptPath, 'assemble'], `assemble joins WAV lines, and ${mp3.address} is ${mp3.format}: set output.format: wav (MP3 chapters are not supported yet)`);
      }
      const file = outputFile(outputDir, settings.path ?? MANIFEST_DEFAULTS.assemblyPath, { script, index: 0, line: script, voice: '', ext: 'wav' });
      if (file === undefined) {
        error([...scriptPath, 'assemble', 'path'], `the chapter file of ${script} would leave the output folder: the path must be relative, with '/' between folders and no '..', '\\' or empty folder names`);
      } else if (filePositions.has(file)) {
        error([...scriptPath, 'assemble', 'path'], `the chapter file of ${script} would overwrite ${file}, written by ${filePositions.get(file)}: change assemble.path or output.path`);
      } else {
        filePositions.set(file, script);
        const lineGapMs = settings.lineGapMs ?? MANIFEST_DEFAULTS.lineGapMs;
        const paragraphGapMs = settings.paragraphGapMs ?? MANIFEST_DEFAULTS.paragraphGapMs;
        assemblies.push({
          address: script,
          script,
          file,
          format: 'wav',
          // A new paragraph: every line of a `from:` file is one, and in `lines:` a change of speaker starts one.
          parts: scriptLines.map((line, index) => ({
            address: line.address,
            gapBeforeMs: index === 0 ? 0 : definition.from || line.voice !== scriptLines[index - 1]!.voice ? paragraphGapMs : lineGapMs,
          })),
          ...(loudness ? { loudness } : {}),
        });
      }
    }
  }

  const books: ResolvedBook[] = [];
  const assembled = new Set(assemblies.map((assembly) => assembly.script));
  for (const [name, book] of Object.entries(document.books ?? {})) {
    const bookPath = ['books', name];
    book.chapters.forEach((chapter, index) => {
      if (!(chapter in document.scripts)) error([...bookPath, 'chapters', index], `unknown script '${chapter}' (scripts: ${scripts.join(', ')})`);
      else if (!assembled.has(chapter) && !input.parsed.brokenAssemblies.has(chapter)) error([...bookPath, 'chapters', index], `${chapter} is not assembled: add assemble: true to scripts.${chapter}, so the book has a chapter file to take`);
    });
    const file = outputFile(outputDir, (book.path ?? MANIFEST_DEFAULTS.bookPath).replaceAll('{book}', name), { script: name, index: 0, line: name, voice: '', ext: 'm4b' });
    if (file === undefined) {
      error([...bookPath, 'path'], `the file of book ${name} would leave the output folder: the path must be relative, with '/' between folders and no '..', '\\' or empty folder names`);
      continue;
    }
    if (filePositions.has(file)) {
      error([...bookPath, 'path'], `book ${name} would overwrite ${file}, written by ${filePositions.get(file)}: change books.${name}.path`);
      continue;
    }
    filePositions.set(file, `book.${name}`);
    books.push({ address: `book.${name}`, name, title: book.title ?? name, file, chapters: book.chapters, bitrate: book.bitrate ?? MANIFEST_DEFAULTS.bookBitrate });
  }

  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return { diagnostics };
  return {
    manifest: {
      file: source.file,
      output: { dir: outputDir, ...(outputFormat ? { format: outputFormat } : {}), path: pathTemplate },
      providers,
      voices,
      scripts,
      lines,
      assemblies,
      books,
    },
    diagnostics,
  };
}

interface LineCandidate {
  id?: string;
  voice?: string;
  text: string;
  options?: Record<string, JsonValue>;
  position: SourcePosition;
  /** Set for lines written in the manifest itself. */
  yamlPath?: PathSegment[];
  voicePath?: PathSegment[];
  voiceIsKey?: boolean;
}

function lineFromDefinition(line: LineDefinition, path: PathSegment[], positionOf: (path: PathSegment[]) => SourcePosition): LineCandidate {
  const position = positionOf(path);
  if (typeof line === 'string') return { text: line, position, yamlPath: path };
  if (typeof line.text === 'string') {
    const full = line as { id?: string; voice?: string; text: string; options?: Record<string, JsonValue> };
    return {
      ...(full.id !== undefined ? { id: full.id } : {}),
      ...(full.voice !== undefined ? { voice: full.voice } : {}),
      text: full.text,
      ...(full.options ? { options: full.options } : {}),
      position,
      yamlPath: path,
      voicePath: [...path, 'voice'],
    };
  }
  const [voice, text] = Object.entries(line)[0] as [string, string];
  return { voice, text, position, yamlPath: path, voicePath: [...path, voice], voiceIsKey: true };
}

function linesFromFile(
  from: string,
  content: ScriptSource | undefined,
  manifestFile: string,
  path: PathSegment[],
  error: (path: PathSegment[], message: string) => void,
): LineCandidate[] {
  if (!content) {
    error(path, `${from} was not read`);
    return [];
  }
  if ('error' in content) {
    error(path, content.error);
    return [];
  }
  const file = joinRelative(manifestFile, from);
  const { paragraphs } = content;
  if (paragraphs.length === 0) error(path, `${from} has no text to speak: paragraphs are separated by blank lines`);
  return paragraphs.map((paragraph) => ({
    ...(paragraph.voice ? { voice: paragraph.voice } : {}),
    text: paragraph.text,
    position: { file, line: paragraph.line, column: paragraph.column },
  }));
}

function loudnessOf(setting: LoudnessSetting | undefined): ResolvedAssembly['loudness'] {
  if (setting === undefined) return undefined;
  return typeof setting === 'number'
    ? { target: setting, truePeak: MANIFEST_DEFAULTS.truePeak }
    : { target: setting.target, truePeak: setting.truePeak ?? MANIFEST_DEFAULTS.truePeak };
}

function sampleReference(location: string): SampleReference {
  return urlPattern.test(location) ? { source: 'url', location } : { source: 'file', location: location.replace(/\\/g, '/') };
}

function checkSampleSource(
  sample: SampleReference,
  provider: ProviderV1,
  path: PathSegment[],
  error: (path: PathSegment[], message: string) => void,
) {
  const problem = sampleSourceProblem(provider, sample.source);
  if (problem) error(path, problem);
}

function optionDiagnostics(
  provider: ProviderV1,
  kind: 'voice' | 'line',
  options: Record<string, JsonValue>,
  path: PathSegment[],
  parsed: ParsedManifest,
  keep: (problem: SchemaProblem) => boolean = () => true,
): { problems: SchemaProblem[]; diagnostics: Diagnostic[] } {
  const problems = optionProblems(provider, kind, options, path).filter(keep);
  const diagnostics = problems.map((problem) => parsed.source.diagnostic(problem.path, problem.message, { key: problem.key }));
  // Two problems that land on the same node with the same words are one problem to the reader.
  return {
    problems,
    diagnostics: diagnostics.filter((diagnostic, index) => diagnostics.findIndex((other) => other.line === diagnostic.line && other.column === diagnostic.column && other.message === diagnostic.message) === index),
  };
}

/** An option problem without where its options are written: the option it is about, and what is wrong. */
function optionProblemId(problem: SchemaProblem, optionsDepth: number): string {
  return `${String(problem.path[optionsDepth] ?? '')}\n${problem.message}`;
}

function unknownVoiceMessage(name: string, declared: Record<string, unknown>): string {
  const names = Object.keys(declared);
  return `unknown voice '${name}' (declared voices: ${names.join(', ') || 'none'}): declare it under voices: or fix the name`;
}

/**
 * Expands the output path template; undefined when the result would leave the output folder or is not
 * a plain relative path (the schema refuses such templates and names; this is the last word on it).
 */
export function outputFile(
  dir: string,
  template: string,
  values: { script: string; index: number; line: string; voice: string; ext: string },
): string | undefined {
  const relative = template
    .replaceAll('{script}', values.script)
    .replaceAll('{index}', String(values.index).padStart(4, '0'))
    .replaceAll('{line}', values.line)
    .replaceAll('{voice}', values.voice)
    .replaceAll('{ext}', values.ext);
  const segments = relative.split('/');
  if (relative.startsWith('/') || /^[A-Za-z]:/.test(relative) || /[\\\u0000-\u001f]/.test(relative)) return undefined;
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return dir === '' || dir === '.' ? relative : `${dir}/${relative}`;
}

/** `./out/` → `out`, `public\\audio` → `public/audio`, `.` → `.`: one spelling per folder, as the lockfile records it. */
function normalizeDir(path: string): string {
  return (
    path
      .replace(/\\/g, '/')
      .split('/')
      .filter((segment) => segment !== '' && segment !== '.')
      .join('/') || '.'
  );
}

function joinRelative(file: string, relative: string): string {
  const slash = file.lastIndexOf('/');
  return slash === -1 ? relative : `${file.slice(0, slash)}/${relative}`;
}
