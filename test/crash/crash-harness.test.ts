import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  addressOfBillingKey,
  emulatorControl,
  failureLines,
  finishedWork,
  inspectProject,
  lostWork,
  adviceOf,
  reliabilityMode,
  report,
  runSeed,
  seededRandom,
  vendorKeys,
  type CallEntry,
  type ProjectLines,
  type Snapshot,
} from '../support/reliability.js';
import { root, startEmulatorProcess, startVoxform, voxform, type EmulatorProcess, type Run } from '../support/voxform-process.js';

/*
 * Issue 9, item 1: `voxform apply` on examples/multi-vendor (all five vendors) against the emulator over
 * real HTTP, with latency, killed with SIGKILL at seeded random moments and applied again until done.
 * After every kill the lockfile parses and validates and every file it records is on disk as recorded;
 * at the end every line is rendered, the audio matches the lockfile, nothing finished was lost, and the
 * emulator's call log shows no billable work paid twice that the user did not ask to pay again.
 *
 * Work killed inside a call the vendor answers only when it is done (or before it answered with a task
 * id) may have been billed with nothing to look it up by: apply then refuses to send it again and says
 * `voxform apply --replace <address>`. The harness does what the user is told, and counts those
 * separately (`paidAgainOnRequest`): the vendor did bill them twice, because the user said so.
 */

const seed = runSeed('VOXFORM_CRASH_SEED', 7);
const random = seededRandom(seed);
const killsWanted = reliabilityMode === 'full' ? 40 : 8;
/** Kills come at a uniform moment in this window after the plan is printed (apply has started). */
const killWindowMs = 4_000;
const latency = { latencyMs: [50, 400] };
const vendors = ['minimax', 'vidu', 'soundclone', 'aivoiceclonefree', 'kling'];

let emulator: EmulatorProcess;
let control: ReturnType<typeof emulatorControl>;
let env: Record<string, string>;
const directories: string[] = [];

beforeAll(async () => {
  emulator = await startEmulatorProcess(['--seed', String(seed)]);
  control = emulatorControl(emulator.url);
  env = vendorKeys(emulator);
  console.log(`crash harness: seed ${seed} (VOXFORM_CRASH_SEED=${seed} repeats this run), at least ${killsWanted} kills`);
}, 60_000);
afterAll(async () => {
  emulator?.stop();
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

/** A copy of examples/multi-vendor pointed at the emulator, and what it should produce. */
async function createProject(): Promise<{ dir: string; expected: ProjectLines }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'voxform-crash-'));
  directories.push(dir);
  await cp(path.join(root, 'examples/multi-vendor'), dir, { recursive: true, filter: (source) => !/[/\\](out|\.voxform)$/.test(source) });
  const text = (await readFile(path.join(dir, 'voices.yaml'), 'utf8')).replaceAll('http://127.0.0.1:4010', emulator.url);
  await writeFile(path.join(dir, 'voices.yaml'), text);
  // The lines and samples as written, to tell which address a billing key of the call log is for.
  const manifest = parse(text) as { voices: Record<string, { sample: string }>; scripts: Record<string, { lines: Array<Record<string, string>> }> };
  const lines: Record<string, string> = {};
  manifest.scripts['episode-01']!.lines.forEach((line, index) => {
    const id = line.id ?? String(index + 1).padStart(4, '0');
    lines[`episode-01/${id}`] = line.text ?? Object.values(line)[0]!;
  });
  const voices = Object.fromEntries(Object.entries(manifest.voices).map(([name, voice]) => [name, voice.sample]));
  return { dir, expected: { lines, voices } };
}

interface Kill {
  round: number;
  afterMs: number;
  /** Where apply was when it died, from what it left behind and what the vendors finished afterwards. */
  phases: string[];
}

/** What was going on at the kill: leftovers on disk, and vendor calls the emulator finished after it. */
async function phasesAtKill(dir: string, inFlight: CallEntry[]): Promise<string[]> {
  const phases = new Set<string>();
  const names = async (directory: string): Promise<string[]> => {
    const entries = await readdir(directory, { withFileTypes: true, recursive: true }).catch(() => []);
    return entries.map((entry) => entry.name);
  };
  if ((await readdir(dir)).some((name) => /^voices\.lock\.\d+$/.test(name))) phases.add('lockfile write');
  if ([...(await names(path.join(dir, 'out'))), ...(await names(path.join(dir, '.voxform', 'cache')))].some((name) => name.endsWith('.tmp'))) phases.add('audio download');
  for (const call of inFlight) {
    if (call.billable?.kind === 'clone' || /upload|clone|custom-voices$/.test(call.path)) phases.add('voice clone request');
    else if (call.billable?.kind === 'synthesis' || call.method === 'POST') phases.add('synthesis request');
    else phases.add('task polling');
  }
  const lock = await inspectProject(dir);
  if (lock.lockfile?.pending.some((entry) => entry.task?.taskId) && phases.size === 0) phases.add('waiting between polls');
  if (phases.size === 0) phases.add('between requests');
  return [...phases];
}

