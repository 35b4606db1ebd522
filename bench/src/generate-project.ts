import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createPlan, identifyManifest, parseLockfile, serializeLockfile } from '@voxform/core';
import { applyPlan, loadProject, observeProject, projectPaths, sampleDigests } from '@voxform/core/node';
import { createProviderRegistry } from '@voxform/cli';
import pLimit from 'p-limit';
import wavefile from 'wavefile';

const examples = new URL('../../examples/audiobook/samples/', import.meta.url);
const words = ('the keeper lighthouse storm night sea boat waves cliff lamp morning glass horizon speck wind rain ' +
  'harbour rope anchor gull salt tide shore village window candle letter stranger silence door stair').split(' ');

/** Sentences of 8 to 19 words, the same on every run (lines must differ: equal lines share a render). */
export function sentences(): () => string {
  let index = 0;
  return () => {
    index++;
    const count = 8 + (index % 12);
    const picked = Array.from({ length: count }, (_, position) => words[(index * 7 + position * 13 + ((index * position) % 5)) % words.length]!);
    const sentence = `${picked.join(' ')} ${index}`;
    return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
  };
}

/** The YAML of an audiobook with `lines` lines: chapters of 100 lines over two voices, one in ten lines with an id and options. */
export function audiobookManifest(options: { lines: number; provider?: string; providerBlock?: string; textLength?: number; format?: 'wav' | 'mp3'; sampleOf?: (voice: string) => string }): string {
  const provider = options.provider ?? 'local';
  const sentence = sentences();
  const text = () => {
    if (!options.textLength) return sentence();
    let value = '';
    while (value.length < options.textLength) value += `${sentence()} `;
    return value.slice(0, options.textLength).trim();
  };
  const out: string[] = [
    'version: 1',
    'output:',
    '  dir: out',
    '  path: "{script}/{index}-{line}.{ext}"',
    ...(options.format ? [`  format: ${options.format}`] : []),
    'defaults:',
    '  voice: narrator',
  ];
  if (options.providerBlock) out.push(options.providerBlock);
  out.push(
    'voices:',
    '  narrator:',
    `    provider: ${provider}`,
    `    sample: ${options.sampleOf?.('narrator') ?? 'samples/narrator.wav'}`,
    '    language: English',
    '  villain:',
    `    provider: ${provider}`,
    `    sample: ${options.sampleOf?.('villain') ?? 'samples/villain.wav'}`,
    '    language: English',
    'scripts:',
  );
  for (let chapter = 0; chapter * 100 < options.lines; chapter++) {
    out.push(`  chapter-${String(chapter + 1).padStart(4, '0')}:`, '    lines:');
    for (let index = chapter * 100; index < Math.min(options.lines, (chapter + 1) * 100); index++) {
      const line = JSON.stringify(text());
      if (index % 10 === 9) {
        out.push(`      - id: line-${index}`, '        voice: villain', `        text: ${line}`);
      } else {
        out.push(`      - narrator: ${line}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/** Writes a project folder: the manifest and the example's two samples. */
export async function writeProject(dir: string, manifest: string): Promise<void> {
  await mkdir(path.join(dir, 'samples'), { recursive: true });
  await writeFile(path.join(dir, 'voices.yaml'), manifest);
  for (const name of ['narrator.wav', 'villain.wav']) await copyFile(new URL(name, examples), path.join(dir, 'samples', name));
}

/** A quarter second of silence: the audio of every generated line. */
function shortWav(): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 16000, '16', new Int16Array(4000));
  return wav.toBuffer();
}

/**
 * Generates a fully applied audiobook of `lines` lines in `dir`. The engine applies the voices (so their
 * lockfile entries are real); each line's entry is then written as the engine would write it after a
 * render — identity from `identifyManifest`, a short WAV as its output — because rendering 100,000
 * lines for real would take the benchmark hours. The benchmark checks that plan finds nothing to do.
 */
export async function generateAppliedProject(dir: string, lines: number): Promise<void> {
  await writeProject(dir, audiobookManifest({ lines }));
  const providers = createProviderRegistry();
  const paths = projectPaths({ dir });
  const project = await loadProject({ paths, providers });
  const plan = createPlan({
    manifest: project.manifest,
    lockfile: project.lockfile,
    observations: await observeProject(project),
    capabilities: (id) => providers.describe(id).capabilities,
    options: { targets: Object.keys(project.manifest.voices).map((name) => `voice.${name}`) },
  });
  const summary = await applyPlan({ project, plan, providers });
  if (summary.failures.length > 0) throw new Error(`generating ${dir} failed: ${summary.failures[0]!.message}`);

  const lockfile = parseLockfile(await readFile(paths.lockfileFile, 'utf8'), 'voices.lock');
  const identity = identifyManifest(project.manifest, sampleDigests(project));
  const audio = shortWav();
  const sha256 = createHash('sha256').update(audio).digest('hex');
  const write = pLimit(32);
  await Promise.all(
    project.manifest.lines.map((line) =>
      write(async () => {
        const file = path.resolve(dir, line.file);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, audio);
        const lineIdentity = identity.lines[line.address]!;
        lockfile.renders[line.address] = {
          key: lineIdentity.key,
          voice: line.voice,
          voiceFingerprint: lineIdentity.voiceFingerprint,
          textSha256: lineIdentity.textSha256,
          optionsSha256: lineIdentity.optionsSha256,
          format: line.format,
          file: line.file,
          sha256,
          bytes: audio.length,
          durationMs: 250,
          chars: lineIdentity.characters,
          mtimeMs: (await stat(file)).mtimeMs,
          renderedAt: '2026-11-21T10:00:00.000Z',
        };
      }),
    ),
  );
  await writeFile(paths.lockfileFile, serializeLockfile(lockfile));
}
