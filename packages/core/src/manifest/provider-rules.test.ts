import { describe, expect, it } from 'vitest';
import { createFakeProvider } from '../__fixtures__/fake-provider.js';
import { textProblem } from './provider-rules.js';

describe('textProblem', () => {
  const { provider } = createFakeProvider();

  it('takes text with a letter or digit in any script', () => {
    for (const text of ['Hi.', '¿Qué?', '42', '你好', 'مرحبا', 'Ⅻ', '\u200bHi']) expect(textProblem(provider, text), text).toBeUndefined();
  });

  it('refuses empty text, and text with no letter or digit, showing invisible characters as escapes', () => {
    expect(textProblem(provider, '')).toBe('line has no text');
    expect(textProblem(provider, '...')).toBe("line has nothing to speak ('...'): give it words, or remove it");
    expect(textProblem(provider, '\u200b')).toBe("line has nothing to speak ('\\u200b'): give it words, or remove it");
    expect(textProblem(provider, '\u0301')).toBe("line has nothing to speak ('\u0301'): give it words, or remove it");
    expect(textProblem(provider, '-'.repeat(500))).toBe(`line has nothing to speak ('${'-'.repeat(39)}…'): give it words, or remove it`);
  });
});
