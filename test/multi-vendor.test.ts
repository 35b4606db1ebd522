import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root, startEmulatorProcess, startVoxform, voxform, type EmulatorProcess } from './support/voxform-process.js';

// examples/multi-vendor (all five vendors) against `voxform emulator` over real HTTP.
interface CallEntry {
  vendor: string;
  path: string;
  billable?: { kind: string; key: string };
}
interface LockShape {
  voices: Record<string, { remoteId?: string; fingerprint: string }>;
  renders: Record<string, { file: string; sha256: string }>;
  pending: Array<{ address: string; task?: { data?: { voiceId?: string } } }>;
}

let emulator: EmulatorProcess;
let env: Record<string, string>;
const directories: string[] = [];

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  env = {
    MINIMAX_API_KEY: emulator.keys.minimax,
    VIDU_API_KEY: emulator.keys.vidu,
    SOUNDCLONE_API_KEY: emulator.keys.soundclone,
    AIVOICECLONEFREE_API_KEY: emulator.keys.aivoiceclonefree,
    KLING_API_KEY: emulator.keys.kling.apiKey,
  };
}, 60_000);
afterAll(async () => {
  emulator?.stop();
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});
afterEach(async () => {
  await control('POST', '/__emulator/reset');
});

async function control(method: string, route: string, body?: unknown) {
  const response = await fetch(`${emulator.url}${route}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return response.status === 204 ? undefined : ((await response.json()) as any);
}
const calls = async (): Promise<CallEntry[]> => (await control('GET', '/__emulator/calls')).calls;
const billable = async () => (await calls()).filter((entry) => entry.billable).map((entry) => `${entry.vendor} ${entry.billable!.kind} ${entry.billable!.key.split('\n')[0]}`);
/** Billable work per vendor and kind: `{ 'minimax clone': 1, … }`. */
const billableCounts = async () => {
  const counts: Record<string, number> = {};
  for (const entry of await billable()) {
    const [vendor, kind] = entry.split(' ');
    counts[`${vendor} ${kind}`] = (counts[`${vendor} ${kind}`] ?? 0) + 1;
  }
  return counts;
};
const expectedBillable = {
  'minimax clone': 1,
  'vidu clone': 1,
  'soundclone clone': 1,
  'kling clone': 1,
  'minimax synthesis': 2,
  'vidu synthesis': 2,
  'soundclone synthesis': 1,
  'aivoiceclonefree synthesis': 1,
};

/** A copy of the example pointed at this test's emulator port. */
async function project(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'voxform-multi-'));
  directories.push(dir);
  await cp(path.join(root, 'examples/multi-vendor'), dir, { recursive: true, filter: (source) => !/[/\\](out|\.voxform)$/.test(source) });
  const manifest = await readFile(path.join(dir, 'voices.yaml'), 'utf8');
  await writeFile(path.join(dir, 'voices.yaml'), manifest.replaceAll('http://127.0.0.1:4010', emulator.url));
  return dir;
}
const readLock = async (dir: string) => parse(await readFile(path.join(dir, 'voices.lock'), 'utf8')) as LockShape;

describe('examples/multi-vendor against voxform emulator', () => {
  it('validates and plans offline: 5 voices to create, 6 lines to render', async () => {
    const dir = await project();
    expect((await voxform(dir, ['validate'])).code).toBe(0);
    const plan = await voxform(dir, ['plan', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('Plan: 5 voices to create, 6 lines to render');
  });

  it('estimates the cost from providers.<name>.pricing, says what is unknown, and --max-cost refuses before anything is billed', async () => {
    const dir = await project();
    const manifestFile = path.join(dir, 'voices.yaml');
    const price = (provider: string, pricing: string) => async () => {
      const text = await readFile(manifestFile, 'utf8');
      await writeFile(manifestFile, text.replace(`baseUrl: http://127.0.0.1:${new URL(emulator.url).port}/${provider}\n`, (line) => `${line}    pricing: ${pricing}\n`));
    };
    await price('minimax', '{ perMillionCharacters: 100, perVoiceClone: 3, currency: USD }')();
    await price('vidu', '{ perMillionCharacters: 200, perVoiceClone: 2, currency: USD }')();

    const partly = await voxform(dir, ['plan']);
    expect(partly.stdout).toMatch(/^Estimated cost: at least \$5\.\d+ \(aivoiceclonefree unknown, kling unknown, minimax \$3\.\d+, soundclone unknown, vidu \$2\.\d+\)\. Unknown: no pricing: set providers\.aivoiceclonefree\.pricing; /m);
    const unknown = await voxform(dir, ['apply', '--yes', '--max-cost', '100'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Error: Refusing: the cost of this plan is not fully known, so --max-cost 100 cannot be checked: aivoiceclonefree: no pricing: set providers.aivoiceclonefree.pricing;');

    for (const provider of ['soundclone', 'aivoiceclonefree', 'kling']) await price(provider, '{ perMillionCharacters: 50, perVoiceClone: 1, currency: USD }')();
    const json = JSON.parse((await voxform(dir, ['plan', '--json'])).stdout);
    expect(json.summary.cost.complete).toBe(true);
    const total = json.summary.cost.total.USD as number;
    // 3 + 2 + 1 + 1 for the four kept voices (aivoiceclonefree keeps none), plus the characters.
    expect(total).toBeGreaterThan(7);
    expect(total).toBeLessThan(7.1);

    const over = await voxform(dir, ['apply', '--yes', '--max-cost', '7'], { env });
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/Error: Refusing: the estimated cost \$7\.\d+ is over --max-cost \$7\.00\. Nothing was spent\./);
    const plan = await voxform(dir, ['plan', '--max-cost', '7']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('Plan: 5 voices to create');
    expect(await calls()).toEqual([]);
    expect((await voxform(dir, ['plan', '--detailed-exitcode', '--max-cost', '8'])).code).toBe(2);
    expect((await voxform(dir, ['plan', '--max-cost', 'lots'])).stderr).toContain("expected an amount of at least 0 in the pricing's currency, such as 12.50, got 'lots'");
  });

  it('sends lexicon entries natively to MiniMax and Vidu, and replaced text to the others; the emulator accepts both', async () => {
    const dir = await project();
    const manifestFile = path.join(dir, 'voices.yaml');
    const text = await readFile(manifestFile, 'utf8');
    await writeFile(manifestFile, text.replace('\nvoices:\n', '\nlexicon: { lighthouses: light houses, fog: thick fog, Lighthouse: Light-house }\nvoices:\n'));
    const run = await voxform(dir, ['apply', '--yes'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lock = parse(await readFile(path.join(dir, 'voices.lock'), 'utf8')) as { renders: Record<string, { lexiconSha256?: string; chars: number }> };
    // host (MiniMax): "…about lighthouses." natively; guest (Vidu): "…the fog comes in…"; announcer (SoundClone): text replaced.
    expect(Object.entries(lock.renders).filter(([, render]) => render.lexiconSha256).map(([address]) => address).sort()).toEqual(['episode-01/0001', 'episode-01/0002', 'episode-01/0005']);
    expect(lock.renders['episode-01/0001']!.chars).toBe('This is Light-house Radio. Episode one.'.length);
  });

  it('refuses at validate a line on a Kling voice, saying why', async () => {
    const dir = await project();
    const manifest = await readFile(path.join(dir, 'voices.yaml'), 'utf8');
    await writeFile(path.join(dir, 'voices.yaml'), manifest.replace('      - caller: Hello?', '      - mascot: I would like to speak.\n      - caller: Hello?'));
    const run = await voxform(dir, ['validate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/voices\.yaml:\d+:\d+: scripts\.episode-01\.lines\[5\]\.mascot: voice 'mascot' uses Kling, which cannot speak text with a cloned voice/);
  });

  it('applies completely across the five vendors, then a second apply makes zero vendor calls', async () => {
    const dir = await project();
    const first = await voxform(dir, ['apply', '--yes'], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lock = await readLock(dir);
    expect(Object.keys(lock.voices).sort()).toEqual(['announcer', 'caller', 'guest', 'host', 'mascot']);
    expect(Object.keys(lock.renders)).toHaveLength(6);
    expect(lock.pending).toEqual([]);
    for (const render of Object.values(lock.renders)) {
      const bytes = await readFile(path.join(dir, render.file));
      expect(bytes[0]).toBe(0xff); // an MP3 frame
    }
    // Kling's voice cannot speak, but its trial audio is kept beside the outputs.
    expect((await readFile(path.join(dir, 'out/voices/mascot.mp3')))[0]).toBe(0xff);
    expect(await billableCounts()).toEqual(expectedBillable);
    expect((await control('GET', '/__emulator/calls')).duplicates).toEqual([]);

    const before = (await calls()).length;
    const second = await voxform(dir, ['apply', '--yes'], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes');
    expect((await calls()).length).toBe(before);
  });

  it('shows both voices to replace, "voice expired", once the vendors\' clock is 8 days ahead', async () => {
    const dir = await project();
    expect((await voxform(dir, ['apply', '--yes'], { env })).code).toBe(0);
    await control('POST', '/__emulator/clock', { advanceMs: 8 * 24 * 3600 * 1000 });
    const plan = await voxform(dir, ['plan', '--refresh', '--json', '--detailed-exitcode'], { env });
    expect(plan.code).toBe(2);
    const changes = JSON.parse(plan.stdout).changes as Array<{ address: string; action: string; reason: string }>;
    expect(changes.map((change) => [change.address, change.action])).toEqual([
      ['voice.host', 'replace'],
      ['voice.guest', 'replace'],
    ]);
    for (const change of changes) expect(change.reason).toMatch(/^voice expired \d{4}-\d{2}-\d{2}$/);
  });

  it('resumes an apply killed right after the clone request, without a second clone or a new voice id', async () => {
    const dir = await project();
    await control('PUT', '/__emulator/faults/minimax', { latencyMs: 2500 });
    // Only the clone is in flight when the kill comes (a line in the middle of a synchronous synthesis
    // could not be looked up afterwards: that case is refused, not guessed, see the core tests).
    const child = startVoxform(['-C', dir, 'apply', '--yes', '--target', 'voice.host'], { env });
    // Wait until the write-ahead entry for the MiniMax clone is on disk, then give the request time to leave.
    let recordedVoiceId: string | undefined;
    for (let attempt = 0; attempt < 200 && !recordedVoiceId; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const text = await readFile(path.join(dir, 'voices.lock'), 'utf8').catch(() => '');
      const pending = text ? (parse(text) as LockShape).pending : [];
      recordedVoiceId = pending.find((entry) => entry.address === 'voice.host')?.task?.data?.voiceId;
    }
    expect(recordedVoiceId).toMatch(/^vx-host-[0-9a-f]{12}$/);
    // The upload goes first (it takes the injected latency too); the clone follows it.
    for (let attempt = 0; attempt < 200; attempt++) {
      const seen = (await calls()).some((entry) => entry.vendor === 'minimax' && entry.path === '/v1/files/upload');
      if (seen) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 800));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The emulator still finishes the clone the dead apply sent.
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await billable()).some((entry) => entry.startsWith('minimax clone'))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await billable()).toContain(`minimax clone ${recordedVoiceId}`);
    const afterCrash = await readLock(dir);
    expect(afterCrash.pending.map((entry) => entry.address)).toContain('voice.host');

    await control('DELETE', '/__emulator/faults/minimax');
    const resumed = await voxform(dir, ['apply', '--yes'], { env });
    expect(resumed.code).toBe(0);
    const lock = await readLock(dir);
    expect(lock.voices.host!.remoteId).toBe(recordedVoiceId);
    expect(lock.pending).toEqual([]);
    expect(Object.keys(lock.renders)).toHaveLength(6);
    const clones = (await billable()).filter((entry) => entry.startsWith('minimax clone'));
    expect(clones).toEqual([`minimax clone ${recordedVoiceId}`]);
    expect((await control('GET', '/__emulator/calls')).duplicates).toEqual([]);
  }, 60_000);

  it('resumes an apply killed while vendor tasks are in flight by polling them, submitting nothing twice', async () => {
    const dir = await project();
    for (const vendor of ['soundclone', 'aivoiceclonefree', 'kling']) await control('PUT', `/__emulator/faults/${vendor}`, { stuckTasks: true });
    const child = startVoxform(['-C', dir, 'apply', '--yes'], { env });
    const inFlight = ['voice.announcer', 'voice.mascot', 'episode-01/0006'];
    const synchronous = ['episode-01/0002', 'episode-01/0003', 'episode-01/question', 'episode-01/0005'];
    let recorded: string[] = [];
    let rendered: string[] = [];
    // Kill once the stuck vendors' tasks are recorded and the MiniMax/Vidu lines are done, so what is in
    // flight is exactly work with a task id to poll.
    for (let attempt = 0; attempt < 300 && (recorded.length < inFlight.length || rendered.length < synchronous.length); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const text = await readFile(path.join(dir, 'voices.lock'), 'utf8').catch(() => '');
      const state = text ? (parse(text) as { pending: Array<{ address: string; task?: { taskId?: string } }>; renders: Record<string, unknown> }) : undefined;
      recorded = inFlight.filter((address) => state?.pending.some((entry) => entry.address === address && entry.task?.taskId));
      rendered = synchronous.filter((address) => state?.renders[address]);
    }
    expect(recorded).toEqual(inFlight);
    expect(rendered).toEqual(synchronous);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const submittedBeforeKill = await billableCounts();

    await control('DELETE', '/__emulator/faults');
    const resumed = await voxform(dir, ['apply', '--yes'], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/Settled unfinished work from an earlier apply: voice\.announcer resumed/);
    // The voices resumed at the vendor are done like created ones: counted, their progress completed.
    expect(`${resumed.stdout}${resumed.stderr}`).not.toContain('not finished');
    expect(resumed.stdout).toContain('[COMPLETED] voice.announcer: create (soundclone)');
    expect(resumed.stdout).toMatch(/Apply complete: 2 voice changes, /);
    const lock = await readLock(dir);
    expect(lock.pending).toEqual([]);
    expect(Object.keys(lock.renders)).toHaveLength(6);
    // The tasks recorded before the kill were polled, not submitted again.
    for (const key of ['soundclone clone', 'kling clone', 'aivoiceclonefree synthesis']) expect(submittedBeforeKill[key]).toBe(1);
    expect(await billableCounts()).toEqual(expectedBillable);
    expect((await control('GET', '/__emulator/calls')).duplicates).toEqual([]);
  }, 90_000);

  it('rides out a 429 storm: slower, nothing lost, nothing failed', async () => {
    const dir = await project();
    await control('PUT', '/__emulator/faults/minimax', { rateLimitBurst: { count: 6, retryAfterSeconds: 1 } });
    await control('PUT', '/__emulator/faults/vidu', { rateLimitBurst: { count: 6, retryAfterSeconds: 1 } });
    const run = await voxform(dir, ['apply', '--yes'], { env });
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(0);
    const lock = await readLock(dir);
    expect(Object.keys(lock.renders)).toHaveLength(6);
    const limited = (await calls()).filter((entry) => (entry as { fault?: string }).fault === 'rate-limit');
    expect(limited).toHaveLength(12);
    expect((await control('GET', '/__emulator/calls')).duplicates).toEqual([]);
  }, 60_000);
});
