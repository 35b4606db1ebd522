import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  addressOfBillingKey,
  emulatorControl,
  adviceOf,
  failureLines,
  finishedWork,
  inspectProject,
  lostWork,
  reliabilityMode,
  report,
  runSeed,
  seededRandom,
  vendorKeys,
  type ProjectLines,
  type Snapshot,
} from '../support/reliability.js';
import { root, startEmulatorProcess, voxform, type EmulatorProcess, type Run } from '../support/voxform-process.js';

/*
 * Issue 9, item 2: for each vendor and each fault the emulator can inject, `voxform apply` either
 * completes, or exits 1 with a message naming the line, the vendor and what to do, and loses nothing
 * that had finished; a later apply without the fault, following the advice it was given, completes
 * without any billable work paid twice that the user did not ask to pay again.
 *
 * Each cell: apply part of a small project cleanly (a voice and a line), then the rest under the fault
 * (a second voice and three lines), then again without it. CI runs one vendor per fault, chosen by the
 * seed; `VOXFORM_RELIABILITY=full` (scripts/reliability.mjs) runs every cell.
 */

const exec = promisify(execFile);
const vendors = ['minimax', 'vidu', 'soundclone', 'aivoiceclonefree', 'kling'] as const;
type Vendor = (typeof vendors)[number];
const day = 24 * 3_600_000;

interface Project extends ProjectLines {
  dir: string;
  vendor: Vendor;
  /** What the clean first apply does: one voice and, where the vendor speaks, its first line. */
  firstTarget: string[];
}

interface Fault {
  id: string;
  /** What the emulator is told for the faulty apply. */
  settings?: Record<string, unknown>;
  /** Before the clean first apply (a mount). Returns why the cell cannot run here, if it cannot. */
  prepare?: (project: Project) => Promise<string | undefined>;
  /** Between the clean first apply and the faulty one. */
  inject?: (project: Project, control: ReturnType<typeof emulatorControl>) => Promise<string | undefined>;
  /** After the faulty apply: the fault goes away. */
  remove?: (project: Project) => Promise<void>;
  /** Always, at the end. */
  cleanup?: (project: Project) => Promise<void>;
  /** Environment of the faulty apply (to give up sooner on a silent vendor or a stuck task). */
  applyEnv?: Record<string, string>;
}

const faults: Fault[] = [
  // The vendor does the work but its answer comes too late: given up on after 3 s (30 s otherwise).
  { id: 'timeout', settings: { stallRate: 0.3 }, applyEnv: { VOXFORM_QUICK_REQUEST_TIMEOUT_MS: '3000' } },
  { id: 'connection-drop', settings: { dropRate: 0.3 } },
  { id: '5xx-burst', settings: { errorBurst: { count: 3, status: 503 } } },
  { id: '429-with-retry-after', settings: { rateLimitBurst: { count: 4, retryAfterSeconds: 1 } } },
  { id: '429-without-retry-after', settings: { rateLimitBurst: { count: 4 } } },
  { id: 'malformed-json', settings: { malformedJsonRate: 0.3 } },
  // Tasks never finish: waited for 3 s (30 s otherwise, 10–30 min in production).
  { id: 'stuck-tasks', settings: { stuckTasks: true }, applyEnv: { VOXFORM_QUICK_TASK_TIMEOUT_MS: '3000' } },
  { id: 'voices-vanish', settings: { voicesVanish: true } },
  {
    id: 'voices-expire',
    // Eight days pass at the vendor between two applies: voices unused for 168 h (or 3 days) are gone.
    inject: async (_project, control) => {
      await control.advanceClock(8 * day);
      return undefined;
    },
  },
  { id: 'download-cut-short', settings: { truncateDownloadsAt: 2_000 } },
  {
    id: 'disk-full',
    // The output directory is a small tmpfs, filled to the last byte after the first apply.
    prepare: async (project) => {
      const out = path.join(project.dir, 'out');
      await mkdir(out, { recursive: true });
      try {
        await exec('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', out]);
      } catch (error) {
        return `cannot mount a tmpfs here (${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}); run as root to test a full disk`;
      }
      return undefined;
    },
    inject: async (project) => {
      await fillDisk(path.join(project.dir, 'out', '.filler'));
      return undefined;
    },
    remove: async (project) => {
      await rm(path.join(project.dir, 'out', '.filler'), { force: true });
    },
    cleanup: async (project) => {
      await exec('umount', [path.join(project.dir, 'out')]).catch(() => {});
    },
  },
  {
    id: 'read-only-lockfile',
    // chattr +i refuses every write, even root's and even a rename over the file (chmod stops neither).
    inject: async (project) => {
      try {
        await exec('chattr', ['+i', path.join(project.dir, 'voices.lock')]);
      } catch (error) {
        return `cannot make a file immutable here (chattr +i: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}); run as root on ext4 or similar`;
      }
      return undefined;
    },
    remove: async (project) => {
      await exec('chattr', ['-i', path.join(project.dir, 'voices.lock')]).catch(() => {});
    },
    cleanup: async (project) => {
      await exec('chattr', ['-i', path.join(project.dir, 'voices.lock')]).catch(() => {});
    },
  },
];

