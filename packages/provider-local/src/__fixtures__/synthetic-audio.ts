import type { MonoAudio } from '../decode-wav.js';

/** A vowel-like tone: `harmonics` partials of `frequency` falling off as 1/n, at `amplitude` peak-ish. */
export function harmonicTone({
  frequency,
  seconds,
  sampleRate = 16_000,
  harmonics = 12,
  amplitude = 0.3,
}: {
  frequency: number;
  seconds: number;
  sampleRate?: number;
  harmonics?: number;
  amplitude?: number;
}): MonoAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let index = 0; index < samples.length; index += 1) {
    let value = 0;
    for (let harmonic = 1; harmonic <= harmonics && harmonic * frequency < sampleRate / 2; harmonic += 1) {
      value += Math.sin((2 * Math.PI * frequency * harmonic * index) / sampleRate) / harmonic;
    }
    samples[index] = amplitude * value;
  }
  return { sampleRate, samples };
}

/**
 * Syllable-like bursts: `syllablesPerSecond` raised-cosine bursts of a harmonic tone (each taking 70% of
 * its slot, the rest near-silent), in phrases of `perPhrase` syllables separated by `pauseSeconds` of silence.
 */
export function syllableTrain({
  syllablesPerSecond,
  phrases,
  perPhrase,
  pauseSeconds = 0.5,
  frequency = 140,
  sampleRate = 16_000,
}: {
  syllablesPerSecond: number;
  phrases: number;
  perPhrase: number;
  pauseSeconds?: number;
  frequency?: number;
  sampleRate?: number;
}): MonoAudio {
  const slot = 1 / syllablesPerSecond;
  const phraseSeconds = perPhrase * slot;
  const seconds = phrases * phraseSeconds + (phrases + 1) * pauseSeconds;
  const tone = harmonicTone({ frequency, seconds, sampleRate, amplitude: 0.4 });
  const samples = new Float32Array(tone.samples.length);
  for (let phrase = 0; phrase < phrases; phrase += 1) {
    const phraseStart = pauseSeconds + phrase * (phraseSeconds + pauseSeconds);
    for (let syllable = 0; syllable < perPhrase; syllable += 1) {
      const start = Math.round((phraseStart + syllable * slot) * sampleRate);
      const length = Math.round(0.7 * slot * sampleRate);
      for (let offset = 0; offset < length; offset += 1) {
        const envelope = 0.5 - 0.5 * Math.cos((2 * Math.PI * offset) / length);
        samples[start + offset] = (tone.samples[start + offset] ?? 0) * envelope;
      }
    }
  }
  return { sampleRate, samples };
}

/** Deterministic white noise in [-amplitude, amplitude]. */
export function whiteNoise({
  seconds,
  sampleRate = 16_000,
  amplitude = 0.3,
}: {
  seconds: number;
  sampleRate?: number;
  amplitude?: number;
}): MonoAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  let state = 0x2545f491;
  for (let index = 0; index < samples.length; index += 1) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    samples[index] = ((state >>> 0) / 0xffffffff) * 2 * amplitude - amplitude;
  }
  return { sampleRate, samples };
}
