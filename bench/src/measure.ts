import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI as users run it once installed (the package's bin): the bundle, not the sources through tsx. */
export const cliBin = path.join(root, 'packages/cli/bundle/voxform.mjs');
const usageHook = fileURLToPath(new URL('./usage-hook.mjs', import.meta.url));

export interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  /** Spawn to exit, as a user waits. */
  wallMs: number;
  /** Peak resident set size of the process. */
  maxRssKb: number;
  /** User + system CPU time of the process. */
  cpuMs: number;
  /** The two parts of cpuMs: in the process itself, and in the kernel on its behalf (file writes, fsync, sockets). */
  userMs: number;
  systemMs: number;
}

/** Runs `node <args>` with the usage hook preloaded, and measures it. */
export async function measureNode(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Measured> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'voxform-bench-usage-'));
  const usageFile = path.join(scratch, 'usage.json');
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', usageHook, ...args], {
        cwd: options.cwd ?? root,
        env: { ...process.env, NO_COLOR: '1', ...options.env, VOXFORM_BENCH_USAGE: usageFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk));
      child.on('error', reject);
      // A baseline that would take all day is stopped; the caller reports it as "more than timeoutMs".
      if (options.timeoutMs) setTimeout(() => child.kill('SIGKILL'), options.timeoutMs).unref();
      child.on('close', (exitCode) => resolve({ code: exitCode ?? 1, stdout: out, stderr: err }));
    });
    const wallMs = performance.now() - started;
    const usage = existsSync(usageFile) ? (JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKb: number; cpuMs: number; userMs: number; systemMs: number }) : { maxRssKb: Number.NaN, cpuMs: Number.NaN, userMs: Number.NaN, systemMs: Number.NaN };
    return { code, stdout, stderr, wallMs, ...usage };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `voxform <args>` from the built CLI; fails loudly when it does. */
export async function measureVoxform(args: string[], options: { cwd?: string; env?: Record<string, string>; allowExit?: number[] } = {}): Promise<Measured> {
  const measured = await measureNode([cliBin, ...args], options);
  if (measured.code !== 0 && !(options.allowExit ?? []).includes(measured.code)) {
    throw new Error(`voxform ${args.join(' ')} exited ${measured.code}:\n${measured.stderr}${measured.stdout}`);
  }
  return measured;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: values.length };
}

/** Runs `measure` `runs` times, one after the other. */
export async function repeat<T>(runs: number, measure: (run: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < runs; run++) results.push(await measure(run));
  return results;
}