/** Fills the file system holding `file` until it refuses another byte. */
async function fillDisk(file: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 14, 1 << 10, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) await handle.write(chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    await handle.close().catch(() => {});
  }
}

const lineTexts = ['The tide is turning, and the boats are coming home.', 'Keep the lamp lit until the last one is in.', 'I can see the harbour lights from here.', 'Then we are almost there. Hold on.'];
/** Who speaks each line: voice a twice, b and c once. */
const speakers = ['a', 'a', 'b', 'c'];

/**
 * Three voices at `vendor` (Kling, which cannot speak text: voices only). The clean first apply creates
 * a and b and renders a's first line; under the fault, a speaks again (a used voice), b speaks for the
 * first time (an unused one, which can expire), and c is created and speaks.
 */
async function createProject(vendor: Vendor, emulatorUrl: string): Promise<Project> {
  const dir = await mkdtemp(path.join(tmpdir(), `voxform-fault-${vendor}-`));
  const sampleUrl = (name: string) => `${emulatorUrl}/files/samples/${vendor}-${name}.mp3`;
  const voices: Record<string, string> = { a: sampleUrl('a'), b: sampleUrl('b'), c: sampleUrl('c') };
  if (vendor === 'aivoiceclonefree') {
    // One sample uploaded from a file, the others given by URL: both ways this vendor takes samples.
    await mkdir(path.join(dir, 'samples'));
    await copyFile(path.join(root, 'examples/multi-vendor/samples/caller.wav'), path.join(dir, 'samples/a.wav'));
    voices.a = 'samples/a.wav';
  }
  const speaks = vendor !== 'kling';
  const lines: Record<string, string> = {};
  if (speaks) lineTexts.forEach((text, index) => (lines[`scene/${String(index + 1).padStart(4, '0')}`] = text));
  const manifest = {
    version: 1,
    output: { dir: 'out', path: '{script}/{index}-{line}.{ext}' },
    providers: { [vendor]: { apiKey: `\${${vendor.toUpperCase()}_API_KEY}`, baseUrl: `${emulatorUrl}/${vendor}` } },
    voices: Object.fromEntries(Object.entries(voices).map(([name, sample]) => [name, { provider: vendor, sample, ...(vendor === 'kling' ? {} : { language: 'English' }) }])),
    scripts: speaks ? { scene: { lines: lineTexts.map((text, index) => ({ [speakers[index]!]: text })) } } : {},
  };
  await writeFile(path.join(dir, 'voices.yaml'), stringify(manifest));
  return { dir, vendor, lines, voices, firstTarget: speaks ? ['scene/0001', 'voice.b'] : ['voice.a', 'voice.b'] };
}

// What a message must offer the user: something to run or to check, not only what went wrong.
const remedy = /voxform apply|apply again|--replace|--refresh|check your .+ account|free (some )?(disk )?space|writable|concurrency|try again later|voxform unlock/i;

