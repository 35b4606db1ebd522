import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLockfile, type Lockfile } from '@voxform/core';
import type { EmulatorProcess } from './voxform-process.js';

// Shared by the crash harness (test/crash) and the fault matrix (test/faults).

/**
 * `ci` (the default, what `npm test` runs): a small seeded sample. `full`: everything, as
 * `node scripts/reliability.mjs` runs it.
 */
export const reliabilityMode: 'ci' | 'full' = process.env.VOXFORM_RELIABILITY === 'full' ? 'full' : 'ci';

/**
 * The seed of a run: from `variable` when set (to repeat a run), else a fixed one in CI (so CI repeats
 * itself) and a fresh one in a full run. Printed, so any run can be repeated.
 */
export function runSeed(variable: string, ciSeed: number): number {
  const given = process.env[variable];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`${variable} must be a whole number >= 0, got '${given}'`);
    return seed;
  }
  return reliabilityMode === 'full' ? Math.floor(Math.random() * 2 ** 31) : ciSeed;
}

/** The emulator's seeded generator (mulberry32): the same seed gives the same kill points and samples. */
export { seededRandom } from '@voxform/emulator';

/** Appends one record to the report file scripts/reliability.mjs reads (`VOXFORM_RELIABILITY_REPORT`), if any. */
export async function report(record: Record<string, unknown>): Promise<void> {
  const file = process.env.VOXFORM_RELIABILITY_REPORT;
  if (file) await appendFile(file, `${JSON.stringify(record)}\n`);
}

/** The environment an apply against this emulator needs: each vendor's key. */
export function vendorKeys(emulator: EmulatorProcess): Record<string, string> {
  return {
    MINIMAX_API_KEY: emulator.keys.minimax,
    VIDU_API_KEY: emulator.keys.vidu,
    SOUNDCLONE_API_KEY: emulator.keys.soundclone,
    AIVOICECLONEFREE_API_KEY: emulator.keys.aivoiceclonefree,
    KLING_API_KEY: emulator.keys.kling.apiKey,
  };
}

export interface CallEntry {
  vendor: string;
  method: string;
  path: string;
  status: number;
  fault?: string;
  billable?: { kind: string; key: string };
}
export interface Duplicate {
  vendor: string;
  kind: string;
  key: string;
  count: number;
}

/** The emulator's control API (`/__emulator`), over HTTP. */
export function emulatorControl(url: string) {
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${url}${route}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`emulator ${method} ${route}: HTTP ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as unknown);
  };
  return {
    setFaults: (vendor: string, settings: Record<string, unknown>) => call('PUT', `/__emulator/faults/${vendor}`, settings),
    clearFaults: () => call('DELETE', '/__emulator/faults'),
    advanceClock: (advanceMs: number) => call('POST', '/__emulator/clock', { advanceMs }),
    reset: () => call('POST', '/__emulator/reset'),
    calls: async () => (await call('GET', '/__emulator/calls')) as { calls: CallEntry[]; duplicates: Duplicate[] },
  };
}

export type Snapshot = Map<string, { file: string; sha256: string }>;

/** What a lockfile says was finished: every render and voice preview, with its file and hash. */
export function finishedWork(lockfile: Lockfile): Snapshot {
  const snapshot: Snapshot = new Map();
  for (const [address, render] of Object.entries(lockfile.renders)) snapshot.set(address, { file: render.file, sha256: render.sha256 });
  for (const [name, voice] of Object.entries(lockfile.voices)) {
    if (voice.preview) snapshot.set(`voice.${name}.preview`, { file: voice.preview.file, sha256: voice.preview.sha256 });
  }
  return snapshot;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Reads `voices.lock` with core's parser (syntax and schema) and checks every file it records against
 * its hash. Returns the lockfile, or the problems: a damaged lockfile, a recorded file missing or changed.
 */
export async function inspectProject(dir: string): Promise<{ lockfile?: Lockfile; problems: string[] }> {
  const text = await readFile(path.join(dir, 'voices.lock'), 'utf8').catch(() => undefined);
  let lockfile: Lockfile;
  try {
    lockfile = parseLockfile(text, 'voices.lock');
  } catch (error) {
    return { problems: [`voices.lock does not parse or validate: ${(error as Error).message}`] };
  }
  const problems: string[] = [];
  for (const [address, { file, sha256: expected }] of finishedWork(lockfile)) {
    const bytes = await readFile(path.join(dir, file)).catch(() => undefined);
    if (!bytes) problems.push(`${address}: ${file} is recorded but missing`);
    else if (sha256(bytes) !== expected) problems.push(`${address}: ${file} does not match its recorded sha256`);
  }
  return { lockfile, problems };
}

/** Work finished earlier (`before`) that a lockfile no longer records with the same audio. */
export function lostWork(before: Snapshot, lockfile: Lockfile | undefined): string[] {
  if (!lockfile) return [...before.keys()];
  const now = finishedWork(lockfile);
  return [...before].filter(([address, entry]) => now.get(address)?.sha256 !== entry.sha256).map(([address]) => address);
}

export interface ProjectLines {
  /** Line address → its text. */
  lines: Record<string, string>;
  /** Voice name → its sample URL or path. */
  voices: Record<string, string>;
}

/**
 * The address a billing key of the emulator's call log is for: synthesis keys hold the line's text,
 * clone keys the voice id voxform chose (`vx-<name>-<hash>`) or the sample's URL.
 */
export function addressOfBillingKey(key: string, project: ProjectLines): string | undefined {
  for (const [address, text] of Object.entries(project.lines)) if (key.endsWith(`\n${text}`)) return address;
  const voiceId = /\bvx-([a-z0-9-]+?)-[0-9a-f]{12}\b/.exec(key);
  if (voiceId && project.voices[voiceId[1]!] !== undefined) return `voice.${voiceId[1]}`;
  for (const [name, sample] of Object.entries(project.voices)) if (key.startsWith(`${sample}\n`) || key === sample) return `voice.${name}`;
  return undefined;
}

/** `  ✗ <address> (<provider>): <message>` lines of an apply's summary. */
export function failureLines(output: string): Array<{ address: string; provider: string; message: string }> {
  const failures: Array<{ address: string; provider: string; message: string }> = [];
  for (const line of output.split('\n')) {
    const match = /^\s+✗ (\S+) \(([a-z]+)\): (.*)$/.exec(line);
    if (match) failures.push({ address: match[1]!, provider: match[2]!, message: match[3]! });
  }
  return failures;
}

/**
 * What an apply's messages tell the user to run next: the first `voxform apply …` command each failure
 * offers, merged. `replace` is work that may have been billed already: following that advice may pay
 * again, which only the user may decide.
 */
export function adviceOf(output: string): { replace: string[]; refresh: boolean; applyAgain: boolean } {
  const advice = { replace: [] as string[], refresh: false, applyAgain: false };
  const messages = output.split('\n').filter((line) => /^\s+✗ |^Error: /.test(line));
  for (const message of messages) {
    const command = /`voxform apply( [^`]*)?`/.exec(message);
    if (!command) continue;
    const args = (command[1] ?? '').trim().split(/\s+/).filter(Boolean);
    if (args.length === 0) advice.applyAgain = true;
    if (args.includes('--refresh')) advice.refresh = true;
    const replace = args.indexOf('--replace');
    if (replace >= 0 && args[replace + 1] && !advice.replace.includes(args[replace + 1]!)) advice.replace.push(args[replace + 1]!);
  }
  return advice;
}
