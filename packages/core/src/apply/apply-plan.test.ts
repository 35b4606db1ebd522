import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  acquireStateLock,
  applyPlan,
  createNodeDispatcher,
  readStateLock,
  removeStateLock,
  sampleDigests,
  suggestedVoiceId,
} from '../node.js';
import { createFakeProvider, wavFor, type FakeProvider, type FakeProviderOptions } from '../__fixtures__/fake-provider.js';
import { applyWithFake as apply, planWithFake as plan, readLockfile } from '../__fixtures__/plan-and-apply.js';
import { listFiles, sineWav, temporaryDirectories, writeFiles } from '../__fixtures__/test-project.js';
import { ApiCallError } from '../errors/api-call-error.js';
import { UsageError } from '../errors/usage-error.js';
import { parseLockfile } from '../lockfile/parse-lockfile.js';
import { serializeLockfile } from '../lockfile/serialize-lockfile.js';
import type { Lockfile } from '../lockfile/lockfile-types.js';
import { identifyManifest } from '../plan/create-plan.js';
import { planToJson } from '../plan/format-plan.js';
import { readLockfileSnapshot } from '../node/lockfile-snapshot.js';

const directories = temporaryDirectories();

const lines = {
  'intro/0001': 'It was a dark and stormy night.',
  'intro/0002': 'Ha! You will never catch me.',
  'intro/0003': 'The end.',
  'outro/0001': 'Or was it?',
  'outro/0002': 'Of course it was.',
} as const;
type Address = keyof typeof lines;
const addressOfText = (text: string) => (Object.keys(lines) as Address[]).find((address) => lines[address] === text)!;

function manifestText(options: { concurrency?: number; path?: string } = {}): string {
  return [
    'version: 1',
    ...(options.concurrency ? ['providers:', '  fake:', `    concurrency: ${options.concurrency}`] : []),
    ...(options.path ? ['output:', `  path: "${options.path}"`] : []),
    'voices:',
    '  narrator: { provider: fake, sample: samples/narrator.wav }',
    '  villain: { provider: fake, sample: samples/villain.wav }',
    'scripts:',
    '  intro:',
    '    lines:',
    `      - narrator: ${lines['intro/0001']}`,
    `      - villain: ${lines['intro/0002']}`,
    `      - narrator: ${lines['intro/0003']}`,
    '  outro:',
    '    voice: narrator',
    '    lines:',
    `      - ${lines['outro/0001']}`,
    `      - ${lines['outro/0002']}`,
    '',
  ].join('\n');
}