interface CellResult {
  vendor: Vendor;
  fault: string;
  outcome: 'completed' | 'stopped' | 'skipped';
  skipReason?: string;
  failures: Array<{ address: string; provider: string; message: string }>;
  /** Addresses the user was told to --replace, and did. */
  replacedOnAdvice: string[];
  /** Billable work paid twice that the user did not ask to pay again. */
  duplicatesOnItsOwn: string[];
  /** Billable work paid twice because the user followed a --replace advice. */
  paidAgainOnRequest: string[];
  /**
   * Voices the vendor had lost (expired, vanished) and the user had them created again, as told
   * (`--refresh`): new voices, though a vendor that keys clones by sample (SoundClone) bills the same key.
   */
  recreatedAfterLoss: string[];
  lost: string[];
  damaged: string[];
  laterApplies: number;
}

async function runCell(vendor: Vendor, fault: Fault, emulator: EmulatorProcess): Promise<CellResult> {
  const control = emulatorControl(emulator.url);
  await control.reset();
  const env = vendorKeys(emulator);
  const project = await createProject(vendor, emulator.url);
  const apply = (args: string[], extraEnv: Record<string, string> = {}) => voxform(project.dir, ['apply', '--yes', ...args], { env: { ...env, ...extraEnv }, quick: true });
  const result: CellResult = { vendor, fault: fault.id, outcome: 'completed', failures: [], replacedOnAdvice: [], duplicatesOnItsOwn: [], paidAgainOnRequest: [], recreatedAfterLoss: [], lost: [], damaged: [], laterApplies: 0 };
  const context = (run: Run) => `${vendor} × ${fault.id}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
  try {
    const cannotRun = await fault.prepare?.(project);
    if (cannotRun) return { ...result, outcome: 'skipped', skipReason: cannotRun };

    const first = await apply(['--target', ...project.firstTarget]);
    expect(first.code, context(first)).toBe(0);
    const afterFirst = await inspectProject(project.dir);
    expect(afterFirst.problems).toEqual([]);
    const finished: Snapshot = finishedWork(afterFirst.lockfile!);

    const notHere = await fault.inject?.(project, control);
    if (notHere) return { ...result, outcome: 'skipped', skipReason: notHere };
    if (fault.settings) await control.setFaults(vendor, fault.settings);
    const faulty = await apply([], fault.applyEnv);
    await control.clearFaults();
    await fault.remove?.(project);

    // Completes, or stops saying which line, which vendor and what to do.
    expect([0, 1], context(faulty)).toContain(faulty.code);
    result.failures = failureLines(faulty.stdout);
    if (faulty.code === 1) {
      result.outcome = 'stopped';
      const addresses = [...Object.keys(project.lines), ...Object.keys(project.voices).map((name) => `voice.${name}`)];
      if (result.failures.length === 0) {
        // Stopped before any line: one error for the whole apply, which must still say what to do.
        expect(faulty.stderr, context(faulty)).toMatch(/^Error: /m);
        expect(faulty.stderr, context(faulty)).toMatch(remedy);
        expect(faulty.stderr, context(faulty)).not.toMatch(/this is a bug/);
      }
      for (const failure of result.failures) {
        expect(addresses, context(faulty)).toContain(failure.address);
        expect(failure.provider, context(faulty)).toBe(vendor);
        expect(failure.message, `${failure.address}: the message says what to do\n${context(faulty)}`).toMatch(remedy);
      }
    }
    // Nothing finished is lost, and everything recorded is on disk as recorded.
    const afterFaulty = await inspectProject(project.dir);
    result.damaged.push(...afterFaulty.problems);
    result.lost.push(...lostWork(finished, afterFaulty.lockfile));
    for (const [address, entry] of finishedWork(afterFaulty.lockfile ?? { lockfileVersion: 1, voices: {}, renders: {}, pending: [] })) finished.set(address, entry);

    // The vendor's ids of the voices so far: a voice created again later has a new one.
    const voiceIdsBefore = new Set([afterFirst.lockfile!, afterFaulty.lockfile].flatMap((lockfile) => Object.entries(lockfile?.voices ?? {}).map(([name, voice]) => `${name} ${voice.remoteId}`)));
    let refreshed = false;

    // Without the fault, doing what the messages say: the first `voxform apply …` each failure offers.
    let next = { replace: [] as string[], refresh: false };
    let later: Run | undefined;
    for (let attempt = 0; attempt < 4; attempt++) {
      later = await apply([...(next.refresh ? ['--refresh'] : []), ...(next.replace.length > 0 ? ['--replace', ...next.replace] : [])]);
      result.laterApplies++;
      if (later.code === 0) break;
      const inspected = await inspectProject(project.dir);
      result.damaged.push(...inspected.problems);
      result.lost.push(...lostWork(finished, inspected.lockfile));
      const advice = adviceOf(later.stdout + later.stderr);
      result.replacedOnAdvice.push(...advice.replace);
      refreshed ||= advice.refresh;
      if (advice.replace.length === 0 && !advice.refresh && !advice.applyAgain) break;
      next = advice;
    }
    expect(later!.code, context(later!)).toBe(0);
    const plan = await voxform(project.dir, ['plan', '--detailed-exitcode'], { env, quick: true });
    expect(plan.code, context(plan)).toBe(0);

    const end = await inspectProject(project.dir);
    result.damaged.push(...end.problems);
    result.lost.push(...lostWork(finished, end.lockfile));
    expect(Object.keys(end.lockfile!.renders).sort()).toEqual(Object.keys(project.lines).sort());
    expect(end.lockfile!.pending).toEqual([]);

    for (const duplicate of (await control.calls()).duplicates) {
      const address = addressOfBillingKey(duplicate.key, project) ?? `${duplicate.kind} ${duplicate.key}`;
      const name = address.startsWith('voice.') ? address.slice('voice.'.length) : undefined;
      const recreated = refreshed && name !== undefined && !voiceIdsBefore.has(`${name} ${end.lockfile!.voices[name]?.remoteId}`);
      if (result.replacedOnAdvice.includes(address)) result.paidAgainOnRequest.push(address);
      else if (recreated) result.recreatedAfterLoss.push(address);
      else result.duplicatesOnItsOwn.push(address);
    }
    return result;
  } finally {
    await fault.cleanup?.(project);
    await rm(project.dir, { recursive: true, force: true });
  }
}

const seed = runSeed('VOXFORM_FAULT_SEED', 9);
const random = seededRandom(seed);
// CI: every fault once, at a vendor the seed picks. Full: every vendor × every fault.
const sampled = new Set(faults.map((fault) => `${vendors[Math.floor(random() * vendors.length)]} × ${fault.id}`));
const selected = (vendor: Vendor, fault: Fault) => reliabilityMode === 'full' || sampled.has(`${vendor} × ${fault.id}`);
// One emulator per vendor, its cells one after another (reset in between, so its rendered samples stay
// cached); at most three cells at once.
const running = pLimit(3);
const lanes = new Map<Vendor, { one: ReturnType<typeof pLimit>; emulator?: Promise<EmulatorProcess> }>();
const laneOf = (vendor: Vendor) => {
  let lane = lanes.get(vendor);
  if (!lane) lanes.set(vendor, (lane = { one: pLimit(1) }));
  return lane;
};
afterAll(async () => {
  for (const lane of lanes.values()) (await lane.emulator?.catch(() => undefined))?.stop();
});
console.log(
  `fault matrix: seed ${seed} (VOXFORM_FAULT_SEED=${seed} repeats this run), ${reliabilityMode === 'full' ? vendors.length * faults.length : sampled.size} of ${vendors.length * faults.length} cells`,
);

describe.concurrent('fault matrix', () => {
  for (const fault of faults) {
    for (const vendor of vendors) {
      it.skipIf(!selected(vendor, fault))(
        `${vendor} × ${fault.id}`,
        async (context) => {
          const lane = laneOf(vendor);
          const emulatorSeed = seed + vendors.indexOf(vendor);
          const result = await lane.one(() =>
            running(async () => {
              lane.emulator ??= startEmulatorProcess(['--seed', String(emulatorSeed)]);
              return runCell(vendor, fault, await lane.emulator);
            }),
          );
          await report({ type: 'fault', seed, emulatorSeed, ...result });
          if (result.outcome === 'skipped') {
            context.skip(result.skipReason);
            return;
          }
          expect(result.damaged).toEqual([]);
          expect(result.lost).toEqual([]);
          expect(result.duplicatesOnItsOwn).toEqual([]);
        },
        reliabilityMode === 'full' ? 3_600_000 : 900_000,
      );
    }
  }
});
