import { describe, expect, it } from 'vitest';
import { espeakVoiceForLanguage } from './espeak-voices.js';

describe('espeakVoiceForLanguage', () => {
  it.each([
    ['English', 'en-us'],
    ['british english', 'en-gb'],
    ['English (UK)', 'en-gb'],
    ['French', 'fr-fr'],
    ['German', 'de'],
    ['Spanish', 'es'],
    ['Italian', 'it'],
    ['Portuguese', 'pt'],
    ['Brazilian Portuguese', 'pt-br'],
    ['Portuguese (Brazil)', 'pt-br'],
    ['Dutch', 'nl'],
    ['Polish', 'pl'],
    ['Japanese', 'ja'],
    ['Chinese', 'cmn'],
    ['Cantonese', 'yue'],
    ['Korean', 'ko'],
    ['Russian', 'ru'],
  ])('maps the language name %s to %s', (language, voice) => {
    expect(espeakVoiceForLanguage(language)).toBe(voice);
  });

  it.each([
    ['en', 'en'],
    ['en-US', 'en-us'],
    ['en_GB', 'en-gb'],
    ['en-AU', 'en'],
    ['fr', 'fr'],
    ['fr-CA', 'fr-fr'],
    ['pt-BR', 'pt-br'],
    ['es-MX', 'es-419'],
    ['zh', 'cmn'],
    ['zh-CN', 'cmn'],
    ['zh-HK', 'yue'],
    ['no', 'nb'],
    ['de-AT', 'de'],
    ['en-gb-x-rp', 'en-gb-x-rp'],
  ])('maps the language tag %s to %s', (language, voice) => {
    expect(espeakVoiceForLanguage(language)).toBe(voice);
  });

  it.each([undefined, '', 'Klingonese', 'xx-YY', 'constructor', 'toString'])('falls back to en for %s', (language) => {
    expect(espeakVoiceForLanguage(language)).toBe('en');
  });
});
