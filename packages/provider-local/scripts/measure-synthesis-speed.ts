/**
 * Measures the wall time of one line: the provider's `doSynthesize` (espeak-ng's module compiled once
 * per process) against espeak-ng loaded the way its package does by default (reading and compiling the
 * 18 MB module on every call). Each mode runs in its own process, so that neither warms the other:
 *
 *   node --conditions=source --import tsx packages/provider-local/scripts/measure-synthesis-speed.ts provider
 *   node --conditions=source --import tsx packages/provider-local/scripts/measure-synthesis-speed.ts shipped
 *
 * RUNS (default 20) sets the number of calls.
 */
import ESpeakNg from 'espeak-ng';
import { createLocalProvider } from '../src/local-provider.js';

const text = 'The keeper watched the boat until it was only a speck on the horizon.';
const runs = Number(process.env['RUNS'] ?? 20);

async function measure(call: () => Promise<unknown>): Promise<string> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  const [first, ...rest] = times;
  const sorted = [...rest].sort((left, right) => left - right);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `first ${first?.toFixed(0)} ms, then median ${median.toFixed(0)} ms (min ${sorted[0]?.toFixed(0)}, max ${sorted.at(-1)?.toFixed(0)}) over ${runs - 1} calls`;
}

const mode = process.argv[2];
if (mode === 'provider') {
  const provider = createLocalProvider();
  const context = { signal: new AbortController().signal, recordTask: async () => {}, reportStatus: () => {} };
  const request = {
    text,
    voice: {
      name: 'narrator',
      fingerprint: '',
      options: {},
      sample: { source: 'file' as const, location: '', read: async () => new Uint8Array() },
      data: { pitchHz: 105, syllablesPerSecond: 4.69, espeak: { voice: 'en-us', variant: 'm3', pitch: 50, wordsPerMinute: 175 } },
    },
    options: {},
    format: 'wav' as const,
  };
  console.log(`doSynthesize: ${await measure(() => provider.doSynthesize(request, context))}`);
} else if (mode === 'shipped') {
  const result = await measure(async () => {
    const instance = await ESpeakNg({
      arguments: ['-v', 'en-us+m3', '-p', '50', '-s', '175', '-w', '/output.wav', text],
      print() {},
      printErr() {},
    });
    return instance.FS.readFile('/output.wav');
  });
  console.log(`espeak-ng as shipped: ${result}`);
} else {
  console.error('usage: measure-synthesis-speed.ts provider|shipped');
  process.exitCode = 1;
}