/** A fresh project in a temp directory: manifest and two real WAV samples. */
async function createProject(options: { concurrency?: number; path?: string } = {}): Promise<string> {
  const dir = await directories.create();
  await writeFiles(dir, {
    'voices.yaml': manifestText(options),
    'samples/narrator.wav': sineWav({ durationMs: 300, frequency: 220 }),
    'samples/villain.wav': sineWav({ durationMs: 300, frequency: 110 }),
  });
  return dir;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const exists = (file: string) => stat(file).then(() => true, () => false);

/** A fake whose synthesis waits a little, tracking the most calls it had in flight at once. */
function concurrencyTracker(options: FakeProviderOptions = {}) {
  let active = 0;
  // The first call waits for a second one (or 2 s): on a loaded machine calls of 15 ms might otherwise
  // never overlap, and the limit would look lower than it is.
  let firstWaiting: (() => void) | undefined;
  let paired = false;
  const tracker = { max: 0, fake: undefined as unknown as FakeProvider };
  tracker.fake = createFakeProvider({
    ...options,
    async synthesize(request) {
      active++;
      tracker.max = Math.max(tracker.max, active);
      if (!paired) {
        if (firstWaiting) {
          paired = true;
          firstWaiting();
        } else await Promise.race([new Promise<void>((resolve) => (firstWaiting = resolve)), sleep(2_000)]);
      }
      await sleep(15);
      active--;
      return wavFor(request.text);
    },
  });
  return tracker;
}

/**
 * What a kill during the render of `address` leaves: its render entry gone, a pending entry (with the
 * vendor's `task` when one was recorded) in its place. Returns the render entry it had.
 */
async function leaveLinePending(dir: string, address: string, task?: NonNullable<Lockfile['pending'][number]['task']>): Promise<Lockfile['renders'][string]> {
  const lockfile = await readLockfile(dir);
  const crashed = lockfile.renders[address]!;
  delete lockfile.renders[address];
  lockfile.pending.push({ kind: 'line', address, key: crashed.key, provider: 'fake', startedAt: '2026-11-21T10:00:00.000Z', ...(task ? { task } : {}) });
  await writeFile(path.join(dir, 'voices.lock'), serializeLockfile(lockfile));
  return crashed;
}

/** A pid that belonged to a process of this host and no longer does. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('applyPlan', () => {
  it('renders every line, writes the files and records them; a second plan is empty', async () => {
    const dir = await createProject();
    const fake = createFakeProvider();
    const { summary, plan: first } = await apply(dir, fake);

    expect(first.changes.map((change) => `${change.action} ${change.address}`)).toEqual([
      'create voice.narrator', 'create voice.villain',
      'render intro/0001', 'render intro/0002', 'render intro/0003', 'render outro/0001', 'render outro/0002',
    ]);
    expect(summary).toMatchObject({ voices: { done: 2, failed: 0 }, lines: { done: 5, failed: 0, skipped: 0 }, failures: [], interrupted: false });
    expect(summary.characters).toBe(Object.values(lines).join('').length);
    expect(fake.calls.createVoice.map((request) => request.name).sort()).toEqual(['narrator', 'villain']);
    expect(fake.calls.synthesize.map((request) => request.text).sort()).toEqual(Object.values(lines).sort());

    const lockfile = await readLockfile(dir);
    expect(lockfile.pending).toEqual([]);
    expect(Object.keys(lockfile.renders).sort()).toEqual(Object.keys(lines).sort());
    for (const [address, render] of Object.entries(lockfile.renders)) {
      const bytes = await readFile(path.join(dir, render.file));
      expect(render.sha256, address).toBe(sha256(bytes));
      expect(render.bytes).toBe(bytes.byteLength);
      expect(render.durationMs).toBe(120);
      expect(render.chars).toBe(lines[address as Address].length);
      expect(bytes).toEqual(Buffer.from((wavFor(lines[address as Address]).audio as { bytes: Uint8Array }).bytes));
      expect(await exists(path.join(dir, '.voxform/cache', `${render.key}.wav`))).toBe(true);
    }
    expect(lockfile.renders['intro/0002']?.file).toBe('out/intro/0002-0002.wav');
    expect(lockfile.voices.narrator).toMatchObject({ provider: 'fake', remoteId: suggestedVoiceId('narrator', lockfile.voices.narrator!.fingerprint) });
    expect(await exists(path.join(dir, '.voxform/apply.lock'))).toBe(false);

    const second = await plan(dir, fake);
    expect(second.plan.changes).toEqual([]);
    expect(second.plan.summary.text).toBe('No changes. Voices and audio are up to date.');
  });

  it('sends through the dispatcher it is given: the providers get the pool\'s fetch, and audio URLs are downloaded with it', async () => {
    const requests: Array<{ url: string; acceptEncoding: string | undefined }> = [];
    const storage = createServer((request, response) => {
      requests.push({ url: request.url!, acceptEncoding: request.headers['accept-encoding'] });
      const text = decodeURIComponent(request.url!.slice(1));
      response.writeHead(200, { 'content-type': 'audio/wav' }).end((wavFor(text).audio as { bytes: Uint8Array }).bytes);
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
    const dispatcher = await createNodeDispatcher();
    try {
      const dir = await createProject();
      const fake = createFakeProvider({ synthesize: async (request) => ({ audio: { type: 'url', url: `${origin}/${encodeURIComponent(request.text)}` }, format: 'wav' }) });
      const { summary } = await apply(dir, fake, { dispatcher });

      expect(summary.lines).toMatchObject({ done: 5, failed: 0 });
      expect(fake.calls.settings.at(-1)?.fetch).toBeTypeOf('function');
      // The global fetch asks for gzip, deflate and br; the pool's fetch for identity.
      expect(requests.map((request) => request.acceptEncoding)).toEqual(Array(5).fill('identity'));
      const lockfile = await readLockfile(dir);
      for (const address of Object.keys(lines) as Address[]) {
        expect(await readFile(path.join(dir, lockfile.renders[address]!.file))).toEqual(Buffer.from((wavFor(lines[address]).audio as { bytes: Uint8Array }).bytes));
      }
    } finally {
      await dispatcher.close();
      await new Promise((resolve) => storage.close(resolve));
    }
  });

  it('creates each voice before the lines that need it, and hands lines its record', async () => {
    const dir = await createProject();
    const order: string[] = [];
    const fake = createFakeProvider({
      async createVoice(request) {
        await sleep(5);
        order.push(`create ${request.name}`);
        return { remoteId: `remote-${request.name}`, data: { fileId: 7 } };
      },
      async synthesize(request) {
        order.push(`speak ${request.voice.name}`);
        expect(request.voice).toMatchObject({ remoteId: `remote-${request.voice.name}`, data: { fileId: 7 } });
        return wavFor(request.text);
      },
    });
    const { summary } = await apply(dir, fake);
    expect(summary.lines.done).toBe(5);
    for (const voice of ['narrator', 'villain']) {
      expect(order.indexOf(`create ${voice}`)).toBeLessThan(order.indexOf(`speak ${voice}`));
    }
  });

  describe('pronunciation lexicon', () => {
    const withLexicon = async (dir: string, lexicon: string) => {
      const text = manifestText().replace('voices:\n', `lexicon: ${lexicon}\nvoices:\n`);
      await writeFile(path.join(dir, 'voices.yaml'), text);
    };

    it('sends the replaced text to a provider without a dictionary, bills it, and re-renders only what a lexicon edit affects', async () => {
      const dir = await createProject();
      await withLexicon(dir, '{ stormy: STOR-mee, catch: katch }');
      const fake = createFakeProvider();
      const { summary } = await apply(dir, fake);

      const sent = fake.calls.synthesize.map((request) => request.text).sort();
      expect(sent).toContain('It was a dark and STOR-mee night.');
      expect(sent).toContain('Ha! You will never katch me.');
      expect(fake.calls.synthesize.every((request) => request.lexicon === undefined)).toBe(true);
      expect(summary.characters).toBe(sent.join('').length);
      const lockfile = await readLockfile(dir);
      expect(lockfile.renders['intro/0001']).toMatchObject({ chars: 'It was a dark and STOR-mee night.'.length, lexiconSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(lockfile.renders['intro/0003']!.lexiconSha256).toBeUndefined();

      await withLexicon(dir, '{ stormy: storm-ee, catch: katch }');
      const edited = await apply(dir, fake);
      expect(edited.plan.changes.map((change) => `${change.action} ${change.address}: ${change.reason}`)).toEqual(['rerender intro/0001: lexicon changed']);
      expect(fake.calls.synthesize.at(-1)!.text).toBe('It was a dark and storm-ee night.');
      expect((await plan(dir, fake)).plan.changes).toEqual([]);
    });

    it('hands a provider with a native dictionary the text as written and the entries the line uses', async () => {
      const dir = await createProject();
      await withLexicon(dir, '{ stormy: STOR-mee, catch: katch, unused: never }');
      const fake = createFakeProvider({ capabilities: { pronunciationDictionary: true } });
      const { summary } = await apply(dir, fake);

      const requests = Object.fromEntries(fake.calls.synthesize.map((request) => [request.text, request.lexicon]));
      expect(requests).toEqual({
        'It was a dark and stormy night.': { stormy: 'STOR-mee' },
        'Ha! You will never catch me.': { catch: 'katch' },
        'The end.': undefined,
        'Or was it?': undefined,
        'Of course it was.': undefined,
      });
      expect(summary.characters).toBe(Object.values(lines).join('').length);
    });
  });

  describe('limits', () => {
    it('never runs more than providers.fake.concurrency calls at once', async () => {
      const dir = await createProject({ concurrency: 2 });
      const tracker = concurrencyTracker();
      const { summary } = await apply(dir, tracker.fake);
      expect(summary.lines.done).toBe(5);
      expect(tracker.max).toBe(2);
    });

    it('never runs more than --parallelism changes at once', async () => {
      const dir = await createProject({ concurrency: 4 });
      const tracker = concurrencyTracker();
      const { summary } = await apply(dir, tracker.fake, { parallelism: 1 });
      expect(summary.lines.done).toBe(5);
      expect(tracker.max).toBe(1);
    });
  });

  it('leaves no pending entry for a call the vendor refused before accepting any task', async () => {
    const dir = await createProject();
    const fake = createFakeProvider({
      capabilities: { clientChosenVoiceIds: false },
      async synthesize(request, context) {
        if (request.text === lines['intro/0003']) throw new Error('refused');
        if (request.text === lines['intro/0002']) {
          await context.recordTask({ taskId: 'task-42' });
          throw new Error('the task failed while polling');
        }
        return wavFor(request.text);
      },
    });
    await apply(dir, fake);
    // The refused call has nothing to resume; the accepted task is kept for the next apply to poll.
    expect((await readLockfile(dir)).pending.map((entry) => [entry.address, entry.task?.taskId])).toEqual([['intro/0002', 'task-42']]);
  });

  it('isolates a failing line: the others are rendered and recorded, and the next plan shows only that line', async () => {
    const dir = await createProject();
    const fake = createFakeProvider({
      async synthesize(request) {
        if (request.text === lines['intro/0003']) throw new Error('the vendor refused this text (code 1042)');
        return wavFor(request.text);
      },
    });
    const { summary, events } = await apply(dir, fake);
    expect(summary.lines).toMatchObject({ done: 4, failed: 1, skipped: 0 });
    expect(summary.failures).toEqual([{ address: 'intro/0003', provider: 'fake', message: 'the vendor refused this text (code 1042)' }]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'line-end', address: 'intro/0003', error: 'the vendor refused this text (code 1042)' }));
    expect(events.at(-1)).toEqual({ type: 'apply-end', summary });

    const lockfile = await readLockfile(dir);
    expect(Object.keys(lockfile.renders).sort()).toEqual(['intro/0001', 'intro/0002', 'outro/0001', 'outro/0002']);
    expect(await exists(path.join(dir, 'out/intro/0003-0003.wav'))).toBe(false);

    const next = await plan(dir, createFakeProvider());
    expect(next.plan.changes.map((change) => [change.address, change.action, change.reason])).toEqual([['intro/0003', 'render', 'new line']]);
  });

  it('halves a provider\'s concurrency when its HTTP client reports repeated rate limits, and says so', async () => {
    const dir = await createProject({ concurrency: 4 });
    let limited = false;
    const fake = createFakeProvider({
      async synthesize(request) {
        if (!limited) {
          // What an adapter's HTTP client does on two 429 answers in a row.
          const limiter = fake.calls.settings.at(-1)!.limiter!;
          limiter.reportRateLimit();
          limiter.reportRateLimit();
          limited = true;
        }
        return wavFor(request.text);
      },
    });
    const { events, summary } = await apply(dir, fake);
    expect(summary.lines.done).toBe(5);
    expect(events).toContainEqual({ type: 'provider-limit-change', provider: 'fake', concurrency: 2, previousConcurrency: 4, reason: 'rate-limit' });
    expect((fake.calls.settings.at(-1)!.limiter as unknown as { concurrency: number }).concurrency).toBe(2);
  });

  it('saves the preview a vendor made of a new voice beside the outputs, and records it', async () => {
    const dir = await createProject();
    const preview = sineWav({ durationMs: 200, frequency: 330 });
    const fake = createFakeProvider({
      async createVoice(request) {
        return { remoteId: request.suggestedVoiceId, preview: { audio: { type: 'bytes', bytes: preview }, format: 'wav' } };
      },
    });
    await apply(dir, fake);
    const voice = (await readLockfile(dir)).voices.narrator!;
    expect(voice.preview).toEqual({ file: 'out/voices/narrator.wav', sha256: sha256(preview), bytes: preview.byteLength });
    expect(await readFile(path.join(dir, 'out/voices/narrator.wav'))).toEqual(Buffer.from(preview));
  });

  it('keeps a voice whose preview cannot be saved, and says why', async () => {
    const dir = await createProject();
    const fake = createFakeProvider({
      async createVoice(request) {
        return { remoteId: request.suggestedVoiceId, preview: { audio: { type: 'bytes', bytes: new TextEncoder().encode('not audio') }, format: 'wav' } };
      },
    });
    const { events, summary } = await apply(dir, fake);
    expect(summary.voices).toMatchObject({ done: 2, failed: 0 });
    expect((await readLockfile(dir)).voices.narrator!.preview).toBeUndefined();
    expect(events).toContainEqual(expect.objectContaining({ type: 'voice-preview-skipped', address: 'voice.narrator' }));
  });

  describe('voice lifetime', () => {
    const week = 168 * 3600 * 1000;

    it('records the expiry of a vendor-kept voice and pushes it forward with each use', async () => {
      const dir = await createProject();
      const fake = createFakeProvider({ capabilities: { unusedVoiceLifetimeMs: week } });
      const fourDaysAgo = new Date(Date.now() - 4 * 24 * 3600 * 1000);
      const today = new Date();
      const iso = (date: Date) => date.toISOString();
      await apply(dir, fake, { now: () => fourDaysAgo });
      expect((await readLockfile(dir)).voices.narrator).toMatchObject({
        createdAt: iso(fourDaysAgo),
        lastUsedAt: iso(fourDaysAgo),
        expiresAt: iso(new Date(fourDaysAgo.getTime() + week)),
      });

      await writeFiles(dir, { 'voices.yaml': manifestText().replace(lines['outro/0002'], 'A brand new closing line.') });
      await apply(dir, fake, { now: () => today });
      const lockfile = await readLockfile(dir);
      expect(lockfile.voices.narrator).toMatchObject({
        createdAt: iso(fourDaysAgo),
        lastUsedAt: iso(today),
        expiresAt: iso(new Date(today.getTime() + week)),
      });
      // villain spoke no new line: its expiry stands
      expect(lockfile.voices.villain?.expiresAt).toBe(iso(new Date(fourDaysAgo.getTime() + week)));
      expect(fake.calls.createVoice).toHaveLength(2);
    });

    it('makes a voice permanent when a use says so (SoundClone: permanent after the first use)', async () => {
      const dir = await createProject();
      const fake = createFakeProvider({
        capabilities: { unusedVoiceLifetimeMs: undefined },
        async createVoice(request) {
          return { remoteId: request.suggestedVoiceId, expiresAt: new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString() };
        },
        async synthesize(request) {
          return { ...wavFor(request.text), voice: { expiresAt: null } };
        },
      });
      await apply(dir, fake);
      const lockfile = await readLockfile(dir);
      expect(lockfile.voices.narrator!.expiresAt).toBeUndefined();
      expect(lockfile.voices.narrator!.lastUsedAt).toEqual(expect.any(String));
    });

    it('records no use of voices the vendor does not keep', async () => {
      const dir = await createProject();
      await apply(dir, createFakeProvider({ capabilities: { persistentVoices: false, clientChosenVoiceIds: false } }));
      const voice = (await readLockfile(dir)).voices.narrator!;
      expect(voice.lastUsedAt).toBeUndefined();
      expect(voice.expiresAt).toBeUndefined();
    });
  });

  describe('write-ahead', () => {
    it('has the pending entry on disk before each billable call, and none after', async () => {
      const dir = await createProject();
      const seen: Array<{ address: string; pending: Lockfile['pending'] }> = [];
      const pendingOnDisk = () => parseLockfile(readFileSync(path.join(dir, 'voices.lock'), 'utf8'), 'voices.lock').pending;
      const fake = createFakeProvider({
        async createVoice(request) {
          seen.push({ address: `voice.${request.name}`, pending: pendingOnDisk() });
          return { remoteId: request.suggestedVoiceId };
        },
        async synthesize(request) {
          seen.push({ address: addressOfText(request.text), pending: pendingOnDisk() });
          return wavFor(request.text);
        },
      });
      const { plan: planned, summary } = await apply(dir, fake);
      expect(summary.lines.done).toBe(5);
      expect(seen).toHaveLength(7);
      for (const { address, pending } of seen) {
        const change = planned.changes.find((candidate) => candidate.address === address)!;
        const key = change.kind === 'voice' ? change.fingerprint : change.key;
        // A voice with a client-chosen id records that id before the call, so a crash can look it up.
        const task = change.kind === 'voice' ? { task: { data: { voiceId: suggestedVoiceId(change.voice, key!) } } } : {};
        expect(pending, address).toContainEqual({ kind: change.kind, address, key, provider: 'fake', startedAt: expect.any(String), ...task });
      }
      expect((await readLockfile(dir)).pending).toEqual([]);
    });

    it('leaves in .voxform/ a lockfile snapshot equal to parsing the voices.lock it wrote', async () => {
      const dir = await createProject();
      await apply(dir, createFakeProvider());
      const text = readFileSync(path.join(dir, 'voices.lock'), 'utf8');
      const snapshot = await readLockfileSnapshot(path.join(dir, '.voxform'), createHash('sha256').update(text).digest('hex'));
      expect(snapshot).toEqual(parseLockfile(text, 'voices.lock'));
      expect(Object.keys(snapshot!.renders)).toHaveLength(5);
    });

    it('writes no pending entry for a free provider: redoing its work after a crash costs nothing', async () => {
      const dir = await createProject();
      const pendingOnDisk = () => parseLockfile(readFileSync(path.join(dir, 'voices.lock'), 'utf8'), 'voices.lock').pending;
      const seen: Lockfile['pending'][] = [];
      const fake = createFakeProvider({
        capabilities: { free: true },
        async synthesize(request) {
          await new Promise((resolve) => setTimeout(resolve, 300)); // past the store's checkpoint delay (checkpointMs below)
          seen.push(pendingOnDisk());
          return wavFor(request.text);
        },
      });
      const { summary } = await apply(dir, fake, { checkpointMs: 100 });
      expect(summary.lines.done).toBe(5);
      expect(seen).toHaveLength(5);
      expect(seen.flat()).toEqual([]);
    });

    it('gives a voice that replaces one of the same fingerprint a fresh id, and looks up the recorded one after a crash', async () => {
      const dir = await createProject();
      const fake = createFakeProvider({ capabilities: { unusedVoiceLifetimeMs: 1000 } });
      await apply(dir, fake, { now: () => new Date(Date.now() - 3_600_000) });
      const first = (await readLockfile(dir)).voices.narrator!;
      expect(first.remoteId).toBe(suggestedVoiceId('narrator', first.fingerprint));

      // An hour later the voice has expired: the replacement must not reuse the id the vendor refuses.
      const { plan: replaced } = await apply(dir, fake);
      expect(replaced.changes.filter((change) => change.kind === 'voice').map((change) => change.reason)).toEqual([
        expect.stringMatching(/^voice expired/),
        expect.stringMatching(/^voice expired/),
      ]);
      const second = (await readLockfile(dir)).voices.narrator!;
      expect(second.fingerprint).toBe(first.fingerprint);
      expect(second.remoteId).toMatch(new RegExp(`^${first.remoteId}-r[0-9a-z]+$`));
      expect(fake.calls.createVoice.map((request) => request.suggestedVoiceId)).toContain(second.remoteId);
    });

    it('keeps the entry of a line the vendor may have accepted without saying so, and sends it again only on --replace', async () => {
      const dir = await createProject();
      const unreadable = () =>
        new ApiCallError({ provider: 'Fake', method: 'POST', url: 'https://fake.test/speak', status: 200, problem: 'HTTP 200 with a body that is not valid JSON', isRetryable: false, mayHaveBeenAccepted: true });
      const refusing = createFakeProvider({
        async synthesize(request) {
          if (request.text === lines['intro/0003']) throw unreadable();
          return wavFor(request.text);
        },
      });
      const first = await apply(dir, refusing);
      expect(first.summary.failures).toEqual([
        { address: 'intro/0003', provider: 'fake', message: expect.stringMatching(/not valid JSON.*voxform apply --replace intro\/0003/), replaceAddress: 'intro/0003' },
      ]);
      expect((await readLockfile(dir)).pending.map((entry) => entry.address)).toEqual(['intro/0003']);

      // The next apply does not send it on its own: it may have been billed. Its plan says so, and bills nothing for it.
      const fake = createFakeProvider();
      const second = await apply(dir, fake);
      expect(second.plan.changes.map((change) => [change.address, change.action, change.characters, change.kind === 'line' && change.awaitsReplace])).toEqual([['intro/0003', 'render', 0, true]]);
      expect(second.plan.changes[0]!.reason).toMatch(/^new line; an interrupted apply may already have paid for it, so apply leaves it: check your fake account, then run voxform apply --replace intro\/0003$/);
      expect(second.plan.summary.cost.byProvider).toEqual([]);
      expect(planToJson(second.plan).changes).toMatchObject([{ address: 'intro/0003', characters: 0, awaitsReplace: true }]);
      expect(fake.calls.synthesize).toEqual([]);
      expect(second.summary.failures).toEqual([{ address: 'intro/0003', provider: 'fake', message: expect.stringMatching(/may already have been billed.*voxform apply --replace intro\/0003/), replaceAddress: 'intro/0003' }]);
      // Held back, not skipped: it is counted as the failure it is listed as, and its script's progress says so.
      expect(second.summary.lines).toMatchObject({ failed: 1, skipped: 0 });
      expect(second.events).toContainEqual(expect.objectContaining({ type: 'line-end', address: 'intro/0003', error: expect.stringMatching(/may already have been billed/) }));

      const replaced = await apply(dir, fake, { planOptions: { replace: ['intro/0003'] } });
      expect(replaced.plan.changes).toMatchObject([{ address: 'intro/0003', characters: lines['intro/0003'].length }]);
      expect(replaced.plan.changes[0]).not.toHaveProperty('awaitsReplace');
      expect(replaced.summary.failures).toEqual([]);
      expect(fake.calls.synthesize.map((request) => addressOfText(request.text))).toEqual(['intro/0003']);
      expect((await readLockfile(dir)).pending).toEqual([]);
    });

    it('drops the entry of a line the vendor refused outright: the next apply sends it again', async () => {
      const dir = await createProject();
      const refused = new ApiCallError({ provider: 'Fake', method: 'POST', url: 'https://fake.test/speak', status: 400, problem: 'HTTP 400', isRetryable: false });
      await apply(dir, createFakeProvider({ async synthesize(request) { if (request.text === lines['intro/0003']) throw refused; return wavFor(request.text); } }));
      expect((await readLockfile(dir)).pending).toEqual([]);
      const fake = createFakeProvider();
      expect((await apply(dir, fake)).summary.failures).toEqual([]);
      expect(fake.calls.synthesize.map((request) => addressOfText(request.text))).toEqual(['intro/0003']);
    });

    it('says to apply again when a download breaks off, and the next apply fetches the recorded work without paying again', async () => {
      const dir = await createProject();
      const broken = new ApiCallError({ provider: 'Fake', method: 'GET', url: 'https://fake.test/audio/42', problem: 'the answer broke off after 2000 bytes (UND_ERR_SOCKET: the connection broke)', isRetryable: true });
      const breaking = createFakeProvider({
        async synthesize(request, context) {
          if (request.text !== lines['intro/0003']) return wavFor(request.text);
          await context.recordTask({ taskId: 'task-42' });
          const stream = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(broken) });
          return { audio: { type: 'stream', stream }, format: 'wav' };
        },
      });
      const first = await apply(dir, breaking);
      expect(first.summary.failures).toEqual([
        {
          address: 'intro/0003',
          provider: 'fake',
          message: expect.stringMatching(/broke off after 2000 bytes.*Run `voxform apply` again\. The vendor's work is recorded in voices\.lock: the next apply downloads it again, without paying/),
        },
      ]);
      expect((await readLockfile(dir)).pending).toEqual([expect.objectContaining({ address: 'intro/0003', task: { taskId: 'task-42' } })]);

      const fake = createFakeProvider();
      expect((await apply(dir, fake)).summary.failures).toEqual([]);
      expect(fake.calls.synthesize).toEqual([]);
      expect(fake.calls.resumeSynthesis.map((call) => call.task)).toEqual([{ taskId: 'task-42' }]);
    });

    it('writes what recordTask reports into the pending entry on disk', async () => {
      const dir = await createProject();
      const recorded: Array<{ address: string; pending: Lockfile['pending'] }> = [];
      const fake = createFakeProvider({
        async synthesize(request, context) {
          const address = addressOfText(request.text);
          await context.recordTask({ taskId: `task-${address}`, data: { queue: 'fast', attempt: 1 } });
          recorded.push({ address, pending: (await readLockfile(dir)).pending });
          return wavFor(request.text);
        },
      });
      await apply(dir, fake);
      expect(recorded).toHaveLength(5);
      for (const { address, pending } of recorded) {
        expect(pending.find((entry) => entry.address === address)?.task).toEqual({ taskId: `task-${address}`, data: { queue: 'fast', attempt: 1 } });
      }
      expect((await readLockfile(dir)).pending).toEqual([]);
    });

    it('resumes a line left pending by a crashed run through doResumeSynthesis, without submitting it again', async () => {
      const dir = await createProject();
      await apply(dir, createFakeProvider());
      // Simulate a crash while intro/0002 was being rendered: its task was recorded, its audio never landed.
      const crashed = await leaveLinePending(dir, 'intro/0002', { taskId: 'task-42', data: { region: 'eu' } });
      await rm(path.join(dir, crashed.file));
      await rm(path.join(dir, '.voxform/cache', `${crashed.key}.wav`));

      const fake = createFakeProvider();
      const { summary, events } = await apply(dir, fake);
      expect(fake.calls.synthesize).toEqual([]);
      expect(fake.calls.resumeSynthesis).toHaveLength(1);
      expect(fake.calls.resumeSynthesis[0]).toMatchObject({ task: { taskId: 'task-42', data: { region: 'eu' } }, request: { text: lines['intro/0002'] } });
      expect(events).toContainEqual({ type: 'pending-settle', address: 'intro/0002', outcome: 'resumed' });
      expect(summary.failures).toEqual([]);

      const after = await readLockfile(dir);
      expect(after.pending).toEqual([]);
      expect(after.renders['intro/0002']).toMatchObject({ key: crashed.key, sha256: crashed.sha256 });
      expect(sha256(await readFile(path.join(dir, crashed.file)))).toBe(crashed.sha256);
    });

    it('settles from the cache a line killed after its audio was stored but before it was recorded: no vendor call, no --replace, restored from there', async () => {
      const dir = await createProject();
      await apply(dir, createFakeProvider());
      // A crash between storing the audio (output and cache written) and the lockfile write recording it:
      // the write-ahead entry is there, with no task (a vendor answering with the audio at once).
      const crashed = await leaveLinePending(dir, 'intro/0002');
      await rm(path.join(dir, crashed.file));

      const fake = createFakeProvider();
      const { summary, events, plan: planned } = await apply(dir, fake);
      expect(planned.changes.map((change) => [change.address, change.action])).toEqual([['intro/0002', 'restore']]);
      expect(summary.failures).toEqual([]);
      expect(fake.calls.synthesize).toEqual([]);
      expect(fake.calls.resumeSynthesis).toEqual([]);
      expect(events).toContainEqual({ type: 'pending-settle', address: 'intro/0002', outcome: 'cached' });
      const after = await readLockfile(dir);
      expect(after.pending).toEqual([]);
      expect(after.renders['intro/0002']).toMatchObject({ key: crashed.key, sha256: crashed.sha256 });
    });

    it('keeps pending work it cannot settle now, sends nothing new for it, and renders the rest', async () => {
      const dir = await createProject();
      await apply(dir, createFakeProvider());
      await leaveLinePending(dir, 'intro/0002', { taskId: 'task-42' });
      const lockfile = await readLockfile(dir);
      delete lockfile.renders['intro/0003'];
      await writeFile(path.join(dir, 'voices.lock'), serializeLockfile(lockfile));
      await rm(path.join(dir, '.voxform'), { recursive: true });

      const fake = createFakeProvider({
        async resumeSynthesis() {
          throw new Error('the vendor is unreachable');
        },
      });
      const { summary, events } = await apply(dir, fake);
      // intro/0003 is rendered; intro/0002 is not submitted again while its task may still bill.
      expect(fake.calls.synthesize.map((request) => addressOfText(request.text))).toEqual(['intro/0003']);
      expect(events).toContainEqual({ type: 'pending-settle', address: 'intro/0002', outcome: 'unsettled' });
      expect(summary.failures).toEqual([{ address: 'intro/0002', provider: 'fake', message: expect.stringContaining('the vendor is unreachable') }]);
      expect(summary.lines).toMatchObject({ done: 1, failed: 1, skipped: 0 });
      const after = await readLockfile(dir);
      expect(after.pending).toEqual([expect.objectContaining({ address: 'intro/0002', task: { taskId: 'task-42' } })]);
      expect(after.renders['intro/0003']).toBeDefined();
    });

    /** A project whose last apply crashed while cloning `villain`, after its write-ahead entry. */
    async function crashedWhileCloning(task?: { taskId: string }) {
      const dir = await createProject();
      const { project } = await plan(dir, createFakeProvider());
      const fingerprint = identifyManifest(project.manifest, sampleDigests(project)).voices.villain!.fingerprint;
      const lockfile: Lockfile = {
        lockfileVersion: 1, voices: {}, renders: {},
        pending: [{ kind: 'voice', address: 'voice.villain', key: fingerprint, provider: 'fake', startedAt: '2026-11-21T10:00:00.000Z', ...(task ? { task } : {}) }],
      };
      await writeFile(path.join(dir, 'voices.lock'), serializeLockfile(lockfile));
      return { dir, fingerprint };
    }

    it('resumes a voice left pending by a crashed run through doResumeVoice, without cloning it again', async () => {
      const { dir, fingerprint } = await crashedWhileCloning({ taskId: 'vx-villain-accepted' });
      const fake = createFakeProvider();
      const { summary, events } = await apply(dir, fake);
      expect(fake.calls.resumeVoice.map(({ request, task }) => [request.name, task.taskId])).toEqual([['villain', 'vx-villain-accepted']]);
      expect(fake.calls.createVoice.map((request) => request.name)).toEqual(['narrator']);
      expect(summary.lines.done).toBe(5);
      // Done like a voice created in this run: counted, and its voice-end ends the CLI's task for it.
      expect(summary.voices).toEqual({ done: 2, failed: 0 });
      expect(events.filter((event) => event.type === 'voice-end' && event.address === 'voice.villain')).toEqual([
        { type: 'voice-end', address: 'voice.villain', action: 'create', provider: 'fake' },
      ]);
      const after = await readLockfile(dir);
      expect(after.voices.villain).toMatchObject({ fingerprint, remoteId: 'vx-villain-accepted' });
      expect(after.pending).toEqual([]);
    });

    it('looks a client-chosen voice id up when the crash came before any task was recorded', async () => {
      const { dir, fingerprint } = await crashedWhileCloning();
      const fake = createFakeProvider({
        capabilities: { clientChosenVoiceIds: true },
        resumeVoice: async (request) => ({ remoteId: request.suggestedVoiceId }),
      });
      const { summary } = await apply(dir, fake);
      expect(fake.calls.resumeVoice.map(({ request, task }) => [request.name, task])).toEqual([['villain', {}]]);
      expect(fake.calls.createVoice.map((request) => request.name)).toEqual(['narrator']);
      expect(summary.lines.done).toBe(5);
      expect((await readLockfile(dir)).voices.villain).toMatchObject({ fingerprint, remoteId: suggestedVoiceId('villain', fingerprint) });
    });

    it('clones again when the vendor provably never received the interrupted create', async () => {
      const { dir } = await crashedWhileCloning();
      const fake = createFakeProvider({ capabilities: { clientChosenVoiceIds: true }, resumeVoice: async () => undefined });
      const { events } = await apply(dir, fake);
      expect(fake.calls.resumeVoice).toHaveLength(1);
      expect(fake.calls.createVoice.map((request) => request.name).sort()).toEqual(['narrator', 'villain']);
      expect(events).toContainEqual({ type: 'pending-settle', address: 'voice.villain', outcome: 'dropped' });
    });

    it('never clones again on its own an interrupted create it cannot look up, until --replace says so', async () => {
      const { dir } = await crashedWhileCloning();
      const fake = createFakeProvider({ capabilities: { clientChosenVoiceIds: false } });
      const { summary, events, plan: planned } = await apply(dir, fake);
      // The plan says so first.
      expect(planned.changes.find((change) => change.address === 'voice.villain')).toMatchObject({
        action: 'create',
        awaitsReplace: true,
        reason: expect.stringMatching(/may already have paid for it, so apply leaves it: .*voxform apply --replace voice\.villain$/),
      });
      expect(fake.calls.createVoice.map((request) => request.name)).toEqual(['narrator']);
      expect(summary.failures).toEqual([
        { address: 'voice.villain', provider: 'fake', message: expect.stringMatching(/may already have been billed.*voxform apply --replace voice\.villain/), replaceAddress: 'voice.villain' },
      ]);
      // One failure listed, one counted; its voice-end ends the CLI's task for it (with the reason).
      expect(summary.voices).toEqual({ done: 1, failed: 1 });
      expect(events.filter((event) => event.type === 'voice-end' && event.address === 'voice.villain')).toEqual([
        { type: 'voice-end', address: 'voice.villain', action: 'create', provider: 'fake', error: expect.stringMatching(/may already have been billed/) },
      ]);
      // Lines of that voice wait; the pending entry stays for the user to decide.
      expect(fake.calls.synthesize.map((request) => request.voice.name)).not.toContain('villain');
      expect((await readLockfile(dir)).pending.map((entry) => entry.address)).toEqual(['voice.villain']);

      const replaced = await apply(dir, fake, { planOptions: { replace: ['voice.villain'] } });
      expect(replaced.summary.failures).toEqual([]);
      expect(fake.calls.createVoice.map((request) => request.name)).toEqual(['narrator', 'villain']);
      expect((await readLockfile(dir)).pending).toEqual([]);
    });

    it('does an interrupted line of a free provider again without asking', async () => {
      const dir = await createProject();
      await apply(dir, createFakeProvider({ capabilities: { free: true } }));
      await leaveLinePending(dir, 'intro/0002');
      await rm(path.join(dir, '.voxform'), { recursive: true });

      const fake = createFakeProvider({ capabilities: { free: true } });
      const { summary } = await apply(dir, fake);
      expect(summary.failures).toEqual([]);
      expect(fake.calls.synthesize.map((request) => addressOfText(request.text))).toEqual(['intro/0002']);
    });

  });

  describe('state lock', () => {
    it('refuses a second apply while one holds the lock, naming the holder', async () => {
      const dir = await createProject();
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const fake = createFakeProvider({
        async synthesize(request) {
          entered();
          await gate;
          return wavFor(request.text);
        },
      });
      const planned = await plan(dir, fake);
      const first = applyPlan({ project: planned.project, plan: planned.plan, providers: planned.registry });
      await inside;

      const second = applyPlan({ project: planned.project, plan: planned.plan, providers: planned.registry });
      await expect(second).rejects.toThrow(UsageError);
      await expect(second).rejects.toThrow(`pid ${process.pid} on ${hostname()}`);
      await expect(second).rejects.toThrow(/voxform unlock/);

      release();
      expect((await first).lines.done).toBe(5);
      expect(fake.calls.synthesize).toHaveLength(5);
    });

    it('treats a lock whose process is gone as stale', async () => {
      const dir = await createProject();
      const pid = deadPid();
      await writeFiles(dir, { '.voxform/apply.lock': JSON.stringify({ pid, host: hostname(), startedAt: '2026-11-21T10:00:00.000Z', command: 'apply' }) });
      const { summary } = await apply(dir, createFakeProvider());
      expect(summary.lines.done).toBe(5);
      expect(await exists(path.join(dir, '.voxform/apply.lock'))).toBe(false);
    });

    it('does not take over a lock held on another host', async () => {
      const dir = await createProject();
      await writeFiles(dir, { '.voxform/apply.lock': JSON.stringify({ pid: deadPid(), host: 'build-agent-7', startedAt: '2026-11-21T10:00:00.000Z', command: 'apply' }) });
      await expect(apply(dir, createFakeProvider())).rejects.toThrow(/on build-agent-7/);
    });

    it('removeStateLock keeps the lock of a running holder unless forced, then apply runs', async () => {
      const dir = await createProject();
      const stateDir = path.join(dir, '.voxform');
      await acquireStateLock(stateDir, 'apply');
      expect(await readStateLock(stateDir)).toMatchObject({ pid: process.pid, host: hostname(), command: 'apply' });
      await expect(apply(dir, createFakeProvider())).rejects.toThrow(`pid ${process.pid}`);

      await expect(removeStateLock(stateDir)).rejects.toThrow(/running process.*voxform unlock --force/s);
      expect(await readStateLock(stateDir)).toMatchObject({ pid: process.pid });
      expect(await removeStateLock(stateDir, { force: true })).toMatchObject({ pid: process.pid });
      expect(await readStateLock(stateDir)).toBeUndefined();
      expect((await apply(dir, createFakeProvider())).summary.lines.done).toBe(5);
    });
  });

  it('removes the temp files a killed apply left in the cache, the output folders and beside voices.lock, and nothing else', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const recorded = (await readLockfile(dir)).renders['intro/0001']!;
    const folder = path.posix.dirname(recorded.file);
    const name = path.posix.basename(recorded.file);
    // What a kill -9 leaves mid-write: `.<name>.<12 hex>.tmp` beside an output, a cache entry and
    // voices.lock; write-file-atomic's `<name>.<number>` beside the lockfile's snapshot.
    const leftovers = [
      `${folder}/.${name}.1bb8854baa08.tmp`,
      // Beside an output this apply leaves as it is: a killed --replace leaves its temp there.
      `out/outro/.0002-0002.wav.0123456789ab.tmp`,
      `.voxform/cache/.${recorded.key}.wav.ece346987c4f.tmp`,
      '.voices.lock.a1b2c3d4e5f6.tmp',
      '.voxform/voices.lock.json.3141592653',
    ];
    const others = [
      `${folder}/notes.tmp`,
      `${folder}/.${name}.tmp`,
      `${folder}/.${name}.1BB8854BAA08.tmp`,
      `${folder}/.${name}.1bb8854baa0.tmp`,
      `${folder}/${name}.1bb8854baa08.tmp`,
      `${folder}/.${name}.1bb8854baa08.tmp.bak`,
      '.voxform/cache/notes.txt',
      '.voxform/voices.lock.json.tmp',
      // Voxform's pattern, but not beside the lockfile, or in a folder apply does not write to.
      '.editor.a1b2c3d4e5f6.tmp',
      'samples/.narrator.wav.a1b2c3d4e5f6.tmp',
      'notes/.draft.wav.a1b2c3d4e5f6.tmp',
    ];
    await writeFiles(dir, Object.fromEntries([...leftovers, ...others].map((file) => [file, 'partial audio'])));
    await rm(path.join(dir, recorded.file)); // something to do, so that apply runs

    const { summary } = await apply(dir, createFakeProvider());
    expect(summary.lines.done).toBe(1);
    for (const file of leftovers) expect(await exists(path.join(dir, file)), file).toBe(false);
    for (const file of others) expect(await exists(path.join(dir, file)), file).toBe(true);
    expect(await exists(path.join(dir, recorded.file))).toBe(true);
  });

  it('restores a deleted output from the cache without calling the provider', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const recorded = (await readLockfile(dir)).renders['outro/0001']!;
    await rm(path.join(dir, recorded.file));

    const fake = createFakeProvider();
    const { plan: planned, summary } = await apply(dir, fake);
    expect(planned.changes.map((change) => [change.address, change.action, change.reason])).toEqual([['outro/0001', 'restore', 'output missing; audio in cache']]);
    expect(summary.lines.done).toBe(1);
    expect(fake.calls.synthesize).toEqual([]);
    expect(fake.calls.createVoice).toEqual([]);
    expect(sha256(await readFile(path.join(dir, recorded.file)))).toBe(recorded.sha256);
    expect((await plan(dir, fake)).plan.changes).toEqual([]);
  });

  it('never restores a damaged cache entry: the line fails, nothing is paid, the entry is removed and the next plan renders it', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const before = await readLockfile(dir);
    const recorded = before.renders['outro/0001']!;
    const cacheFile = path.join(dir, '.voxform', 'cache', `${recorded.key}.wav`);
    const damaged = await readFile(cacheFile);
    const flipped = damaged.length - 10;
    damaged[flipped] = damaged[flipped]! ^ 0xff; // a sample flipped: still a readable WAV of the same length
    await writeFile(cacheFile, damaged);
    await rm(path.join(dir, recorded.file));

    const fake = createFakeProvider();
    const { plan: planned, summary } = await apply(dir, fake);
    expect(planned.changes.map((change) => [change.address, change.action])).toEqual([['outro/0001', 'restore']]);
    expect(summary.failures).toEqual([{ address: 'outro/0001', provider: 'fake', message: expect.stringMatching(/cache .* is damaged: its sha256 is .*voices\.lock recorded .*removed from the cache/) }]);
    expect(fake.calls.synthesize).toEqual([]);
    expect(await exists(path.join(dir, recorded.file))).toBe(false);
    expect(await exists(cacheFile)).toBe(false);
    expect((await readLockfile(dir)).renders['outro/0001']).toEqual(recorded);
    expect((await plan(dir, fake)).plan.changes.map((change) => [change.address, change.action])).toEqual([['outro/0001', 'rerender']]);
  });

  it('restores a line whose render key was rendered again for another line since: either recorded hash will do', async () => {
    const dir = await createProject();
    await writeFile(path.join(dir, 'voices.yaml'), (await readFile(path.join(dir, 'voices.yaml'), 'utf8')).replace(lines['outro/0001']!, lines['intro/0001']!));
    await apply(dir, createFakeProvider());
    const first = await readLockfile(dir);
    expect(first.renders['outro/0001']!.key).toBe(first.renders['intro/0001']!.key);
    // --replace gives intro/0001 new audio under the same key; outro/0001 keeps the hash of the old.
    const again = createFakeProvider({ synthesize: async (request) => wavFor(`${request.text} again`) });
    await apply(dir, again, { planOptions: { replace: ['intro/0001'] } });
    await rm(path.join(dir, first.renders['outro/0001']!.file));

    const fake = createFakeProvider();
    const { summary } = await apply(dir, fake);
    expect(summary.failures).toEqual([]);
    expect(fake.calls.synthesize).toEqual([]);
    expect(await exists(path.join(dir, first.renders['outro/0001']!.file))).toBe(true);
  });

  it('renders a line again on --replace even though its audio is in the cache', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const fake = createFakeProvider({ synthesize: async (request) => ({ ...wavFor(`${request.text} again`) }) });
    const { plan: planned, summary } = await apply(dir, fake, { planOptions: { replace: ['outro/0001'] } });
    expect(planned.changes.map((change) => [change.address, change.action])).toEqual([['outro/0001', 'rerender']]);
    expect(summary.lines.rendered).toBe(1);
    expect(fake.calls.synthesize.map((request) => request.text)).toEqual([lines['outro/0001']]);
    const render = (await readLockfile(dir)).renders['outro/0001']!;
    expect(sha256(await readFile(path.join(dir, render.file)))).toBe(render.sha256);
  });

  it('moves outputs when the path template changes, without calling the provider', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    const before = await readLockfile(dir);
    await writeFiles(dir, { 'voices.yaml': manifestText({ path: '{script}/{line}.{ext}' }) });

    const fake = createFakeProvider();
    const { summary, plan: planned } = await apply(dir, fake);
    expect(planned.changes.every((change) => change.action === 'move')).toBe(true);
    expect(summary.lines.done).toBe(5);
    expect(fake.calls.synthesize).toEqual([]);
    const after = await readLockfile(dir);
    expect(after.renders['intro/0002']?.file).toBe('out/intro/0002.wav');
    expect(after.renders['intro/0002']?.sha256).toBe(before.renders['intro/0002']?.sha256);
    expect((await listFiles(path.join(dir, 'out'))).sort()).toEqual(['intro/0001.wav', 'intro/0002.wav', 'intro/0003.wav', 'outro/0001.wav', 'outro/0002.wav']);
  });

  it('skips every line when stopped before it starts', async () => {
    const dir = await createProject();
    const fake = createFakeProvider();
    const stop = new AbortController();
    stop.abort();
    const { summary } = await apply(dir, fake, { stopSignal: stop.signal });
    expect(summary.interrupted).toBe(true);
    expect(summary.lines).toMatchObject({ done: 0, failed: 0, skipped: 5 });
    expect(fake.calls.createVoice).toEqual([]);
    expect(fake.calls.synthesize).toEqual([]);
    expect(await exists(path.join(dir, 'out'))).toBe(false);
  });

  it('stops scheduling when stopped mid-run; what ran is recorded', async () => {
    const dir = await createProject({ concurrency: 1 });
    const stop = new AbortController();
    const fake = createFakeProvider({
      async synthesize(request) {
        stop.abort();
        return wavFor(request.text);
      },
    });
    const { summary, events } = await apply(dir, fake, { stopSignal: stop.signal, parallelism: 1 });
    expect(summary.interrupted).toBe(true);
    expect(summary.lines).toMatchObject({ done: 1, failed: 0, skipped: 4 });
    expect(fake.calls.synthesize).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ type: 'interrupt', level: 1 }));
    expect(Object.keys((await readLockfile(dir)).renders)).toEqual([addressOfText(fake.calls.synthesize[0]!.text)]);
  });

  it('keeps the entry of a line aborted (second Ctrl-C) in flight with nothing to look it up by, and sends it again only on --replace', async () => {
    const dir = await createProject({ concurrency: 1 });
    const abort = new AbortController();
    const hanging = createFakeProvider({
      async synthesize(request, context) {
        if (request.text !== lines['intro/0002']) return wavFor(request.text);
        // The request is on its way to the vendor, which may accept (and bill) it whatever happens here.
        abort.abort();
        context.signal.throwIfAborted();
        return wavFor(request.text);
      },
    });
    const first = await apply(dir, hanging, { abortSignal: abort.signal, parallelism: 1 });
    expect(first.summary.failures).toContainEqual({ address: 'intro/0002', provider: 'fake', message: expect.stringMatching(/interrupted.*may already have been billed.*voxform apply --replace intro\/0002/), replaceAddress: 'intro/0002' });
    expect((await readLockfile(dir)).pending.map((entry) => entry.address)).toEqual(['intro/0002']);

    const fake = createFakeProvider();
    const second = await apply(dir, fake);
    expect(fake.calls.synthesize.map((request) => addressOfText(request.text))).not.toContain('intro/0002');
    expect(second.summary.failures).toEqual([{ address: 'intro/0002', provider: 'fake', message: expect.stringMatching(/may already have been billed.*voxform apply --replace intro\/0002/), replaceAddress: 'intro/0002' }]);
  });

  it('fails a line whose provider returns something that is not audio, leaving no file behind', async () => {
    const dir = await createProject();
    const fake = createFakeProvider({
      async synthesize(request) {
        if (request.text === lines['intro/0002']) return { audio: { type: 'bytes', bytes: new TextEncoder().encode('{"error":"quota"}') }, format: 'wav' };
        return wavFor(request.text);
      },
    });
    const { summary, plan: planned } = await apply(dir, fake);
    expect(summary.lines).toMatchObject({ done: 4, failed: 1, skipped: 0 });
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]).toMatchObject({ address: 'intro/0002', provider: 'fake' });
    expect(summary.failures[0]!.message).toMatch(/^the audio received is not wav \(17 bytes starting "\{\\"error\\""\)/);
    expect(await listFiles(path.join(dir, 'out/intro'))).toEqual(['0001-0001.wav', '0003-0003.wav']);
    const cached = await readdir(path.join(dir, '.voxform/cache'));
    expect(cached.sort()).toEqual(
      planned.changes.flatMap((change) => (change.kind === 'line' && change.address !== 'intro/0002' ? [`${change.key}.wav`] : [])).sort(),
    );
    expect((await readLockfile(dir)).renders['intro/0002']).toBeUndefined();
  });

  it('refuses to start when a provider needs a key that is not set, before anything is spent', async () => {
    const dir = await createProject();
    const fake = createFakeProvider({ capabilities: { apiKeyEnv: 'FAKE_API_KEY' } });
    await expect(apply(dir, fake, { env: {} })).rejects.toThrow(/Nothing was done:\n {2}fake needs an API key in \$FAKE_API_KEY/);
    expect(fake.calls.createVoice).toEqual([]);
    expect(fake.calls.synthesize).toEqual([]);

    const { summary } = await apply(dir, fake, { env: { FAKE_API_KEY: 'key-from-env' } });
    expect(summary.lines.done).toBe(5);
    expect(fake.calls.settings).toContainEqual(expect.objectContaining({ apiKey: 'key-from-env' }));
    expect(await readFile(path.join(dir, 'voices.lock'), 'utf8')).not.toContain('key-from-env');
  });

  it('stops with one clear error, before any billable call, when voices.lock cannot be written', async () => {
    const dir = await createProject();
    const fake = createFakeProvider();
    const planned = await plan(dir, fake);
    // A lockfile in a folder that does not exist: every write of it fails, as on a read-only disk.
    const project = { ...planned.project, paths: { ...planned.project.paths, lockfileFile: path.join(dir, 'gone', 'voices.lock') } };
    const applying = applyPlan({ project, plan: planned.plan, providers: planned.registry });
    await expect(applying).rejects.toSatisfy((error: unknown) => UsageError.isInstance(error));
    await expect(applying).rejects.toThrow(/cannot write .*voices\.lock \(ENOENT.*nothing more is sent to the vendors.*run `voxform apply` again/s);
    expect(fake.calls.createVoice).toEqual([]);
    expect(fake.calls.synthesize).toEqual([]);
    // The state lock is released for the next apply.
    expect(await readStateLock(path.join(dir, '.voxform'))).toBeUndefined();
  });

  it('refuses a plan whose lockfile changed since it was read', async () => {
    const dir = await createProject();
    const planned = await plan(dir, createFakeProvider());
    await writeFile(path.join(dir, 'voices.lock'), serializeLockfile({ lockfileVersion: 1, voices: {}, renders: {}, pending: [] }));
    await expect(applyPlan({ project: planned.project, plan: planned.plan, providers: planned.registry })).rejects.toThrow(/voices\.lock changed since it was read/);
    expect(await listFiles(dir)).not.toContain('out/intro/0001-0001.wav');
  });

  it('deletes outputs and voices gone from the manifest with --prune', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    await writeFiles(dir, {
      'voices.yaml': manifestText().replace(`      - narrator: ${lines['intro/0003']}\n`, ''),
    });
    const { summary, plan: planned } = await apply(dir, createFakeProvider(), { planOptions: { prune: true } });
    expect(planned.changes.map((change) => [change.address, change.action])).toEqual([['intro/0003', 'delete']]);
    expect(summary.lines.done).toBe(1);
    expect(await exists(path.join(dir, 'out/intro/0003-0003.wav'))).toBe(false);
    expect((await readLockfile(dir)).renders['intro/0003']).toBeUndefined();
  });

  it('reports the deletion of a voice gone from the manifest like any voice change: started, ended, counted', async () => {
    const dir = await createProject();
    await apply(dir, createFakeProvider());
    await writeFiles(dir, {
      'voices.yaml': manifestText()
        .replace('  villain: { provider: fake, sample: samples/villain.wav }\n', '')
        .replace(`      - villain: ${lines['intro/0002']}\n`, ''),
    });
    const { summary, events, plan: planned } = await apply(dir, createFakeProvider(), { planOptions: { prune: true } });
    expect(planned.changes.filter((change) => change.kind === 'voice').map((change) => [change.address, change.action])).toEqual([['voice.villain', 'delete']]);
    // The CLI closes a voice's progress on its voice-end: without one, a deleted voice reads as not finished.
    expect(events.filter((event) => event.type === 'voice-start' || event.type === 'voice-end')).toEqual([
      { type: 'voice-start', address: 'voice.villain', action: 'delete', provider: 'fake' },
      { type: 'voice-end', address: 'voice.villain', action: 'delete', provider: 'fake' },
    ]);
    expect(summary.voices).toEqual({ done: 1, failed: 0 });
    expect((await readLockfile(dir)).voices.villain).toBeUndefined();
  });

  it('--prune never deletes a file that a line of the manifest now writes', async () => {
    // With {index} but not {line} in the path, a line that gets an id keeps its file: the old address
    // is pruned, but its file now belongs to the new one.
    const dir = await createProject({ path: '{script}/{index}.{ext}' });
    await apply(dir, createFakeProvider());
    await writeFiles(dir, {
      'voices.yaml': manifestText({ path: '{script}/{index}.{ext}' }).replace(
        `      - narrator: ${lines['intro/0003']}`,
        '      - { id: finale, voice: narrator, text: The very end. }',
      ),
    });
    const { plan: planned, summary } = await apply(dir, createFakeProvider(), { planOptions: { prune: true }, parallelism: 1 });
    expect(planned.changes.map((change) => [change.address, change.action])).toEqual([
      ['intro/finale', 'render'],
      ['intro/0003', 'delete'],
    ]);
    expect(summary.failures).toEqual([]);
    const lockfile = await readLockfile(dir);
    expect(lockfile.renders['intro/finale']?.file).toBe('out/intro/0003.wav');
    expect(sha256(await readFile(path.join(dir, 'out/intro/0003.wav')))).toBe(lockfile.renders['intro/finale']?.sha256);
    expect((await plan(dir, createFakeProvider(), { prune: true })).plan.changes).toEqual([]);
  });
});
