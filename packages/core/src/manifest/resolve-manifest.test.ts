import { describe, expect, it } from 'vitest';
import { createFakeProvider, fakeRegistry } from '../__fixtures__/fake-provider.js';
import { formatDiagnostic } from '../errors/diagnostic.js';
import type { ResolvedManifest } from './manifest-types.js';
import { parseManifest } from './parse-manifest.js';
import { parseScriptSource, scriptFormatOf } from './parse-script-source.js';
import { resolveManifest, type ScriptSource } from './resolve-manifest.js';

const registry = fakeRegistry(
  createFakeProvider(),
  createFakeProvider({ id: 'mute', displayName: 'Mute', capabilities: { synthesis: false } }),
  createFakeProvider({ id: 'mp3only', displayName: 'Mp3 Only', capabilities: { outputFormats: ['mp3'], sample: { sources: ['file'] } } }),
  createFakeProvider({ id: 'urlonly', displayName: 'Url Only', capabilities: { sample: { sources: ['url'] } } }),
  createFakeProvider({ id: 'noprompt', displayName: 'No Prompt', capabilities: { sample: { prompt: undefined } } }),
);

/** A `from:` file as loadProject hands it over: its paragraphs. */
function fromFile(name: string, text: string): ScriptSource {
  return { paragraphs: parseScriptSource(text, scriptFormatOf(name)) };
}

/** Parses and resolves like `voxform validate`; problems as `file:line:column: path: message`. */
function check(text: string, scriptSources: Record<string, ScriptSource> = {}, providers = registry): { manifest?: ResolvedManifest; problems: string[] } {
  const parsed = parseManifest(text, 'voices.yaml');
  const diagnostics = [...parsed.diagnostics];
  let manifest: ResolvedManifest | undefined;
  if (parsed.document) {
    const resolved = resolveManifest({ parsed: { ...parsed, document: parsed.document }, providers, scriptSources });
    diagnostics.push(...resolved.diagnostics);
    manifest = resolved.manifest;
  }
  return { ...(manifest ? { manifest } : {}), problems: diagnostics.map(formatDiagnostic) };
}

const header = [
  'version: 1',
  'voices:',
  '  narrator: { provider: fake, sample: samples/narrator.wav }',
  '  villain: { provider: fake, sample: samples/villain.wav }',
].join('\n');

/** A manifest with the two voices above and one script `intro` whose body is `script` (indented by the caller). */
function manifest(script: string, top = ''): string {
  return `${top}${header}\nscripts:\n  intro:\n${script}\n`;
}

