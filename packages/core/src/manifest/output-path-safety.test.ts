import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createFakeProvider, fakeRegistry } from '../__fixtures__/fake-provider.js';
import { formatDiagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { parseManifest } from './parse-manifest.js';
import { resolveManifest } from './resolve-manifest.js';
import type { ResolvedManifest } from './manifest-types.js';

// Line ids, script names, output.dir and output.path can never name a file outside the output folder:
// such a manifest is refused at validate/plan time, with a position, before anything is written.
const registry = fakeRegistry(createFakeProvider());

function check(document: unknown): { manifest?: ResolvedManifest; errors: Diagnostic[] } {
  const parsed = parseManifest(stringify(document), 'voices.yaml');
  const diagnostics = [...parsed.diagnostics];
  let manifest: ResolvedManifest | undefined;
  if (parsed.document) {
    const resolved = resolveManifest({ parsed: { ...parsed, document: parsed.document }, providers: registry, scriptSources: {} });
    diagnostics.push(...resolved.diagnostics);
    manifest = resolved.manifest;
  }
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  return { ...(manifest && errors.length === 0 ? { manifest } : {}), errors };
}

function document(options: { dir?: string; template?: string; script?: string; id?: string; voice?: string }) {
  const voice = options.voice ?? 'narrator';
  return {
    version: 1,
    output: { ...(options.dir === undefined ? {} : { dir: options.dir }), ...(options.template === undefined ? {} : { path: options.template }) },
    voices: { [voice]: { provider: 'fake', sample: 'samples/narrator.wav' } },
    scripts: { [options.script ?? 'intro']: { lines: [{ id: options.id ?? 'one', voice, text: 'Hello.' }, { [voice]: 'Again.' }] } },
  };
}

/** Whether `file` (relative to the project, as the manifest resolves it) stays inside `dir`. */
function staysInside(file: string, dir: string): boolean {
  const project = path.resolve('/project');
  const outputDir = path.resolve(project, dir);
  const target = path.resolve(project, file);
  const relative = path.relative(outputDir, target);
  return (
    path.relative(project, outputDir).split(path.sep)[0] !== '..' &&
    relative !== '' &&
    !relative.startsWith('..') &&
    !path.isAbsolute(relative) &&
    !file.includes('\\') &&
    !file.includes('\0')
  );
}

describe('output paths', () => {
  it.each([
    ['output.path climbing out', { template: '../{line}.{ext}' }, /^voices\.yaml:\d+:\d+: output\.path: must be a relative path .*without '\.\.'/],
    ['output.path climbing out in the middle', { template: '{script}/../../../{line}.{ext}' }, /output\.path: must be a relative path/],
    ['an absolute output.path', { template: '/etc/{line}.{ext}' }, /output\.path: must be a relative path/],
    ['a Windows drive in output.path', { template: 'C:/Users/{line}.{ext}' }, /output\.path: must be a relative path/],
    ['backslashes in output.path', { template: '{script}\\..\\{line}.{ext}' }, /output\.path: must be a relative path/],
    ['a control character in output.path', { template: '{line}\0.{ext}' }, /output\.path: must be a relative path/],
    ['output.dir climbing out', { dir: '../../home/user/.ssh' }, /^voices\.yaml:\d+:\d+: output\.dir: must be a folder inside the project/],
    ['output.dir hidden climb', { dir: 'out/../../x' }, /output\.dir: must be a folder inside the project/],
    ['an absolute output.dir', { dir: '/etc' }, /output\.dir: must be a folder inside the project/],
    ['a Windows output.dir', { dir: 'C:\\Windows' }, /output\.dir: must be a folder inside the project/],
    ['a script named ..', { script: '..' }, /^voices\.yaml:\d+:\d+: scripts\.\.\.: /],
    ['a script name with a slash', { script: 'a/../../b' }, /scripts\.a\/\.\.\/\.\.\/b: /],
    ['a line id climbing out', { id: '../../etc/passwd' }, /^voices\.yaml:\d+:\d+: scripts\.intro\.lines\[0\]\.id: /],
    ['an absolute line id', { id: '/etc/passwd' }, /scripts\.intro\.lines\[0\]\.id: /],
    ['a line id with a backslash', { id: '..\\..\\x' }, /scripts\.intro\.lines\[0\]\.id: /],
  ])('refuses %s, with its position', (_name, options, message) => {
    const { manifest, errors } = check(document(options));
    expect(manifest).toBeUndefined();
    expect(errors.map(formatDiagnostic)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('normalises output.dir, so the lockfile records one spelling of each path', () => {
    expect(check(document({ dir: './public//audio/' })).manifest?.lines[0]?.file).toBe('public/audio/intro/0001-one.wav');
    expect(check(document({ dir: '.' })).manifest?.lines[0]?.file).toBe('intro/0001-one.wav');
    // Percent-encoding is not decoded: `%2e%2e` is a folder name like any other, inside the output folder.
    expect(check(document({ template: '%2e%2e/{line}.{ext}' })).manifest?.lines[0]?.file).toBe('out/%2e%2e/one.wav');
  });

  // Fragments that have broken path handling elsewhere, mixed at random into every name and template.
  const fragment = fc.constantFrom(
    '..', '.', '/', '\\', '//', '%2e', '%2f', '..%2f', 'C:', '~', '\0', '\n', '．．', '\u2024\u2024', ' ', 'a', 'b-1', '_',
    '{script}', '{line}', '{index}', '{voice}', '{ext}', '.{ext}', 'out',
  );
  const tricky = fc.array(fragment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));

  it('never resolves a line to a file outside the output folder, whatever the names and template', () => {
    fc.assert(
      fc.property(
        fc.record({
          dir: fc.option(tricky, { nil: undefined }),
          template: fc.option(fc.oneof(tricky, tricky.map((text) => `${text}.{ext}`)), { nil: undefined }),
          script: fc.oneof(tricky, fc.constant('intro')),
          id: fc.oneof(tricky, fc.constant('one')),
        }),
        (options) => {
          const { manifest, errors } = check(document(options));
          if (!manifest) {
            // Refused: every error has a position in the manifest.
            expect(errors.length).toBeGreaterThan(0);
            for (const error of errors) expect(error.line).toBeGreaterThan(0);
            return;
          }
          for (const line of manifest.lines) {
            if (!staysInside(line.file, manifest.output.dir)) throw new Error(`${JSON.stringify(options)} resolved ${line.address} to ${line.file}`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
