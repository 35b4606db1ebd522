import { describe, expect, it } from 'vitest';
import { LockfileError } from '../errors/lockfile-error.js';
import { formatDiagnostic } from '../errors/diagnostic.js';
import { sha256Hex } from '../identity/sha256.js';
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
