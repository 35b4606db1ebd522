/// <reference path="./espeak-ng.d.ts" />
// espeak-ng ships no types: the reference lets every program that reaches this file see ours, including
// the test typecheck, which includes this file but not the rest of src.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ESpeakNg from 'espeak-ng';
import { LocalProviderError } from './local-provider-error.js';

/** Settings of one espeak-ng run, in espeak-ng's own units. */
export interface EspeakRun {
  /** Text to speak. Written to a file in espeak-ng's in-memory file system, never passed as an argument. */
  text: string;
  /** espeak-ng voice (`en-us`). */
  voice: string;
  /** espeak-ng variant (`m3`, `f2`); empty for the voice's own. */
  variant: string;
  /** `-p`: base pitch, 0–99 (espeak-ng's default is 50). */
  pitch: number;
  /** `-s`: speed in words per minute, 80–450 (espeak-ng's default is 175). */
  wordsPerMinute: number;
}

const inputPath = '/voxform-input.txt';
const outputPath = '/voxform-output.wav';

let compiledModule: Promise<WebAssembly.Module> | undefined;

/**
 * Compiling the 18 MB module is most of the cost of a run, so it is compiled once per process, on first
 * use, and every run instantiates it afresh: a fresh instance has fresh memory, so runs cannot leak state
 * into each other and the same run always gives the same bytes.
 */
function compileEspeak(): Promise<WebAssembly.Module> {
  compiledModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = join(dirname(require.resolve('espeak-ng')), 'espeak-ng.wasm');
    return WebAssembly.compile(await readFile(wasmPath));
  })().catch((error: unknown) => {
    compiledModule = undefined;
    throw error;
  });
  return compiledModule;
}

/** The espeak-ng command-line arguments for a run (the text itself is read from a file). */
export function espeakArguments(run: EspeakRun): string[] {
  return [
    '-v',
    run.variant ? `${run.voice}+${run.variant}` : run.voice,
    '-p',
    String(run.pitch),
    '-s',
    String(run.wordsPerMinute),
    // UTF-8 input, whatever the environment's locale says.
    '-b',
    '1',
    '-w',
    outputPath,
    '-f',
    inputPath,
  ];
}

/**
 * Runs espeak-ng (WebAssembly, in process) and returns the WAV file it wrote: mono 16-bit PCM at
 * 22,050 Hz. The run itself is synchronous (about 0.1–0.2 s of CPU); `signal` is checked before it.
 */
export async function runEspeak(run: EspeakRun, signal?: AbortSignal): Promise<Uint8Array> {
  const module = await compileEspeak();
  signal?.throwIfAborted();
  const messages: string[] = [];
  let exitStatus = 0;
  let instance;
  const stackTraceLimit = Error.stackTraceLimit;
  const restoreStackTraces = () => {
    Error.stackTraceLimit = stackTraceLimit;
  };
  try {
    instance = await ESpeakNg({
      arguments: espeakArguments(run),
      print() {},
      printErr(text) {
        // Emscripten's own note on every exit() says nothing about what espeak-ng did.
        if (!text.startsWith('program exited')) messages.push(text);
      },
      // Emscripten's default sets `process.exitCode` of the whole Node process on a non-zero exit.
      quit(status, toThrow) {
        exitStatus = status;
        throw toThrow;
      },
      preRun: [
        (espeak) => {
          espeak.FS.writeFile(inputPath, run.text);
          // Emscripten's file system signals every existing directory and missing file with an error
          // that records a stack trace: thousands per run, which took half of its time. From here to
          // postRun everything is synchronous espeak-ng code, so no other code sees the limit.
          Error.stackTraceLimit = 0;
        },
      ],
      postRun: [restoreStackTraces],
      // Synchronous instantiation keeps any failure inside the factory's promise.
      instantiateWasm(imports, receiveInstance) {
        const wasmInstance = new WebAssembly.Instance(module, withFixedClock(imports));
        receiveInstance(wasmInstance, module);
        return wasmInstance.exports;
      },
    });
  } catch (error) {
    throw new LocalProviderError({
      code: 'synthesis-failed',
      message: `espeak-ng failed: ${error instanceof Error ? error.message : String(error)}${formatMessages(messages)}`,
      cause: error,
    });
  } finally {
    restoreStackTraces();
  }
  if (exitStatus !== 0) {
    throw new LocalProviderError({
      code: 'synthesis-failed',
      message: `espeak-ng exited with status ${exitStatus} for arguments ${espeakArguments(run).join(' ')}${formatMessages(messages)}`,
    });
  }
  try {
    return instance.FS.readFile(outputPath);
  } catch (error) {
    throw new LocalProviderError({
      code: 'synthesis-failed',
      message: `espeak-ng wrote no audio for voice "${run.voice}"${run.variant ? ` variant "${run.variant}"` : ''}${formatMessages(messages)}`,
      cause: error,
    });
  }
}

/**
 * espeak-ng's audio depends on the wall clock (a time-seeded random source): the same run gave other
 * bytes a second later. A wall clock fixed at the epoch makes every run reproducible.
 */
function withFixedClock(imports: WebAssembly.Imports): WebAssembly.Imports {
  const fixed: WebAssembly.Imports = {};
  for (const [name, functions] of Object.entries(imports)) {
    fixed[name] = { ...functions, emscripten_date_now: () => 0 };
  }
  return fixed;
}

function formatMessages(messages: string[]): string {
  return messages.length > 0 ? `: ${messages.join(' ')}` : '';
}
