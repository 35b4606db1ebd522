import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../providers/provider-v1.js';
import { canonicalJson } from './canonical-json.js';
import { countCharacters, normalizeText, renderKey, voiceFingerprint, type RenderIdentity, type VoiceIdentity } from './fingerprint.js';
import { sha256Hex, sha256HexPortable } from './sha256.js';

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    const a = canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'z' } });
    const b = canonicalJson({ a: { c: 'z', d: [1, { x: 1, y: 2 }] }, b: 1 });
    expect(a).toBe(b);
    expect(a).toBe('{"a":{"c":"z","d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('keeps array order and drops undefined members', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: 1, b: undefined } as unknown as Record<string, number>)).toBe('{"a":1}');
  });

  it('writes exactly these bytes: every render key stored in a voices.lock depends on them', () => {
    const value = { b: undefined, a: [[], {}, [1, { z: null, y: undefined, x: '\u00e9\u2028"' }]], c: {} };
    expect(canonicalJson(value as unknown as Record<string, JsonValue>)).toBe('{"a":[[],{},[1,{"x":"\u00e9\u2028\\"","z":null}]],"c":{}}');
  });

  it('tells apart values that differ only in type', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({ a: false }));
  });
});

describe('sha256Hex', () => {
  it('is the lower-case hex sha256 of the UTF-8 bytes', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexPortable('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('gives the same digest in Node and in a browser, for any text (lone surrogates included)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(sha256Hex(text)).toBe(sha256HexPortable(text));
      }));
  });
});

describe('voiceFingerprint', () => {
  const base: VoiceIdentity = {
    provider: 'minimax',
    sampleDigest: sha256Hex('sample bytes'),
    prompt: { sampleDigest: sha256Hex('prompt bytes'), text: 'Welcome back.' },
    language: 'English',
    options: { need_noise_reduction: true, accuracy: 0.8 },
  };
  const fingerprint = voiceFingerprint(base);

  it('is a sha256', () => {
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(voiceFingerprint(structuredClone(base))).toBe(fingerprint);
  });

  it.each<[string, VoiceIdentity]>([
    ['provider', { ...base, provider: 'vidu' }],
    ['sample digest', { ...base, sampleDigest: sha256Hex('other sample bytes') }],
    ['prompt sample', { ...base, prompt: { sampleDigest: sha256Hex('other prompt'), text: 'Welcome back.' } }],
    ['prompt text', { ...base, prompt: { sampleDigest: base.prompt!.sampleDigest, text: 'Welcome home.' } }],
    ['no prompt', { ...base, prompt: undefined }],
    ['language', { ...base, language: 'French' }],
    ['no language', { ...base, language: undefined }],
    ['an option value', { ...base, options: { need_noise_reduction: false, accuracy: 0.8 } }],
    ['an extra option', { ...base, options: { ...base.options, volume: 1 } }],
  ])('changes with the %s', (_name, changed) => {
    expect(voiceFingerprint(changed)).not.toBe(fingerprint);
  });

  it('does not change with option key order', () => {
    expect(voiceFingerprint({ ...base, options: { accuracy: 0.8, need_noise_reduction: true } })).toBe(fingerprint);
  });
});

describe('renderKey', () => {
  // Pinned: a change here gives every line rendered so far a new key, and the next apply pays for it again.
  it('is the key lockfiles already hold for the same line', () => {
    const voiceFingerprint = 'f'.repeat(64);
    expect(renderKey({ voiceFingerprint, text: 'Hello, \u201cworld\u201d.', options: { speed: 1.1, emotion: 'calm' }, format: 'wav' })).toBe(
      '62086e7d1cedea64484818f45dd005764bcfe53f78e7c69e75e57313405ee7fc',
    );
    expect(renderKey({ voiceFingerprint, text: 'Hello', options: {}, format: 'mp3', lexicon: { GIF: 'jif' }, pieces: ['a', 'b'] })).toBe(
      '05efb304851f63eb85877a7ae5cdd2bbfb34029262037b7c4f69eaf966f4dbca',
    );
  });

  const base: RenderIdentity = {
    voiceFingerprint: sha256Hex('voice'),
    text: normalizeText('It was a dark and stormy night.'),
    options: { speed: 1.1, emotion: 'angry' },
    format: 'wav',
  };
  const key = renderKey(base);

  it.each<[string, RenderIdentity]>([
    ['voice fingerprint', { ...base, voiceFingerprint: sha256Hex('other voice') }],
    ['text', { ...base, text: 'It was a dark and stormy night!' }],
    ['options', { ...base, options: { speed: 1.2, emotion: 'angry' } }],
    ['format', { ...base, format: 'mp3' }],
    ['lexicon', { ...base, lexicon: { stormy: 'STOR-mee' } }],
  ])('changes with the %s', (_name, changed) => {
    expect(renderKey(changed)).not.toBe(key);
  });

  it('does not change with option key order', () => {
    expect(renderKey({ ...base, options: { emotion: 'angry', speed: 1.1 } })).toBe(key);
  });

  it('is unchanged by an empty lexicon, so lines no lexicon touches keep their keys', () => {
    expect(renderKey({ ...base, lexicon: {} })).toBe(key);
  });

  it('changes with what a lexicon entry says', () => {
    expect(renderKey({ ...base, lexicon: { stormy: 'STOR-mee' } })).not.toBe(renderKey({ ...base, lexicon: { stormy: 'storm-ee' } }));
  });

  it('does not change with surrounding whitespace, once normalised', () => {
    expect(renderKey({ ...base, text: normalizeText('  \n\tIt was a dark and stormy night. \n') })).toBe(key);
  });

  it('does not change between NFC and NFD forms of the same text', () => {
    const composed = 'Caf\u00e9 cr\u00e8me';
    const decomposed = 'Cafe\u0301 cre\u0300me';
    expect(composed).not.toBe(decomposed);
    const keyOf = (text: string) => renderKey({ ...base, text: normalizeText(text) });
    expect(keyOf(decomposed)).toBe(keyOf(composed));
    expect(normalizeText(decomposed)).toBe(composed);
  });

  it('keeps inner whitespace significant', () => {
    expect(renderKey({ ...base, text: 'It was a dark and  stormy night.' })).not.toBe(key);
  });
});

describe('countCharacters', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(countCharacters('abc')).toBe(3);
    expect(countCharacters('😀')).toBe(1);
    expect('😀'.length).toBe(2);
    expect(countCharacters('Hi 😀!')).toBe(5);
    expect(countCharacters('𝄞𝄞')).toBe(2);
    expect(countCharacters('')).toBe(0);
  });
});
