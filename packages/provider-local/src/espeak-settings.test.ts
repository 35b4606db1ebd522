import { describe, expect, it } from 'vitest';
import {
  espeakVariants,
  pitchAtSetting,
  pitchSettingFor,
  variantForPitch,
  wordsPerMinuteFor,
} from './espeak-settings.js';

describe('espeak-ng settings', () => {
  it('gives low voices a male variant and high voices a female one', () => {
    expect(variantForPitch(85)).toBe('m3');
    expect(variantForPitch(130)).toBe('m3');
    expect(variantForPitch(200)).toBe('f2');
    expect(variantForPitch(300)).toBe('f2');
  });

  it.each(espeakVariants)('inverts the measured pitch curve of %s', (variant) => {
    for (const setting of [30, 50, 75, 99]) {
      expect(Math.abs(pitchSettingFor(variant, pitchAtSetting(variant, setting)) - setting)).toBeLessThanOrEqual(1);
    }
    expect(pitchAtSetting(variant, 99)).toBeGreaterThan(1.8 * pitchAtSetting(variant, 10));
  });

  it('clamps pitches beyond what a variant reaches to 0–99', () => {
    expect(pitchSettingFor('m3', 40)).toBe(0);
    expect(pitchSettingFor('m3', 400)).toBe(99);
    expect(pitchSettingFor('f2', 60)).toBe(0);
    expect(pitchSettingFor('f2', 1000)).toBe(99);
  });

  it('maps faster speech to more words per minute, within 80–450', () => {
    expect(wordsPerMinuteFor(4.69)).toBe(175);
    expect(wordsPerMinuteFor(3)).toBeLessThan(wordsPerMinuteFor(4));
    expect(wordsPerMinuteFor(4)).toBeLessThan(wordsPerMinuteFor(6));
    expect(wordsPerMinuteFor(0)).toBe(80);
    expect(wordsPerMinuteFor(50)).toBe(450);
  });
});
