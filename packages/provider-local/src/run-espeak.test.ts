import { describe, expect, it } from 'vitest';
import { LocalProviderError } from './local-provider-error.js';
import { espeakArguments, runEspeak, type EspeakRun } from './run-espeak.js';

const run: EspeakRun = { text: '-v xx --help', voice: 'en-us', variant: 'f2', pitch: 40, wordsPerMinute: 200 };

describe('runEspeak', () => {
  it('passes the settings as arguments and the text only through a file', () => {
    const argumentsList = espeakArguments(run);
    expect(argumentsList.slice(0, 6)).toEqual(['-v', 'en-us+f2', '-p', '40', '-s', '200']);
    expect(argumentsList.slice(-2)).toEqual(['-f', '/voxform-input.txt']);
    expect(argumentsList.join(' ')).not.toContain('--help');
  });

  it('gives the same bytes for the same run, even seconds apart', async () => {
    const first = await runEspeak(run);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(Buffer.from(await runEspeak(run)).equals(Buffer.from(first))).toBe(true);
  });

  it('reports an unknown voice without touching the process exit code or stack traces', async () => {
    const exitCode = process.exitCode;
    const stackTraceLimit = Error.stackTraceLimit;
    const error = await runEspeak({ ...run, voice: 'xx-nowhere' }).catch((caught: unknown) => caught);
    expect(LocalProviderError.isInstance(error)).toBe(true);
    expect((error as LocalProviderError).code).toBe('synthesis-failed');
    expect((error as LocalProviderError).message).toContain('exited with status 1');
    expect((error as LocalProviderError).message).toContain('The specified espeak-ng voice does not exist');
    expect((error as LocalProviderError).message).not.toContain('keepRuntimeAlive');
    expect(process.exitCode).toBe(exitCode);
    expect(Error.stackTraceLimit).toBe(stackTraceLimit);
  });

  it('checks the signal before running', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(runEspeak(run, controller.signal)).rejects.toThrow('cancelled');
  });
});
