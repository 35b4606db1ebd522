import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import type { Diagnostic } from '../errors/diagnostic.js';
import { ManifestError } from '../errors/manifest-error.js';
import { UsageError } from '../errors/usage-error.js';
import { sha256Hex } from '../identity/sha256.js';
import { parseLockfile } from '../lockfile/parse-lockfile.js';
import { readLockfileSnapshot, writeLockfileSnapshot } from './lockfile-snapshot.js';
import type { Lockfile } from '../lockfile/lockfile-types.js';
import type { ResolvedManifest, ResolvedVoice, SampleReference } from '../manifest/manifest-types.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import { sampleLimitProblems } from '../manifest/provider-rules.js';
import { resolveManifest, type ScriptSource } from '../manifest/resolve-manifest.js';
import type { Observations } from '../plan/create-plan.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { SampleInput } from '../providers/provider-v1.js';

export interface ProjectPaths {
  /** The project folder (absolute): the manifest's folder. Outputs, lockfile and cache are relative to it. */
  dir: string;
  manifestFile: string;
  lockfileFile: string;
  /** `.voxform/`: cache, state lock, temporary files. Gitignored. */
  stateDir: string;
  cacheDir: string;
  /** How to name files in messages: relative to the working directory. */
  display(file: string): string;
}

export interface ProbedSample {
  reference: SampleReference;
  /** sha256 of the bytes (file) or of the URL. */
  digest: string;
  /** Absolute path for files. */
  absolutePath?: string;
  format?: string;
  durationMs?: number;
  bytes?: number;
}

export interface LoadedProject {
  paths: ProjectPaths;
  manifest: ResolvedManifest;
  /** Warnings found while loading (errors throw). */
  warnings: Diagnostic[];
  lockfile: Lockfile;
  samples: Record<string, { sample: ProbedSample; prompt?: ProbedSample }>;
  /** Digests that make a saved plan stale when they change. */
  digests: { manifest: string; lockfile: string };
}

export function projectPaths(options: { dir?: string; file?: string; cwd?: string } = {}): ProjectPaths {
  const cwd = options.cwd ?? process.cwd();
  const manifestFile = path.resolve(cwd, options.dir ?? '.', options.file ?? 'voices.yaml');
  const dir = path.dirname(manifestFile);
  const stateDir = path.join(dir, '.voxform');
  return {
    dir,
    manifestFile,
    lockfileFile: path.join(dir, 'voices.lock'),
    stateDir,
    cacheDir: path.join(stateDir, 'cache'),
    display: (file) => {
      const relative = path.relative(cwd, file);
      return (relative.startsWith('..') || path.isAbsolute(relative) ? file : relative).split(path.sep).join('/');
    },
  };
}

/**
 * Reads and checks the manifest, the files it names and the lockfile. Every problem in the manifest is
 * collected and thrown together as one ManifestError; nothing is written.
 */
export async function loadProject(options: {
  paths: ProjectPaths;
  providers: ProviderRegistry;
  /**
   * Keep the parsed lockfile in `.voxform/` for the next run (see lockfile-snapshot). Plan and apply
   * do; validate, which writes nothing, does not.
   */
  saveSnapshot?: boolean;
}): Promise<LoadedProject> {
  const { paths } = options;
  const manifestName = paths.display(paths.manifestFile);
  let text: string;
  try {
    text = await readFile(paths.manifestFile, 'utf8');
  } catch (error) {
    const message =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `no manifest here: run \`voxform init\` to write one, or point at it with -C <dir> / -f <file>`
        : `cannot read the manifest: ${(error as Error).message}`;
    throw new ManifestError([{ file: manifestName, line: 0, column: 0, path: '', message, severity: 'error' }]);
  }

  const parsed = parseManifest(text, manifestName);
  const diagnostics = [...parsed.diagnostics];
  let manifest: ResolvedManifest | undefined;
  const scriptTexts: string[] = [];
  if (parsed.document) {
    const scriptSources: Record<string, ScriptSource> = {};
    // The Markdown parser loads only for a manifest that has `from:` files.
    let scriptParser: typeof import('../manifest/parse-script-source.js') | undefined;
    for (const script of Object.values(parsed.document.scripts ?? {})) {
      if (!script?.from || script.from in scriptSources) continue;
      try {
        const content = await readFile(path.resolve(paths.dir, script.from), 'utf8');
        scriptParser ??= await import('../manifest/parse-script-source.js');
        scriptSources[script.from] = { paragraphs: scriptParser.parseScriptSource(content, scriptParser.scriptFormatOf(script.from)) };
        scriptTexts.push(script.from, content);
      } catch (error) {
        scriptSources[script.from] = {
          error:
            (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? `${script.from} does not exist (paths are relative to ${manifestName})`
              : `cannot read ${script.from}: ${(error as Error).message}`,
        };
      }
    }
    const resolved = resolveManifest({ parsed: { ...parsed, document: parsed.document }, providers: options.providers, scriptSources });
    diagnostics.push(...resolved.diagnostics);
    manifest = resolved.manifest;
  }

  // Sample files are checked even when other problems were found, so one run reports them all.
  const samples: LoadedProject['samples'] = {};
  for (const [name, definition] of Object.entries(parsed.document?.voices ?? {})) {
    if (!definition || typeof definition.sample !== 'string') continue;
    const voice = manifest?.voices[name];
    const providerId = voice?.provider ?? definition.provider;
    const capabilities = providerId && options.providers.has(providerId) ? options.providers.describe(providerId).capabilities : undefined;
    const report = (segments: string[], message: string) => diagnostics.push(parsed.source.diagnostic(['voices', name, ...segments], message));
    const sample = await probeSample(definition.sample, paths, (message) => report(['sample'], message), capabilities);
    const prompt = definition.prompt?.sample
      ? await probeSample(definition.prompt.sample, paths, (message) => report(['prompt', 'sample'], message), capabilities, true)
      : undefined;
    if (sample) samples[name] = { sample, ...(prompt ? { prompt } : {}) };
  }

  diagnostics.sort(byPosition);
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0 || !manifest) throw new ManifestError(diagnostics);

  let lockfileText: string | undefined;
  try {
    lockfileText = await readFile(paths.lockfileFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      const name = paths.display(paths.lockfileFile);
      throw new UsageError(`cannot read ${name} (${(error as Error).message}): it must be a file voxform can read; nothing was done.`, { cause: error });
    }
  }
  const lockfileDigest = sha256Hex(lockfileText ?? '');
  let lockfile = lockfileText === undefined ? undefined : await readLockfileSnapshot(paths.stateDir, lockfileDigest);
  if (!lockfile) {
    lockfile = parseLockfile(lockfileText, paths.display(paths.lockfileFile));
    if (options.saveSnapshot && lockfileText !== undefined) await writeLockfileSnapshot(paths.stateDir, lockfileDigest, lockfile);
  }
  const sampleDigests = Object.entries(samples).map(([name, { sample, prompt }]) => [name, sample.digest, prompt?.digest ?? '']);
  return {
    paths,
    manifest,
    warnings: diagnostics.filter((diagnostic) => diagnostic.severity === 'warning'),
    lockfile,
    samples,
    digests: {
      manifest: sha256Hex(JSON.stringify([text, scriptTexts, sampleDigests])),
      lockfile: lockfileDigest,
    },
  };
}

