import { describe, expect, it } from 'vitest';
import { LockfileError } from '../errors/lockfile-error.js';
import { ManifestError } from '../errors/manifest-error.js';
import { formatDiagnostic } from '../errors/diagnostic.js';
import { sha256Hex } from '../identity/sha256.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import { emptyLockfile, type Lockfile } from './lockfile-types.js';
import { parseLockfile } from './parse-lockfile.js';
import { serializeLockfile } from './serialize-lockfile.js';

function lockfileWith(file: string, previewFile = 'out/voices/narrator.wav'): string {
  const lockfile: Lockfile = {
    ...emptyLockfile(),
    voices: {
      narrator: { provider: 'local', fingerprint: sha256Hex('v'), createdAt: '2026-11-21T10:00:00.000Z', preview: { file: previewFile, sha256: sha256Hex('p'), bytes: 10 } },
    },
    renders: {
      'intro/0001': {
        key: sha256Hex('k'), voice: 'narrator', voiceFingerprint: sha256Hex('v'), textSha256: sha256Hex('t'), optionsSha256: sha256Hex('o'),
        format: 'wav', file, sha256: sha256Hex('a'), bytes: 10, durationMs: 5, chars: 3,
      },
    },
  };
  return serializeLockfile(lockfile);
}

function lockfileError(text: string): LockfileError {
  try {
    parseLockfile(text, 'voices.lock');
  } catch (error) {
    if (LockfileError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('parseLockfile accepted it');
}

describe('file paths in voices.lock', () => {
  // voxform deletes (--prune) and moves the files the lockfile names, so it must name nothing else.
  it.each(['../../home/user/.bashrc.wav', '/etc/passwd.wav', 'out/../../x.wav', './out/x.wav', 'C:/x.wav', 'out\\..\\..\\x.wav', 'out//x.wav', 'out/.bashrc', 'out/notes.txt'])(
    'refuses %s, with its position and why',
    (file) => {
      const error = lockfileError(lockfileWith(file));
      expect(error.diagnostics.map(formatDiagnostic)).toEqual([
        expect.stringMatching(/^voices\.lock:\d+:\d+: renders\.intro\/0001\.file: must be a \.wav or \.mp3 file inside the project/),
      ]);
      expect(error.message).toContain('is damaged');
    },
  );

  it('refuses a preview outside the project too', () => {
    expect(lockfileError(lockfileWith('out/intro/0001.wav', '../../x.mp3')).diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^voices\.lock:\d+:\d+: voices\.narrator\.preview\.file: must be a \.wav or \.mp3 file inside the project/),
    ]);
  });

  it('accepts what apply writes', () => {
    expect(parseLockfile(lockfileWith('out/intro/0001-0001.wav'), 'voices.lock').renders['intro/0001']?.file).toBe('out/intro/0001-0001.wav');
    expect(parseLockfile(lockfileWith('intro/..odd name.mp3'), 'voices.lock').renders['intro/0001']?.file).toBe('intro/..odd name.mp3');
  });
});

describe('git conflict markers', () => {
  const conflicted = (middle: string[]) => ['lockfileVersion: 1', 'voices: {}', 'renders: {}', ...middle, 'pending: []', ''].join('\n');

  it('names the sides and says how to resolve without losing paid work, diff3 style included', () => {
    const error = lockfileError(conflicted(['<<<<<<< HEAD', '# ours', '||||||| merged common ancestors', '# base', '=======', '# theirs', '>>>>>>> feature/chapter-two']));
    expect(error.diagnostics.map(({ line, message }) => [line, message])).toEqual([
      [4, "git merge conflict marker '<<<<<<<'"],
      [6, "git merge conflict marker '|||||||'"],
      [8, "git merge conflict marker '======='"],
      [10, "git merge conflict marker '>>>>>>>'"],
    ]);
    expect(error.message).toContain('voices.lock has unresolved merge conflicts (1 conflict between HEAD and feature/chapter-two)');
    expect(error.message).toContain('keep the entries of both sides');
    expect(error.message).toContain('keep every pending entry');
    expect(error.message).toContain('git checkout --ours voices.lock');
    expect(error.message).toContain('`voxform plan`');
    expect(error.message).toContain('git add voices.lock');
  });

  it('counts every conflict, with Windows line ends too', () => {
    const text = conflicted(['<<<<<<< HEAD', '=======', '>>>>>>> b', '<<<<<<< HEAD', '=======', '>>>>>>> b']).replaceAll('\n', '\r\n');
    expect(lockfileError(text).message).toContain('(2 conflicts between HEAD and b)');
  });

  it('in voices.yaml, is reported at each marker instead of a puzzling YAML error', () => {
    const parsed = parseManifest(['version: 1', '<<<<<<< HEAD', 'voices: {}', '=======', 'voices: { a: {} }', '>>>>>>> main', 'scripts: {}', ''].join('\n'), 'voices.yaml');
    expect(parsed.document).toBeUndefined();
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^voices\.yaml:2:1: git merge conflict marker '<<<<<<<': resolve the merge conflict between HEAD and main first/),
      expect.stringMatching(/^voices\.yaml:4:1: /),
      expect.stringMatching(/^voices\.yaml:6:1: /),
    ]);
    expect(new ManifestError(parsed.diagnostics).message).toContain('3 problems in the manifest');
  });
});

describe('vendor data in voices.lock', () => {
  it('keeps a key named __proto__ (vendors answer with any JSON)', () => {
    const lockfile: Lockfile = { ...emptyLockfile(), voices: { narrator: { provider: 'minimax', fingerprint: sha256Hex('v'), createdAt: '2026-11-21T10:00:00.000Z', data: JSON.parse('{"meta":{"__proto__":{"admin":true},"b":1}}') } } };
    const parsed = parseLockfile(serializeLockfile(lockfile), 'voices.lock');
    expect(Object.keys(parsed.voices.narrator!.data!.meta as object)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(parsed.voices.narrator!.data)).toBe('{"meta":{"__proto__":{"admin":true},"b":1}}');
    expect((parsed.voices.narrator!.data!.meta as { admin?: boolean }).admin).toBeUndefined();
  });
});