it(
  `survives SIGKILL at ${killsWanted}+ seeded random moments: nothing lost, nothing billed twice on its own`,
  async () => {
    const kills: Kill[] = [];
    const problems: string[] = [];
    const totals = { rounds: 0, applies: 0, unknownOutcomes: 0, paidAgainOnRequest: 0, duplicatesOnItsOwn: 0, lostRenders: 0, damagedLockfiles: 0, linesRendered: 0 };
    for (let round = 1; kills.length < killsWanted; round++) {
      totals.rounds++;
      await control.reset();
      for (const vendor of vendors) await control.setFaults(vendor, latency);
      const { dir, expected } = await createProject();
      const finished: Snapshot = new Map();
      const replacedOnAdvice: string[] = [];
      let advice: string[] = [];
      let done = false;
      for (let attempt = 0; attempt < 40 && !done; attempt++) {
        totals.applies++;
        const args = ['-C', dir, 'apply', '--yes', ...(advice.length > 0 ? ['--replace', ...advice] : [])];
        const child = startVoxform(args, { env, quick: true });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (chunk) => (stdout += chunk));
        child.stderr!.on('data', (chunk) => (stderr += chunk));
        const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 137 : -1))));
        // Kill only once apply has started spending: the plan is printed just before.
        const killAfterMs = Math.round(random() * killWindowMs);
        const started = await Promise.race([
          new Promise<boolean>((resolve) => {
            const check = () => (/Plan: /.test(stdout) ? resolve(true) : undefined);
            child.stdout!.on('data', check);
            check();
          }),
          exited.then(() => false),
        ]);
        let killed = false;
        if (started) {
          const outcome = await Promise.race([exited.then(() => 'exited' as const), new Promise<'kill'>((resolve) => setTimeout(() => resolve('kill'), killAfterMs))]);
          if (outcome === 'kill') {
            const logged = (await control.calls()).calls.length;
            child.kill('SIGKILL');
            killed = true;
            await exited;
            // Requests the dead apply had sent are still answered by the emulator, which logs them then.
            await new Promise((resolve) => setTimeout(resolve, 600));
            const inFlight = (await control.calls()).calls.slice(logged);
            kills.push({ round, afterMs: killAfterMs, phases: await phasesAtKill(dir, inFlight) });
          }
        }
        const code = await exited;
        const run: Run = { code, stdout, stderr };

        // After every apply, killed or not: the lockfile parses and validates, and what it records is on disk.
        const inspected = await inspectProject(dir);
        if (inspected.problems.length > 0) {
          totals.damagedLockfiles++;
          problems.push(...inspected.problems.map((problem) => `round ${round}, apply ${attempt + 1}${killed ? ' (killed)' : ''}: ${problem}`));
        }
        const lost = lostWork(finished, inspected.lockfile);
        totals.lostRenders += lost.length;
        problems.push(...lost.map((address) => `round ${round}, apply ${attempt + 1}: ${address} was finished and is gone`));
        if (inspected.lockfile) for (const [address, entry] of finishedWork(inspected.lockfile)) finished.set(address, entry);
        if (killed) {
          advice = [];
          continue;
        }

        if (run.code === 0) {
          done = true;
          break;
        }
        // Exit 1 without a kill: only work of unknown outcome may stop it, each saying to --replace it.
        const failures = failureLines(run.stdout);
        advice = adviceOf(run.stdout + run.stderr).replace;
        const unexplained = failures.filter((failure) => !advice.includes(failure.address));
        if (unexplained.length > 0 || advice.length === 0) {
          problems.push(`round ${round}, apply ${attempt + 1} failed for another reason:\n${run.stdout}\n${run.stderr}`);
          break;
        }
        totals.unknownOutcomes += advice.length;
        replacedOnAdvice.push(...advice);
      }
      if (!done) {
        problems.push(`round ${round}: apply never completed`);
        break;
      }

      // The end state: every line rendered as recorded, nothing left to do, nothing pending.
      const end = await inspectProject(dir);
      expect(end.problems).toEqual([]);
      expect(Object.keys(end.lockfile!.renders).sort()).toEqual(Object.keys(expected.lines).sort());
      expect(Object.keys(end.lockfile!.voices).sort()).toEqual(Object.keys(expected.voices).sort());
      expect(end.lockfile!.pending).toEqual([]);
      totals.linesRendered += Object.keys(end.lockfile!.renders).length;
      const plan = await voxform(dir, ['plan', '--detailed-exitcode'], { env, quick: true });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      for (const duplicate of (await control.calls()).duplicates) {
        const address = addressOfBillingKey(duplicate.key, expected) ?? `${duplicate.vendor} ${duplicate.kind} ${duplicate.key}`;
        const extra = duplicate.count - 1;
        if (replacedOnAdvice.includes(address)) totals.paidAgainOnRequest += extra;
        else {
          totals.duplicatesOnItsOwn += extra;
          problems.push(`round ${round}: ${address} billed ${duplicate.count} times at ${duplicate.vendor} without being asked to`);
        }
      }
    }

    const phases: Record<string, number> = {};
    for (const kill of kills) for (const phase of kill.phases) phases[phase] = (phases[phase] ?? 0) + 1;
    const summary = { type: 'crash', seed, mode: reliabilityMode, kills: kills.length, killsSurvived: problems.length === 0 ? kills.length : undefined, phases, ...totals, problems };
    console.log(`crash harness (seed ${seed}): ${kills.length} kills in ${totals.rounds} rounds, ${totals.applies} applies; kill phases ${JSON.stringify(phases)}; ` +
      `unknown outcomes ${totals.unknownOutcomes}, paid again on request ${totals.paidAgainOnRequest}, duplicates on its own ${totals.duplicatesOnItsOwn}, lost renders ${totals.lostRenders}`);
    await report(summary);
    expect(problems).toEqual([]);
  },
  reliabilityMode === 'full' ? 3_600_000 : 300_000,
);