async function probeSample(
  location: string,
  paths: ProjectPaths,
  report: (message: string) => void,
  capabilities: import('../providers/provider-v1.js').ProviderCapabilities | undefined,
  isPrompt = false,
): Promise<ProbedSample | undefined> {
  if (/^https?:\/\//i.test(location)) {
    return { reference: { source: 'url', location }, digest: sha256Hex(location) };
  }
  const absolutePath = path.resolve(paths.dir, location);
  let size: number;
  try {
    const info = await stat(absolutePath);
    if (!info.isFile()) {
      report(`${location} is not a file`);
      return undefined;
    }
    size = info.size;
  } catch {
    report(`sample file ${location} does not exist (paths are relative to the manifest's folder, ${paths.display(paths.dir) || '.'})`);
    return undefined;
  }
  const digest = await hashFile(absolutePath);
  const format = path.extname(absolutePath).slice(1).toLowerCase();
  let durationMs: number | undefined;
  try {
    const metadata = await parseFile(absolutePath, { duration: true, skipCovers: true });
    // music-metadata does not throw for content it does not recognise (a text file named .wav): it
    // returns a format without a container.
    if (!metadata.format.container) throw new Error('no audio container recognised');
    if (metadata.format.duration !== undefined) durationMs = Math.round(metadata.format.duration * 1000);
  } catch (error) {
    report(`${location} is not readable audio (${(error as Error).message}): use a WAV, MP3 or M4A file`);
    return undefined;
  }
  const probed: ProbedSample = { reference: { source: 'file', location }, digest, absolutePath, format, bytes: size, ...(durationMs !== undefined ? { durationMs } : {}) };
  if (capabilities) sampleLimitProblems({ ...probed, location }, capabilities, isPrompt).forEach(report);
  return probed;
}

/** Reading order, file by file, so the list reads top to bottom like the files. */
function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The sample as adapters see it. */
export function sampleInput(sample: ProbedSample): SampleInput {
  return {
    source: sample.reference.source,
    location: sample.absolutePath ?? sample.reference.location,
    ...(sample.format ? { format: sample.format } : {}),
    ...(sample.durationMs !== undefined ? { durationMs: sample.durationMs } : {}),
    ...(sample.bytes !== undefined ? { bytes: sample.bytes } : {}),
    read: async () => {
      if (!sample.absolutePath) throw new Error(`the sample ${sample.reference.location} is a URL: the provider must fetch it itself`);
      return new Uint8Array(await readFile(sample.absolutePath));
    },
  };
}

export function sampleDigests(project: Pick<LoadedProject, 'samples'>): Observations['samples'] {
  const digests: Observations['samples'] = {};
  for (const [name, { sample, prompt }] of Object.entries(project.samples)) {
    digests[name] = { sampleDigest: sample.digest, ...(prompt ? { promptDigest: prompt.digest } : {}) };
  }
  return digests;
}

export type { ResolvedVoice };