describe('resolveManifest', () => {
  it('expands lines with defaults, addresses, output files and merged options', () => {
    const { manifest: resolved, problems } = check(
      manifest(
        [
          '    voice: narrator',
          '    options: { speed: 0.9, emotion: neutral }',
          '    lines:',
          '      - "  Cafe\u0301 at night.  "',
          '      - villain: Ha!',
          '      - { id: laugh, voice: villain, text: "Ha ha.", options: { emotion: angry } }',
        ].join('\n'),
      ),
    );
    expect(problems).toEqual([]);
    expect(resolved?.output).toEqual({ dir: 'out', path: '{script}/{index}-{line}.{ext}' });
    expect(resolved?.scripts).toEqual(['intro']);
    expect(resolved?.lines.map(({ address, id, index, voice, text, options, format, file }) => ({ address, id, index, voice, text, options, format, file }))).toEqual([
      { address: 'intro/0001', id: '0001', index: 1, voice: 'narrator', text: 'Caf\u00e9 at night.', options: { speed: 0.9, emotion: 'neutral' }, format: 'wav', file: 'out/intro/0001-0001.wav' },
      { address: 'intro/0002', id: '0002', index: 2, voice: 'villain', text: 'Ha!', options: { speed: 0.9, emotion: 'neutral' }, format: 'wav', file: 'out/intro/0002-0002.wav' },
      { address: 'intro/laugh', id: 'laugh', index: 3, voice: 'villain', text: 'Ha ha.', options: { speed: 0.9, emotion: 'angry' }, format: 'wav', file: 'out/intro/0003-laugh.wav' },
    ]);
    expect(resolved?.lines[2]?.position).toEqual({ file: 'voices.yaml', line: 12, column: 9 });
    expect(resolved?.voices.narrator).toMatchObject({ provider: 'fake', sample: { source: 'file', location: 'samples/narrator.wav' }, options: {} });
  });

  describe('unknown voices', () => {
    it('in a shorthand line: at the key', () => {
      expect(check(manifest('    lines:\n      - narator: Hello.')).problems).toEqual([
        "voices.yaml:8:9: scripts.intro.lines[0].narator: unknown voice 'narator' (declared voices: narrator, villain): declare it under voices: or fix the name",
      ]);
    });

    it('in `voice:`: at the value', () => {
      expect(check(manifest('    lines:\n      - { voice: hero, text: Hello. }')).problems).toEqual([
        "voices.yaml:8:18: scripts.intro.lines[0].voice: unknown voice 'hero' (declared voices: narrator, villain): declare it under voices: or fix the name",
      ]);
    });

    it('in defaults.voice', () => {
      expect(check(manifest('    lines:\n      - narrator: Hello.', 'defaults:\n  voice: narator\n')).problems).toEqual([
        "voices.yaml:2:10: defaults.voice: unknown voice 'narator' (declared voices: narrator, villain): declare it under voices: or fix the name",
      ]);
    });

    it('in scripts.X.voice, reported once for the script rather than once per line', () => {
      expect(check(manifest('    voice: hero\n    lines:\n      - Hello.\n      - Again.')).problems).toEqual([
        "voices.yaml:7:12: scripts.intro.voice: unknown voice 'hero' (declared voices: narrator, villain): declare it under voices: or fix the name",
      ]);
    });
  });

  it('refuses a line with no voice at all, saying how to give it one', () => {
    expect(check(manifest('    lines:\n      - Hello.')).problems).toEqual([
      "voices.yaml:8:9: scripts.intro.lines[0]: line has no voice: write it as { <voice>: <text> }, give it a 'voice:', or set scripts.intro.voice or defaults.voice",
    ]);
  });

  it('refuses a duplicate line id at the second id, naming the first', () => {
    const { problems } = check(
      manifest('    lines:\n      - { id: opening, voice: narrator, text: One. }\n      - { id: opening, voice: narrator, text: Two. }'),
    );
    expect(problems).toEqual([
      "voices.yaml:9:15: scripts.intro.lines[1].id: duplicate line address 'intro/opening' (first at voices.yaml:8:9): give each line of a script a different id",
    ]);
  });

  it('refuses an explicit id that collides with a positional line', () => {
    const { problems } = check(
      manifest('    lines:\n      - narrator: One.\n      - narrator: Two.\n      - { id: "0002", voice: narrator, text: Three. }'),
    );
    expect(problems).toEqual([
      "voices.yaml:10:15: scripts.intro.lines[2].id: duplicate line address 'intro/0002' (first at voices.yaml:9:9): give each line of a script a different id",
    ]);
  });

  it('refuses a positional line that collides with an earlier explicit id, at the line', () => {
    const { problems } = check(manifest('    lines:\n      - { id: "0002", voice: narrator, text: One. }\n      - narrator: Two.'));
    expect(problems).toEqual([
      "voices.yaml:9:9: scripts.intro.lines[1]: duplicate line address 'intro/0002' (first at voices.yaml:8:9): give each line of a script a different id",
    ]);
  });

  describe('unknown providers', () => {
    it('on a voice: at its provider', () => {
      const text = `version: 1\nvoices:\n  narrator: { provider: minimax, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
      expect(check(text).problems).toEqual([
        "voices.yaml:3:25: voices.narrator.provider: unknown provider 'minimax' (known providers: fake, mp3only, mute, noprompt, urlonly)",
      ]);
    });

    it('in the providers block: at the key', () => {
      expect(check(manifest('    lines:\n      - narrator: Hello.', 'providers:\n  vidu: { concurrency: 2 }\n')).problems).toEqual([
        "voices.yaml:2:3: providers.vidu: unknown provider 'vidu' (known providers: fake, mp3only, mute, noprompt, urlonly)",
      ]);
    });

    it('in defaults.provider', () => {
      const text = `version: 1\ndefaults:\n  provider: kling\nvoices:\n  narrator: { sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
      expect(check(text).problems).toEqual(["voices.yaml:3:13: defaults.provider: unknown provider 'kling' (known providers: fake, mp3only, mute, noprompt, urlonly)"]);
    });
  });

  describe("options, checked against the provider's schemas", () => {
    it('refuses an unknown voice option at its key', () => {
      const text = `version: 1\nvoices:\n  narrator:\n    provider: fake\n    sample: n.wav\n    options: { noise_reduction: true }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
      expect(check(text).problems).toEqual([
        "voices.yaml:6:16: voices.narrator.options.noise_reduction: unknown voice option for fake: 'noise_reduction' (allowed: need_noise_reduction, accent)",
      ]);
    });

    it('refuses an unknown line option at its key', () => {
      expect(check(manifest('    lines:\n      - { voice: narrator, text: Hello., options: { pitch: 2 } }')).problems).toEqual([
        "voices.yaml:8:53: scripts.intro.lines[0].options.pitch: unknown line option for fake: 'pitch' (allowed: speed, emotion)",
      ]);
    });

    it('refuses an unknown option in a script’s options', () => {
      expect(check(manifest('    options: { volume: 3 }\n    lines:\n      - narrator: Hello.')).problems).toEqual([
        "voices.yaml:7:16: scripts.intro.options.volume: unknown line option for fake: 'volume' (allowed: speed, emotion)",
      ]);
    });

    const scriptVolume = "voices.yaml:7:16: scripts.intro.options.volume: unknown line option for fake: 'volume' (allowed: speed, emotion)";
    it.each([
      [
        'once, not once for each of its lines',
        '      - narrator: One.\n      - narrator: Two.\n      - { voice: narrator, text: Three., options: { speed: 3 } }\n      - narrator: Four.',
        [scriptVolume, 'voices.yaml:11:60: scripts.intro.lines[2].options.speed: must be <= 2'],
      ],
      [
        'even when every line sets options of its own',
        '      - { voice: narrator, text: One., options: { speed: 1 } }\n      - { voice: narrator, text: Two., options: { speed: 1.5 } }',
        [scriptVolume],
      ],
      [
        'and again for a line that sets the same bad option',
        '      - { voice: narrator, text: One., options: { volume: 5 } }',
        [scriptVolume, "voices.yaml:9:51: scripts.intro.lines[0].options.volume: unknown line option for fake: 'volume' (allowed: speed, emotion)"],
      ],
    ])('reports a problem in a script’s options %s', (_case, lines, problems) => {
      expect(check(manifest(`    options: { volume: 3 }\n    lines:\n${lines}`)).problems).toEqual(problems);
    });

    it('refuses an out-of-range option at its value', () => {
      expect(check(manifest('    lines:\n      - { voice: narrator, text: Hello., options: { speed: 3 } }')).problems).toEqual([
        'voices.yaml:8:60: scripts.intro.lines[0].options.speed: must be <= 2',
      ]);
    });

    it('refuses a voice option outside its enum, listing the allowed values', () => {
      const text = `version: 1\nvoices:\n  narrator: { provider: fake, sample: n.wav, options: { accent: scottish } }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
      expect(check(text).problems).toEqual(['voices.yaml:3:65: voices.narrator.options.accent: must be one of: "neutral", "british"']);
    });
  });

  it('refuses a line on a provider that cannot speak with a cloned voice, at the voice', () => {
    const text = `version: 1\nvoices:\n  actor: { provider: mute, sample: a.wav }\nscripts:\n  intro:\n    lines:\n      - actor: Hello.\n`;
    expect(check(text).problems).toEqual([
      "voices.yaml:7:9: scripts.intro.lines[0].actor: voice 'actor' uses Mute, which cannot speak text with a cloned voice; its voices are managed for use elsewhere. Give this line a voice on another provider.",
    ]);
  });

  it("splits text over the provider's maxTextLength into pieces, counting code points", () => {
    const fits = '\u{20000}'.repeat(200); // a CJK letter outside the BMP: 400 UTF-16 units, 200 code points, exactly the limit
    expect(check(manifest(`    lines:\n      - narrator: ${fits}`)).manifest!.lines[0]!.pieces).toBeUndefined();
    const sentence = `Word ${'word '.repeat(28)}end.`; // 149 code points
    const { manifest: resolved, problems } = check(manifest(`    lines:\n      - narrator: ${sentence} ${sentence} ${sentence}`));
    expect(problems).toEqual([]);
    expect(resolved!.lines[0]!.pieces).toEqual([sentence, sentence, sentence]);
  });

  it('splits at a lower providers.<id>.maxTextLength, and refuses a limit that is not a positive integer', () => {
    const { manifest: resolved } = check(manifest('    lines:\n      - narrator: One two three. Four five six.', 'providers:\n  fake: { maxTextLength: 15 }\n'));
    expect(resolved!.lines[0]!.pieces).toEqual(['One two three.', 'Four five six.']);
    expect(check(manifest('    lines:\n      - narrator: Hi.', 'providers:\n  fake: { maxTextLength: 0 }\n')).problems).toEqual([
      'voices.yaml:2:26: providers.fake.maxTextLength: must be >= 1',
    ]);
  });

  it('resolves assemble into a chapter file with a gap before each line: longer where the speaker changes', () => {
    const { manifest: resolved, problems } = check(
      manifest('    assemble: { lineGapMs: 200, paragraphGapMs: 800 }\n    loudness: { target: -19 }\n    lines:\n      - narrator: One.\n      - narrator: Two.\n      - villain: Three.', 'output: { loudness: -16 }\n'),
    );
    expect(problems).toEqual([]);
    expect(resolved!.assemblies).toEqual([
      {
        address: 'intro',
        script: 'intro',
        file: 'out/intro.wav',
        format: 'wav',
        parts: [
          { address: 'intro/0001', gapBeforeMs: 0 },
          { address: 'intro/0002', gapBeforeMs: 200 },
          { address: 'intro/0003', gapBeforeMs: 800 },
        ],
        loudness: { target: -19, truePeak: -1 },
      },
    ]);
  });

  it('refuses a loudness on a script that is not assembled, MP3 lines to assemble, and a chapter file a line writes', () => {
    expect(check(manifest('    loudness: -18\n    lines:\n      - narrator: One.')).problems).toEqual([
      'voices.yaml:7:15: scripts.intro.loudness: a loudness target applies to the assembled chapter: add assemble: true to scripts.intro, or remove loudness',
    ]);
    const mp3 = `version: 1\noutput: { format: mp3 }\nvoices:\n  narrator: { provider: mp3only, sample: n.wav }\nscripts:\n  intro:\n    assemble: true\n    lines:\n      - narrator: Hello.\n`;
    expect(check(mp3).problems).toEqual([
      'voices.yaml:7:15: scripts.intro.assemble: assemble joins WAV lines, and intro/0001 is mp3: set output.format: wav (MP3 chapters are not supported yet)',
    ]);
    const clash = manifest('    assemble: { path: "intro/0001-0001.{ext}" }\n    lines:\n      - narrator: One.');
    expect(check(clash).problems).toEqual([
      'voices.yaml:7:23: scripts.intro.assemble.path: the chapter file of intro would overwrite out/intro/0001-0001.wav, written by intro/0001: change assemble.path or output.path',
    ]);
  });

  it('does not ask for assemble: true where assemble is written but broke the schema', () => {
    const text = manifest('    assemble: { path: "books/b-chapter.wav" }\n    loudness: -18\n    lines:\n      - narrator: One.') + 'books:\n  tale: { chapters: [intro] }\n';
    const { problems } = check(text);
    expect(problems).toEqual([expect.stringMatching(/^voices\.yaml:7:23: scripts\.intro\.assemble\.path: must be a relative path/)]);
  });

  it('resolves books of assembled chapters, and refuses a chapter that is not assembled or does not exist', () => {
    const ok = check(manifest('    assemble: true\n    lines:\n      - narrator: One.') + 'books:\n  tale: { chapters: [intro], bitrate: 96 }\n');
    expect(ok.problems).toEqual([]);
    expect(ok.manifest!.books).toEqual([{ address: 'book.tale', name: 'tale', title: 'tale', file: 'out/tale.m4b', chapters: ['intro'], bitrate: 96 }]);
    expect(check(manifest('    lines:\n      - narrator: One.') + 'books:\n  tale: { chapters: [intro, outro] }\n').problems).toEqual([
      'voices.yaml:10:22: books.tale.chapters[0]: intro is not assembled: add assemble: true to scripts.intro, so the book has a chapter file to take',
      "voices.yaml:10:29: books.tale.chapters[1]: unknown script 'outro' (scripts: intro)",
    ]);
  });

  it('refuses an output.format the provider cannot produce, at the line’s voice', () => {
    const text = `version: 1\noutput: { format: wav }\nvoices:\n  narrator: { provider: mp3only, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
    expect(check(text).problems).toEqual([
      "voices.yaml:8:9: scripts.intro.lines[0].narrator: output.format is wav, but Mp3 Only (voice 'narrator') produces only mp3: change output.format or the voice's provider",
    ]);
  });

  it('uses the provider’s first output format when the manifest names none', () => {
    const text = `version: 1\nvoices:\n  narrator: { provider: mp3only, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
    expect(check(text).manifest?.lines[0]).toMatchObject({ format: 'mp3', file: 'out/intro/0001-0001.mp3' });
  });

  it('refuses a URL sample for a provider that only takes files, at the sample', () => {
    const text = `version: 1\nvoices:\n  narrator:\n    provider: mp3only\n    sample: https://example.com/narrator.wav\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
    expect(check(text).problems).toEqual([
      'voices.yaml:5:13: voices.narrator.sample: Mp3 Only needs the sample as a local file, not a URL: download it into the project and give its path',
    ]);
  });

  it('refuses a file sample (and prompt sample) for a provider that only takes URLs', () => {
    const text = `version: 1\nvoices:\n  narrator:\n    provider: urlonly\n    sample: n.wav\n    prompt: { sample: p.wav, text: Hi. }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
    expect(check(text).problems).toEqual([
      'voices.yaml:5:13: voices.narrator.sample: Url Only takes the sample only as an http(s) URL it can fetch: host the file and give its URL',
      'voices.yaml:6:23: voices.narrator.prompt.sample: Url Only takes the sample only as an http(s) URL it can fetch: host the file and give its URL',
    ]);
  });

  it('checks providers.<id>.options against the provider\'s settings schema, and refuses them where it has none', () => {
    const text = `version: 1\nproviders:\n  fake:\n    options: { colour: blue }\nvoices:\n  narrator: { provider: fake, sample: n.wav }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
    expect(check(text).problems).toEqual(['voices.yaml:4:14: providers.fake.options: Fake fake takes no provider options: remove providers.fake.options']);
  });

  it('refuses a prompt sample for a provider that takes none', () => {
    const text = `version: 1\nvoices:\n  narrator:\n    provider: noprompt\n    sample: n.wav\n    prompt: { sample: p.wav, text: Hi. }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
    expect(check(text).problems).toEqual(['voices.yaml:6:13: voices.narrator.prompt: No Prompt takes no prompt sample: remove prompt, or use a provider that takes one']);
  });

  it('refuses two lines that would write the same output file', () => {
    const { problems } = check(manifest('    lines:\n      - narrator: One.\n      - narrator: Two.', 'output:\n  path: "{script}/{voice}.{ext}"\n'));
    expect(problems).toEqual([
      'voices.yaml:2:9: output.path: lines intro/0001 and intro/0002 would both write out/intro/narrator.wav: include {line} or {index} in output.path',
    ]);
  });

  it('refuses text that is only whitespace', () => {
    expect(check(manifest('    lines:\n      - { voice: narrator, text: "   " }')).problems).toEqual([
      'voices.yaml:8:9: scripts.intro.lines[0]: line has no text',
    ]);
  });

  it('refuses a line with no letter or digit to speak, at the line, showing invisible characters', () => {
    const lines = ['      - narrator: "..."', '      - { voice: narrator, text: "\\u200b" }', '      - narrator: "\\u200b \\u2014 \\u00bf?"', '      - narrator: "\\u4f60\\u597d"', '      - narrator: "42"'];
    expect(check(manifest(`    lines:\n${lines.join('\n')}`)).problems).toEqual([
      "voices.yaml:8:9: scripts.intro.lines[0]: line has nothing to speak ('...'): give it words, or remove it",
      "voices.yaml:9:9: scripts.intro.lines[1]: line has nothing to speak ('\\u200b'): give it words, or remove it",
      "voices.yaml:10:9: scripts.intro.lines[2]: line has nothing to speak ('\\u200b \u2014 \u00bf?'): give it words, or remove it",
    ]);
  });

  it('takes a paragraph of a from: file with nothing to speak (a scene break) for no line', () => {
    const { problems, manifest: resolved } = check(manifest('    voice: narrator\n    from: chapters/02.md'), {
      'chapters/02.md': fromFile('chapters/02.md', 'Hello.\n\n\u2026\n\n\u25c7 \u25c7 \u25c7\n\nGoodbye.\n'),
    });
    expect(problems).toEqual([]);
    expect(resolved!.lines.map((line) => line.text)).toEqual(['Hello.', 'Goodbye.']);
  });

  it('reports a from: file with only scene breaks as having nothing to speak', () => {
    const { problems } = check(manifest('    voice: narrator\n    from: chapters/02.md'), { 'chapters/02.md': fromFile('chapters/02.md', '\u2026\n\n\u25c7 \u25c7 \u25c7\n') });
    expect(problems).toEqual(['voices.yaml:8:11: scripts.intro.from: chapters/02.md has no text to speak: paragraphs are separated by blank lines']);
  });

  it('still checks the other lines when one line broke the schema', () => {
    expect(check(manifest('    lines:\n      - narrator: ""\n      - hero: Hello.')).problems).toEqual([
      'voices.yaml:8:19: scripts.intro.lines[0].narrator: must NOT have fewer than 1 characters',
      "voices.yaml:9:9: scripts.intro.lines[1].hero: unknown voice 'hero' (declared voices: narrator, villain): declare it under voices: or fix the name",
    ]);
  });

  it('does not report lines of a voice that itself broke the schema', () => {
    const text = `version: 1\nvoices:\n  narrator: { provider: fake }\nscripts:\n  intro:\n    lines:\n      - narrator: Hello.\n`;
    expect(check(text).problems).toEqual(["voices.yaml:3:13: voices.narrator: missing required property 'sample'"]);
  });

  describe('`from:` scripts', () => {
    const markdown = [
      '# Chapter Two', //                                             1
      '',
      'It was *really* a **dark** night, said [the narrator](https://example.com).', // 3
      '',
      '```js',
      'console.log("code is not spoken");',
      '```',
      '',
      '![a map of the castle](castle.png)',
      '',
      '@villain: You will never', //                                  11
      'catch me.',
      '',
      'Never, I say!', //                                              14
      '',
      '@narrator: And so it ended.', //                                16
      '',
    ].join('\n');

    it('turns Markdown paragraphs into lines: formatting dropped, code and images not spoken, @voice: switches speaker', () => {
      const { manifest: resolved, problems } = check(manifest('    voice: narrator\n    from: chapters/02.md'), { 'chapters/02.md': fromFile('chapters/02.md', markdown) });
      expect(problems).toEqual([]);
      expect(resolved?.lines.map(({ address, voice, text, position }) => ({ address, voice, text, position }))).toEqual([
        { address: 'intro/0001', voice: 'narrator', text: 'Chapter Two', position: { file: 'chapters/02.md', line: 1, column: 1 } },
        { address: 'intro/0002', voice: 'narrator', text: 'It was really a dark night, said the narrator.', position: { file: 'chapters/02.md', line: 3, column: 1 } },
        { address: 'intro/0003', voice: 'villain', text: 'You will never catch me.', position: { file: 'chapters/02.md', line: 11, column: 1 } },
        { address: 'intro/0004', voice: 'villain', text: 'Never, I say!', position: { file: 'chapters/02.md', line: 14, column: 1 } },
        { address: 'intro/0005', voice: 'narrator', text: 'And so it ended.', position: { file: 'chapters/02.md', line: 16, column: 1 } },
      ]);
      for (const line of resolved?.lines ?? []) expect(line.text).not.toMatch(/console|castle|https|\*/);
    });

    it('turns a .txt file into lines, one per blank-line-separated paragraph', () => {
      const text = 'First paragraph,\nstill the first.\r\n\r\n@villain: Second.\n\n\nThird.\n';
      const { manifest: resolved, problems } = check(manifest('    voice: narrator\n    from: scripts/intro.txt'), { 'scripts/intro.txt': fromFile('scripts/intro.txt', text) });
      expect(problems).toEqual([]);
      expect(resolved?.lines.map(({ voice, text: lineText, position }) => [voice, lineText, position.line])).toEqual([
        ['narrator', 'First paragraph, still the first.', 1],
        ['villain', 'Second.', 4],
        ['villain', 'Third.', 7],
      ]);
    });

    it('reports a missing from: file at the from node', () => {
      const { problems } = check(manifest('    voice: narrator\n    from: chapters/99.md'), {
        'chapters/99.md': { error: 'chapters/99.md does not exist (paths are relative to voices.yaml)' },
      });
      expect(problems).toEqual(['voices.yaml:8:11: scripts.intro.from: chapters/99.md does not exist (paths are relative to voices.yaml)']);
    });

    it('reports an unknown @voice: at the paragraph in the script file', () => {
      const { problems } = check(manifest('    voice: narrator\n    from: chapters/02.md'), { 'chapters/02.md': fromFile('chapters/02.md', 'Hello.\n\n@hero: Hi.\n') });
      expect(problems).toEqual([
        "chapters/02.md:3:1: intro/0002: unknown voice 'hero' (declared voices: narrator, villain): declare it under voices: or fix the name",
      ]);
    });

    it('switches speaker on @Voice: whatever its case, since voice names are lowercase', () => {
      const text = 'Hello.\n\n@Villain: You will never catch me.\n\nNever!\n\n@NARRATOR: And so it ended.\n';
      for (const name of ['chapters/02.md', 'chapters/02.txt']) {
        const { manifest: resolved, problems } = check(manifest(`    voice: narrator\n    from: ${name}`), { [name]: fromFile(name, text) });
        expect(problems).toEqual([]);
        expect(resolved?.lines.map(({ voice, text: lineText }) => [voice, lineText])).toEqual([
          ['narrator', 'Hello.'],
          ['villain', 'You will never catch me.'],
          ['villain', 'Never!'],
          ['narrator', 'And so it ended.'],
        ]);
      }
    });

    it('reports an @Name: that is no declared voice in any case, as it does a lowercase one', () => {
      const { problems } = check(manifest('    voice: narrator\n    from: chapters/02.md'), { 'chapters/02.md': fromFile('chapters/02.md', 'Hello.\n\n@Ghost: Boo.\n') });
      expect(problems).toEqual([
        "chapters/02.md:3:1: intro/0002: unknown voice 'ghost' (declared voices: narrator, villain): declare it under voices: or fix the name",
      ]);
    });

    it('reports a from: file with nothing to speak', () => {
      const { problems } = check(manifest('    voice: narrator\n    from: chapters/02.md'), { 'chapters/02.md': fromFile('chapters/02.md', '```\ncode only\n```\n') });
      expect(problems).toEqual(['voices.yaml:8:11: scripts.intro.from: chapters/02.md has no text to speak: paragraphs are separated by blank lines']);
    });
  });
});

describe('resolveManifest: lexicon', () => {
  const withDictionary = fakeRegistry(
    createFakeProvider(),
    createFakeProvider({ id: 'dictionary', displayName: 'Dictionary', capabilities: { pronunciationDictionary: true } }),
  );
  it("refuses a '/' in a word for a provider whose dictionary is 'word/replacement' strings,", () => {
    const text = [
      'version: 1',
      'lexicon: { AC/DC: A C D C }',
      'voices:',
      '  narrator: { provider: dictionary, sample: samples/narrator.wav }',
      '  plain: { provider: fake, sample: samples/narrator.wav, lexicon: { hi: a very long greeting indeed } }',
      'scripts:',
      '  intro:',
      '    lines:',
      '      - narrator: AC/DC played.',
      '      - plain: AC/DC said hi.',
      '',
    ].join('\n');
    const { problems } = check(text, {}, withDictionary);
    expect(problems).toEqual([
      "voices.yaml:2:12: lexicon.AC/DC: lexicon word 'AC/DC' contains '/', which Dictionary's pronunciation dictionary cannot carry (voice 'narrator'): write the word without '/'",
    ]);
    const { manifest: resolved } = check(text.replaceAll('AC/DC', 'ACDC'), {}, withDictionary);
    expect(resolved!.lines.map((line) => [line.text, line.lexicon, line.spokenText])).toEqual([
      ['ACDC played.', { ACDC: 'A C D C' }, undefined],
      ['ACDC said hi.', { ACDC: 'A C D C', hi: 'a very long greeting indeed' }, 'A C D C said a very long greeting indeed.'],
    ]);
  });

  it('refuses an empty word or replacement', () => {
    const { problems } = check(manifest("    lines:\n      - narrator: Hi.", 'lexicon: { " ": x, hello: "" }\n'));
    expect(problems.length).toBe(2);
    expect(problems.join('\n')).toMatch(/lexicon/);
  });
});
