import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../errors/diagnostic.js';
import { ManifestError } from '../errors/manifest-error.js';
import { parseManifest } from './parse-manifest.js';

/** Every problem as `file:line:column: path: message`, which is how the CLI prints them. */
function problems(text: string): string[] {
  return parseManifest(text, 'voices.yaml').diagnostics.map(formatDiagnostic);
}

const voices = `voices:\n  narrator: { provider: fake, sample: samples/narrator.wav }\n`;

describe('parseManifest', () => {
  it('accepts a valid manifest and returns the document without problems', () => {
    const parsed = parseManifest(`version: 1\n${voices}scripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`, 'voices.yaml');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.document?.scripts.intro?.lines).toEqual([{ narrator: 'Hello.' }]);
  });

  it('reports broken YAML syntax at its line and column', () => {
    const text = `version: 1\nvoices:\n  narrator:\n    sample: narrator.wav: extra\nscripts: {}\n`;
    const parsed = parseManifest(text, 'voices.yaml');
    expect(parsed.document).toBeUndefined();
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
      'voices.yaml:4:13: YAML syntax: Nested mappings are not allowed in compact mappings',
    ]);
  });

  it('reports a tab used as indentation at its position', () => {
    expect(problems(`version: 1\nvoices:\n\tnarrator: {}\n`)).toEqual(['voices.yaml:3:1: YAML syntax: Tabs are not allowed as indentation']);
  });

  it('reports an alias to a missing anchor at the alias, instead of crashing', () => {
    const text = `version: 1\n${voices}scripts:\n  intro:\n    lines:\n      - *missing\n`;
    const parsed = parseManifest(text, 'voices.yaml');
    expect(parsed.document).toBeUndefined();
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([expect.stringMatching(/^voices\.yaml:7:9: YAML: Unresolved alias/)]);
  });

  it('refuses a file whose aliases would expand beyond bounds (a "billion laughs")', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 6; level++) levels.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${String.fromCharCode(96 + level)}`).join(', ')}]`);
    const parsed = parseManifest(`${levels.join('\n')}\n`, 'voices.yaml');
    expect(parsed.document).toBeUndefined();
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([expect.stringMatching(/^voices\.yaml:2:\d+: YAML: Excessive alias count/)]);
  });

  it('reports a duplicate key at the second occurrence', () => {
    const text = `version: 1\nvoices:\n  narrator: { sample: a.wav }\n  narrator: { sample: b.wav }\nscripts: {}\n`;
    expect(problems(text)).toEqual(['voices.yaml:4:3: YAML syntax: Map keys must be unique']);
  });

  it('reports an unknown top-level key at the key, listing the allowed ones', () => {
    const text = `version: 1\n${voices}scripts: {}\nscript:\n  intro: {}\n`;
    expect(problems(text)).toEqual([
      "voices.yaml:5:1: script: unknown property 'script' (allowed: version, output, providers, defaults, lexicon, voices, scripts, books)",
    ]);
  });

  it('reports `version: 2` at the value', () => {
    expect(problems(`version: 2\n${voices}scripts: {}\n`)).toEqual(['voices.yaml:1:10: version: must be 1']);
  });

  it('refuses a literal API key without repeating the key', () => {
    const secret = 'sk-live-4f9a8b7c6d5e4f3a2b1c';
    const text = `version: 1\nproviders:\n  fake:\n    apiKey: ${secret}\n${voices}scripts: {}\n`;
    const parsed = parseManifest(text, 'voices.yaml');
    expect(parsed.diagnostics).toHaveLength(1);
    const [diagnostic] = parsed.diagnostics;
    expect(diagnostic).toMatchObject({ line: 4, column: 13, path: 'providers.fake.apiKey', severity: 'error' });
    expect(diagnostic!.message).toMatch(/environment variable such as \$\{MINIMAX_API_KEY\}, never the key itself/);
    const message = new ManifestError(parsed.diagnostics).message;
    expect(message).not.toContain(secret);
    expect(message).not.toContain('sk-live');
  });

  it('accepts an API key given as an environment reference', () => {
    expect(problems(`version: 1\nproviders:\n  fake:\n    apiKey: \${FAKE_API_KEY}\n${voices}scripts: {}\n`)).toEqual([]);
  });

  it("refuses an output.path that climbs out with '..'", () => {
    const text = `version: 1\noutput:\n  path: "{script}/../../{line}.{ext}"\n${voices}scripts: {}\n`;
    expect(problems(text)).toEqual([
      `voices.yaml:3:9: output.path: must be a relative path with '/' between folders, ending in '.{ext}', without '..' or '\\', e.g. "{script}/{index}-{line}.{ext}": voxform writes only inside output.dir`,
    ]);
  });

  it('refuses a chapter or book path template in words, not as a regular expression, and only for the form written', () => {
    const text = [
      'version: 1',
      voices.trimEnd(),
      'scripts:',
      '  intro:',
      '    assemble: { path: "books/b-chapter.wav" }',
      '    lines:',
      '      - narrator: Hello.',
      'books:',
      '  tale: { chapters: [intro], path: "../tale.m4b" }',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      `voices.yaml:6:23: scripts.intro.assemble.path: must be a relative path with '/' between folders, ending in '.{ext}', without '..' or '\\', e.g. "chapters/{script}.{ext}": voxform writes the chapter file only inside output.dir`,
      `voices.yaml:10:36: books.tale.path: must be a relative path with '/' between folders, ending in '.m4b', without '..' or '\\', e.g. "books/{book}.m4b": voxform writes the book only inside output.dir`,
    ]);
  });

  it('reports only the errors of the form a value is written in: a number as a number, an object as an object', () => {
    const script = (settings: string) => `version: 1\n${voices}scripts:\n  intro:\n${settings}\n    lines:\n      - narrator: Hello.\n`;
    expect(problems(script('    assemble: true\n    loudness: 5'))).toEqual(['voices.yaml:7:15: scripts.intro.loudness: must be <= 0']);
    expect(problems(script('    assemble: true\n    loudness: { target: 5, peak: 1 }'))).toEqual([
      "voices.yaml:7:28: scripts.intro.loudness.peak: unknown property 'peak' (allowed: target, truePeak)",
      'voices.yaml:7:25: scripts.intro.loudness.target: must be <= 0',
    ]);
    expect(problems(script('    assemble: { lineGapMs: -5 }'))).toEqual(['voices.yaml:6:28: scripts.intro.assemble.lineGapMs: must be >= 0']);
    expect(problems(script('    assemble: 7\n    loudness: loud'))).toEqual([
      'voices.yaml:6:15: scripts.intro.assemble: must be boolean or object',
      'voices.yaml:7:15: scripts.intro.loudness: must be number or object',
    ]);
  });

  it('refuses a script with both lines and from', () => {
    const text = `version: 1\n${voices}scripts:\n  intro:\n    from: intro.md\n    lines:\n      - narrator: Hello.\n`;
    expect(problems(text)).toEqual(["voices.yaml:6:5: scripts.intro: needs exactly one of: 'lines', 'from'"]);
  });

  it('refuses a script with neither lines nor from, in one message', () => {
    const text = `version: 1\n${voices}scripts:\n  intro:\n    voice: narrator\n`;
    expect(problems(text)).toEqual(["voices.yaml:6:5: scripts.intro: needs exactly one of: 'lines', 'from'"]);
  });

  it('refuses empty text in each way a line can be written, each at its value', () => {
    const text = [
      'version: 1',
      voices.trimEnd(),
      'scripts:',
      '  intro:',
      '    voice: narrator',
      '    lines:',
      '      - narrator: ""',
      '      - { voice: narrator, text: "" }',
      '      - ""',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'voices.yaml:8:19: scripts.intro.lines[0].narrator: must NOT have fewer than 1 characters',
      'voices.yaml:9:34: scripts.intro.lines[1].text: must NOT have fewer than 1 characters',
      'voices.yaml:10:9: scripts.intro.lines[2]: must NOT have fewer than 1 characters',
    ]);
  });

  it('refuses a full-form line without text at the line', () => {
    const text = `version: 1\n${voices}scripts:\n  intro:\n    lines:\n      - { id: opening, voice: narrator }\n`;
    expect(problems(text)).toEqual(["voices.yaml:7:9: scripts.intro.lines[0]: missing required property 'text'"]);
  });

  it('leaves out only what broke the schema, so the remaining lines can still be checked', () => {
    const text = `version: 1\n${voices}scripts:\n  intro:\n    lines:\n      - narrator: ""\n      - narrator: Still here.\n`;
    const parsed = parseManifest(text, 'voices.yaml');
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.document?.scripts.intro?.lines).toEqual([null, { narrator: 'Still here.' }]);
  });

  it('marks a voice that broke the schema as broken, keeping the others', () => {
    const text = `version: 1\nvoices:\n  narrator: { provider: fake }\n  villain: { provider: fake, sample: v.wav }\nscripts: {}\n`;
    const parsed = parseManifest(text, 'voices.yaml');
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual(["voices.yaml:3:13: voices.narrator: missing required property 'sample'"]);
    expect([...parsed.brokenVoices]).toEqual(['narrator']);
    expect(Object.keys(parsed.document?.voices ?? {})).toEqual(['villain']);
  });

  it('refuses a document that is not a mapping', () => {
    expect(problems('- just\n- a list\n')).toEqual([
      'voices.yaml:1:1: the manifest must be a YAML mapping with version, voices and scripts: run `voxform init` for a commented starter',
    ]);
  });
});
