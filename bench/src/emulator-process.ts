import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cliBin, root } from './measure.js';

export interface EmulatorProcess {
  url: string;
  keys: { minimax: string };
  setFaults(vendor: string, faults: object): Promise<void>;
  calls(): Promise<{ calls: Array<{ vendor: string; path: string; status: number; fault?: string; billable?: { kind: string; key: string } }>; duplicates: unknown[] }>;
  stop(): Promise<void>;
}

/** `voxform emulator` in its own process (so its CPU is not the engine's), on a free port, cheap tone audio. */
export async function startEmulator(): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--max-old-space-size=8192', cliBin, 'emulator', '--port', '0', '--audio', 'tone', '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code} before it listened`)));
  });
  const { url, keys } = JSON.parse(first) as { url: string; keys: { minimax: string } };
  const control = async (method: string, path: string, body?: object) => {
    const response = await fetch(`${url}${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  return {
    url,
    keys,
    setFaults: async (vendor, faults) => void (await control('PUT', `/__emulator/faults/${vendor}`, faults)),
    calls: async () => (await (await control('GET', '/__emulator/calls')).json()) as Awaited<ReturnType<EmulatorProcess['calls']>>,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
