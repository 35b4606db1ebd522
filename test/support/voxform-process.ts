import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// The CLI as users run it: a separate process, from source.
export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'packages/cli/src/bin.ts');
// The same CLI with the adapters' waits shortened (see voxform-quick.ts).
const quickBin = path.join(root, 'test/support/voxform-quick.ts');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface VoxformOptions {
  env?: Record<string, string>;
  /** Run the CLI with short polls, retries and timeouts (test/support/voxform-quick.ts). */
  quick?: boolean;
}

/** Starts `voxform <args>`; the caller may kill it. */
export function startVoxform(args: string[], options: VoxformOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', options.quick ? quickBin : bin, '--no-color', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `voxform -C <dir> <args>` to the end. */
export function voxform(dir: string, args: string[], options: VoxformOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = startVoxform(['-C', dir, ...args], options);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

export interface EmulatorProcess {
  url: string;
  keys: { minimax: string; vidu: string; soundclone: string; aivoiceclonefree: string; kling: { apiKey: string; accessKey: string; secretKey: string } };
  stop(): void;
}

/** `voxform emulator --port 0 --json`: a real server on a free port, as a user starts it. */
export async function startEmulatorProcess(extraArgs: string[] = []): Promise<EmulatorProcess> {
  const child = startVoxform(['emulator', '--port', '0', '--audio', 'tone', '--json', ...extraArgs]);
  child.stderr!.on('data', (chunk) => process.stderr.write(chunk));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`voxform emulator exited with ${code}`)));
  });
  const started = JSON.parse(first) as Omit<EmulatorProcess, 'stop'>;
  return { ...started, stop: () => child.kill('SIGINT') };
}
