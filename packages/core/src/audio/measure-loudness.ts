import type { PcmAudio } from './pcm-wav.js';

/** What ITU-R BS.1770-4 says about a piece of audio. */
export interface LoudnessMeasurement {
  /** Integrated (gated) loudness in LUFS; `-Infinity` when no block passes the absolute gate (silence). */
  integrated: number;
  /** True peak (4× oversampled, BS.1770-4 Annex 2) in dBTP; `-Infinity` for digital silence. */
  truePeak: number;
  /** Largest sample value in dBFS. */
  samplePeak: number;
}

/**
 * Measures integrated loudness and true peak per ITU-R BS.1770-4 / EBU R 128: K-weighting (the
 * standard's two-stage filter, its coefficients derived for the audio's sample rate), mean square over
 * 400 ms blocks overlapping by 75 %, an absolute gate at -70 LUFS and a relative gate 10 LU below the
 * loudness of the blocks above it. Channels are weighted 1.0, surround channels of 5.1 audio 1.41 and
 * its LFE not at all. A mono file is one channel (not "dual mono"): a -23 dBFS sine in mono measures
 * -26 LUFS, the same sine on both channels of a stereo file -23 LUFS.
 */
export function measureLoudness(audio: PcmAudio): LoudnessMeasurement {
  return { integrated: integratedLoudness(blockPowers(audio)), ...peaks(audio) };
}

/** The weighted mean-square power of every 400 ms gating block (100 ms apart). */
export function blockPowers(audio: PcmAudio): Float64Array {
  const { channels, sampleRate, samples } = audio;
  const frames = Math.floor(samples.length / channels);
  const step = Math.round(sampleRate * 0.1);
  const blockSteps = 4;
  const stepCount = Math.floor(frames / step);
  // Sum of weighted squared K-filtered samples per 100 ms step; a block is four consecutive steps.
  const stepEnergy = new Float64Array(stepCount);
  const weights = channelWeights(channels);
  const filter = kWeighting(sampleRate);
  for (let channel = 0; channel < channels; channel += 1) {
    const weight = weights[channel]!;
    if (weight === 0) continue;
    // Direct form I: x → shelf → y → high pass → z, with two samples of history each.
    let [x1, x2, y1, y2, z1, z2] = [0, 0, 0, 0, 0, 0];
    const [shelf, highPass] = filter;
    for (let frame = 0; frame < stepCount * step; frame += 1) {
      const x = samples[frame * channels + channel]!;
      const y = shelf.b0 * x + shelf.b1 * x1 + shelf.b2 * x2 - shelf.a1 * y1 - shelf.a2 * y2;
      [x2, x1] = [x1, x];
      const z = highPass.b0 * y + highPass.b1 * y1 + highPass.b2 * y2 - highPass.a1 * z1 - highPass.a2 * z2;
      [y2, y1] = [y1, y];
      [z2, z1] = [z1, z];
      stepEnergy[Math.floor(frame / step)]! += weight * z * z;
    }
  }
  const blockCount = Math.max(0, stepCount - blockSteps + 1);
  const powers = new Float64Array(blockCount);
  for (let block = 0; block < blockCount; block += 1) {
    let energy = 0;
    for (let offset = 0; offset < blockSteps; offset += 1) energy += stepEnergy[block + offset]!;
    powers[block] = energy / (blockSteps * step);
  }
  return powers;
}

/** Gated loudness of block powers (one list, or several pooled: the lines of a chapter). */
export function integratedLoudness(...blockLists: Float64Array[]): number {
  const absoluteGate = powerOf(-70);
  let sum = 0;
  let count = 0;
  for (const blocks of blockLists) {
    for (const power of blocks) {
      if (power <= absoluteGate) continue;
      sum += power;
      count += 1;
    }
  }
  if (count === 0) return Number.NEGATIVE_INFINITY;
  const relativeGate = powerOf(loudnessOf(sum / count) - 10);
  let gatedSum = 0;
  let gatedCount = 0;
  for (const blocks of blockLists) {
    for (const power of blocks) {
      if (power <= absoluteGate || power <= relativeGate) continue;
      gatedSum += power;
      gatedCount += 1;
    }
  }
  return loudnessOf(gatedSum / gatedCount);
}

const loudnessOf = (power: number) => -0.691 + 10 * Math.log10(power);
const powerOf = (loudness: number) => 10 ** ((loudness + 0.691) / 10);

function channelWeights(channels: number): number[] {
  // 5.1 in the usual order L, R, C, LFE, Ls, Rs; anything else weighted 1.0 throughout.
  if (channels === 6) return [1, 1, 1, 0, 1.41, 1.41];
  return Array.from({ length: channels }, () => 1);
}

export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** The two K-weighting stages (high shelf, then high pass), derived for `sampleRate` as libebur128 does. */
export function kWeighting(sampleRate: number): [Biquad, Biquad] {
  let f0 = 1681.974450955533;
  const gain = 3.999843853973347;
  let q = 0.7071752369554196;
  let k = Math.tan((Math.PI * f0) / sampleRate);
  const vh = 10 ** (gain / 20);
  const vb = vh ** 0.4996667741545416;
  let a0 = 1 + k / q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  k = Math.tan((Math.PI * f0) / sampleRate);
  a0 = 1 + k / q + k * k;
  const highPass: Biquad = { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
  return [shelf, highPass];
}

// BS.1770-4 Annex 2: the 48-tap interpolator of a 4× oversampler, as four 12-tap phases. The last two
// phases are the first two reversed.
const phase0 = [0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625, 0.97216796875, -0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125];
const phase1 = [-0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.166503906250, 0.465087890625, 0.77978515625, -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375];
const interpolator = [phase0, phase1, [...phase1].reverse(), [...phase0].reverse()];

function peaks(audio: PcmAudio): { truePeak: number; samplePeak: number } {
  const { channels, samples } = audio;
  const frames = Math.floor(samples.length / channels);
  let samplePeak = 0;
  let truePeak = 0;
  const taps = phase0.length;
  for (let channel = 0; channel < channels; channel += 1) {
    for (let frame = 0; frame < frames; frame += 1) {
      const value = Math.abs(samples[frame * channels + channel]!);
      if (value > samplePeak) samplePeak = value;
      if (value > truePeak) truePeak = value;
      // Interpolated points only matter near loud samples: skip quiet stretches (a peak between samples
      // is never more than a few dB over its neighbours).
      if (value < truePeak * 0.25) continue;
      for (const phase of interpolator) {
        let sum = 0;
        for (let tap = 0; tap < taps; tap += 1) {
          const index = frame + 6 - tap;
          if (index >= 0 && index < frames) sum += phase[tap]! * samples[index * channels + channel]!;
        }
        if (Math.abs(sum) > truePeak) truePeak = Math.abs(sum);
      }
    }
  }
  return { truePeak: decibels(truePeak), samplePeak: decibels(samplePeak) };
}

const decibels = (value: number) => (value === 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(value));
