/**
 * Writes the reference samples of examples/audiobook: two short WAV files (mono, 16 kHz, 16-bit) spoken
 * by espeak-ng at clearly different pitches, so that the local provider measures two different voices.
 * The output is the same on every run.
 *
 *   node --conditions=source --import tsx packages/provider-local/scripts/make-example-samples.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import wavefile from 'wavefile';
import { decodeWav } from '../src/decode-wav.js';
import { measureVoice } from '../src/measure-voice.js';
import { runEspeak, type EspeakRun } from '../src/run-espeak.js';

const samplesDirectory = new URL('../../../examples/audiobook/samples/', import.meta.url);
const sampleRate = 16_000;

const samples: Array<{ file: string; run: EspeakRun }> = [
  {
    file: 'narrator.wav',
    run: {
      text: 'The lighthouse stood alone at the edge of the cliff, and every night its keeper climbed the stairs to light the lamp.',
      voice: 'en-us',
      variant: 'm3',
      pitch: 20,
      wordsPerMinute: 140,
    },
  },
  {
    file: 'villain.wav',
    run: {
      text: 'So you finally found me, keeper. Too late, my friend! Tonight the lamp goes dark, the ships go astray, and nobody will ever know who did it.',
      voice: 'en-us',
      variant: 'f5',
      pitch: 75,
      wordsPerMinute: 240,
    },
  },
];

await mkdir(samplesDirectory, { recursive: true });
for (const { file, run } of samples) {
  const wave = new wavefile.WaveFile();
  wave.fromBuffer(await runEspeak(run));
  wave.toSampleRate(sampleRate);
  const bytes = wave.toBuffer();
  const path = fileURLToPath(new URL(file, samplesDirectory));
  await writeFile(path, bytes);
  const audio = decodeWav(bytes, path);
  const measurement = measureVoice(audio, path);
  console.log(
    `${path}: ${(audio.samples.length / audio.sampleRate).toFixed(2)} s, ${bytes.length} bytes, ` +
      `measured ${measurement.pitchHz.toFixed(1)} Hz, ${measurement.syllablesPerSecond.toFixed(2)} syllables/s`,
  );
}
