import { describe, expect, it } from 'vitest';
import { audioProblems, durationProblem } from './audio-problems.js';
import type { PcmAudio } from './pcm-wav.js';

const sampleRate = 16000;

/** A 1 s "utterance": a 200 Hz tone at `level` with 50 ms fades, then `tailMs` of silence. */
function utterance(options: { level?: number; tailMs?: number; cutAtEnd?: boolean } = {}): PcmAudio {
  const toneFrames = sampleRate;
  const samples = new Float32Array(toneFrames + Math.round(((options.tailMs ?? 200) * sampleRate) / 1000));
  const fade = sampleRate * 0.05;
  for (let frame = 0; frame < toneFrames; frame += 1) {
    const envelope = options.cutAtEnd ? Math.min(1, frame / fade) : Math.min(1, frame / fade, (toneFrames - frame) / fade);
    samples[frame] = (options.level ?? 0.3) * envelope * Math.sin((2 * Math.PI * 200 * frame) / sampleRate);
  }
  return { sampleRate, channels: 1, encoding: { float: false, bitsPerSample: 16 }, samples };
}

describe('audioProblems', () => {
  it('finds nothing wrong with a clean utterance that ends in silence', () => {
    expect(audioProblems(utterance())).toEqual([]);
  });

  it('flags silence', () => {
    expect(audioProblems(utterance({ level: 0.001 }))).toEqual(['silent: its loudest sample is -60.0 dBFS']);
  });

  it('flags clipping, saying where it starts', () => {
    const clipped = utterance({ level: 3 });
    for (let index = 0; index < clipped.samples.length; index += 1) clipped.samples[index] = Math.max(-1, Math.min(1, clipped.samples[index]!));
    expect(audioProblems(clipped)).toEqual([expect.stringMatching(/^clipped: \d+ runs of full-scale samples, the first at 0\.0\d s$/)]);
  });

  it('flags audio cut off mid-sound', () => {
    expect(audioProblems(utterance({ cutAtEnd: true, tailMs: 0 }))).toEqual([expect.stringMatching(/^ends abruptly: its last 20 ms are at -1\d\.\d dBFS, not silence/)]);
  });

  it('flags loudness off its target and a true peak over its limit', () => {
    const audio = utterance({ level: 0.95 });
    const problems = audioProblems(audio, { loudness: { target: -30, truePeak: -3 } });
    expect(problems).toEqual([expect.stringMatching(/^loudness -\d+\.\d LUFS, off its target of -30 LUFS by more than 1 LU$/), 'true peak -0.4 dBTP, over its limit of -3 dBTP']);
  });
});

describe('durationProblem', () => {
  it('accepts a duration within 2.5× of what the voice\'s rate predicts', () => {
    expect(durationProblem(2000, 30, 15, 'narrator')).toBeUndefined();
    expect(durationProblem(900, 30, 15, 'narrator')).toBeUndefined();
  });

  it('flags a line far shorter or longer than its text, and ignores very short lines', () => {
    expect(durationProblem(500, 60, 15, 'narrator')).toBe(
      'lasts 0.5 s, but 60 characters take narrator about 4.0 s (15.0 characters per second, its median): truncated or skipped text?',
    );
    expect(durationProblem(20_000, 60, 15, 'narrator')).toMatch(/garbled, repeated or padded\?$/);
    expect(durationProblem(5000, 3, 15, 'narrator')).toBeUndefined();
  });
});
