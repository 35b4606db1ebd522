import {
  calibratedPitchSettings,
  calibratedSpeedSettings,
  measuredPitchHz,
  measuredSyllablesPerSecond,
} from './espeak-calibration.js';

/** The espeak-ng variants whose pitch has been calibrated, and so may be chosen. */
export const espeakVariants = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4', 'f5'] as const;
export type EspeakVariant = (typeof espeakVariants)[number];

/** The variant given to voices measured below `femaleFromHz`. */
export const maleVariant: EspeakVariant = 'm3';
/** The variant given to voices measured at or above `femaleFromHz`. */
export const femaleVariant: EspeakVariant = 'f2';
/** Between typical adult male (85–155 Hz) and female (165–255 Hz) speaking pitch. */
export const femaleFromHz = 160;

export const pitchSettingRange = { minimum: 0, maximum: 99 } as const;
export const wordsPerMinuteRange = { minimum: 80, maximum: 450 } as const;

/** The default variant for a speaker of median pitch `pitchHz`. */
export function variantForPitch(pitchHz: number): EspeakVariant {
  return pitchHz < femaleFromHz ? maleVariant : femaleVariant;
}

/** espeak-ng's `-p` (0–99) at which `variant` speaks with a median pitch of `pitchHz`, clamped to what it can reach. */
export function pitchSettingFor(variant: EspeakVariant, pitchHz: number): number {
  const setting = interpolate(measuredPitchHz[variant] ?? [], calibratedPitchSettings, pitchHz);
  return clamp(Math.round(setting), pitchSettingRange.minimum, pitchSettingRange.maximum);
}

/** The median pitch in Hz with which `variant` speaks at `-p` `setting`. */
export function pitchAtSetting(variant: EspeakVariant, setting: number): number {
  return interpolate(calibratedPitchSettings, measuredPitchHz[variant] ?? [], setting);
}

/** espeak-ng's `-s` (words per minute) that speaks at `syllablesPerSecond`, clamped to 80–450. */
export function wordsPerMinuteFor(syllablesPerSecond: number): number {
  const setting = interpolate(measuredSyllablesPerSecond, calibratedSpeedSettings, syllablesPerSecond);
  return clampWordsPerMinute(setting);
}

export function clampWordsPerMinute(wordsPerMinute: number): number {
  return clamp(Math.round(wordsPerMinute), wordsPerMinuteRange.minimum, wordsPerMinuteRange.maximum);
}

export function clampPitchSetting(setting: number): number {
  return clamp(Math.round(setting), pitchSettingRange.minimum, pitchSettingRange.maximum);
}

/**
 * Piecewise-linear `y(x)` through the points `(xs[i], ys[i])`, with `xs` non-decreasing; held constant
 * beyond the ends. Where several points share an `x` (a flat stretch of a measured curve) the first wins.
 */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const count = Math.min(xs.length, ys.length);
  if (count === 0) return Number.NaN;
  if (x <= (xs[0] ?? 0)) return ys[0] ?? 0;
  for (let index = 1; index < count; index += 1) {
    const right = xs[index] ?? 0;
    if (x <= right) {
      const left = xs[index - 1] ?? 0;
      const leftValue = ys[index - 1] ?? 0;
      const rightValue = ys[index] ?? 0;
      return right === left ? leftValue : leftValue + ((rightValue - leftValue) * (x - left)) / (right - left);
    }
  }
  return ys[count - 1] ?? 0;
}

function clamp(value: number, minimum: number, maximum: number): number {
  return Math.min(maximum, Math.max(minimum, value));
}
