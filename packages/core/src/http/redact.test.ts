import { describe, expect, it } from 'vitest';
import { redact, redactBody, redactUrl } from './redact.js';

const key = 'sk-live+abc/123 xyz';

describe('redact', () => {
  it('replaces a secret in its raw, URL-encoded and JSON-escaped forms', () => {
    expect(redact(`raw ${key}`, [key])).toBe('raw ***');
    expect(redact(`query ${encodeURIComponent(key)}`, [key])).toBe('query ***');
    expect(redact(`form ${new URLSearchParams({ key }).toString()}`, [key])).toBe('form key=***');
    expect(redact(JSON.stringify({ value: 'a"b' }), ['a"b'])).toBe('{"value":"***"}');
  });

  it('ignores empty and missing secrets', () => {
    expect(redact('nothing to hide', ['', undefined])).toBe('nothing to hide');
  });

  it('hides credential query parameters and url passwords', () => {
    expect(redactUrl('https://user:pw@host.test/path?task_id=1&api_key=unknown&Token=x', [])).toBe('https://user:***@host.test/path?task_id=1&api_key=***&Token=***');
  });

  it('redacts before trimming, so no part of a secret survives the cut', () => {
    const secret = 'S'.repeat(40);
    const body = `${'x'.repeat(2040)}${secret}`;
    const shown = redactBody(body, [secret], 2048);
    expect(shown).not.toContain('SSSSSSSS');
    expect(shown.startsWith('x'.repeat(2040))).toBe(true);
  });

  it('hides the values of credential fields in JSON and form bodies', () => {
    expect(redactBody('{"api_key": "unlisted", "text": "hello"}', [])).toBe('{"api_key": "***", "text": "hello"}');
    expect(redactBody('a=1&token=unlisted&b=2', [])).toBe('a=1&token=***&b=2');
  });
});
