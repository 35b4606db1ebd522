import { describe, expect, it } from 'vitest';
import { joinWav } from './join-wav.js';
import { decodePcmWav, encodePcmWav, type PcmAudio } from './pcm-wav.js';

const sampleRate = 22050;

/** A mono 16-bit piece: `silenceBeforeMs` of silence, a 440 Hz tone cut off at `toneMs`, then `silenceAfterMs`. */
function piece(silenceBeforeMs: number, toneMs: number, silenceAfterMs: number, options: { sampleRate?: number; bits?: number } = {}): Uint8Array {
  const rate = options.sampleRate ?? sampleRate;
  const frames = (ms: number) => Math.round((ms * rate) / 1000);
  const samples = new Float32Array(frames(silenceBeforeMs) + frames(toneMs) + frames(silenceAfterMs));
  for (let index = 0; index < frames(toneMs); index += 1) samples[frames(silenceBeforeMs) + index] = 0.5 * Math.sin((2 * Math.PI * 440 * index) / rate + 1);
  const audio: PcmAudio = { sampleRate: rate, channels: 1, encoding: { float: false, bitsPerSample: options.bits ?? 16 }, samples };
  return encodePcmWav(audio);
}

/** The longest run of frames below `threshold` that contains `frame`. */
function silenceAround(samples: Float32Array, frame: number, threshold: number): number {
  if (Math.abs(samples[frame]!) >= threshold) return 0;
  let start = frame;
  let end = frame;
  while (start > 0 && Math.abs(samples[start - 1]!) < threshold) start -= 1;
  while (end < samples.length - 1 && Math.abs(samples[end + 1]!) < threshold) end += 1;
  return end - start + 1;
}

function largestStep(samples: Float32Array, from: number, to: number): number {
  let largest = 0;
  for (let index = Math.max(1, from); index < Math.min(samples.length, to); index += 1) largest = Math.max(largest, Math.abs(samples[index]! - samples[index - 1]!));
  return largest;
}

describe('joinWav', () => {
  it('trims long silences at the joins to at most the pause, keeping the pieces\' outer edges', () => {
    const pauseMs = 300;
    const { audio, joins } = joinWav([piece(100, 1000, 800), piece(600, 1000, 700), piece(400, 500, 200)], { pauseMs });
    expect(joins).toHaveLength(2);
    const threshold = 10 ** (-50 / 20);
    for (const join of joins) {
      const silentFrames = silenceAround(audio.samples, join, threshold);
      expect(silentFrames).toBeGreaterThan(0);
      expect((silentFrames * 1000) / sampleRate).toBeLessThanOrEqual(pauseMs + 1);
    }
    // The first piece's leading and the last piece's trailing silence are not joins: kept as they are.
    expect(silenceAround(audio.samples, 0, threshold)).toBe(Math.round(0.1 * sampleRate));
    expect(silenceAround(audio.samples, audio.samples.length - 1, threshold)).toBe(Math.round(0.2 * sampleRate));
  });

  it('keeps a short natural pause as it is', () => {
    const { audio, joins } = joinWav([piece(0, 500, 50), piece(50, 500, 0)], { pauseMs: 300 });
    expect(silenceAround(audio.samples, joins[0]!, 10 ** (-50 / 20))).toBe(2 * Math.round(0.05 * sampleRate));
  });

  it('fades pieces cut in the middle of a sound, so no join jumps more than the sound itself does', () => {
    const pieces = [piece(0, 503, 0), piece(0, 497, 0), piece(0, 511, 0)];
    const own = Math.max(...pieces.map((bytes) => largestStep(decodePcmWav(bytes).samples, 0, Number.POSITIVE_INFINITY)));
    const { audio, joins } = joinWav(pieces);
    for (const join of joins) {
      // Without the fade the cut at 503 ms jumps by ~0.6; with it, no step beyond the tone's own.
      expect(largestStep(audio.samples, join - 200, join + 200)).toBeLessThanOrEqual(own + 1e-3);
    }
  });

  it('keeps the pieces\' sample format', () => {
    const { wav } = joinWav([piece(0, 200, 0, { bits: 24 }), piece(0, 200, 0, { bits: 24 })]);
    const decoded = decodePcmWav(wav);
    expect(decoded.encoding).toEqual({ float: false, bitsPerSample: 24 });
    expect(decoded.sampleRate).toBe(sampleRate);
  });

  it('refuses pieces in different formats, saying which', () => {
    expect(() => joinWav([piece(0, 200, 0), piece(0, 200, 0, { sampleRate: 24000 })])).toThrow(
      /piece 2 is 24000 Hz, 1 channel, 16-bit PCM but piece 1 is 22050 Hz, 1 channel, 16-bit PCM/,
    );
  });
});
