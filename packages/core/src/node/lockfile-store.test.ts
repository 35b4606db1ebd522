import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../identity/sha256.js';
import { emptyLockfile, type Lockfile, type PendingEntry } from '../lockfile/lockfile-types.js';
import { parseLockfile } from '../lockfile/parse-lockfile.js';
import { serializeLockfile } from '../lockfile/serialize-lockfile.js';
import { LockfileStore } from './lockfile-store.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'voxform-lockfile-store-'));
  file = path.join(dir, 'voices.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rendered: Lockfile = {
  ...emptyLockfile(),
  renders: {
    'intro/0001': {
      key: sha256Hex('k1'), voice: 'narrator', voiceFingerprint: sha256Hex('v'), textSha256: sha256Hex('t'), optionsSha256: sha256Hex('o'),
      format: 'wav', file: 'out/intro/0001.wav', sha256: sha256Hex('a'), bytes: 10, durationMs: 5, chars: 3,
    },
  },
};

function pendingLine(n: number, task?: PendingEntry['task']): PendingEntry {
  return { kind: 'line', address: `intro/${String(n).padStart(4, '0')}`, key: sha256Hex(`key ${n}`), provider: 'minimax', startedAt: '2026-11-21T10:00:00.000Z', ...(task ? { task } : {}) };
}

/** What an apply does before a billable call: the entry into the state, then on disk before going on. */
async function startWork(store: LockfileStore, entry: PendingEntry): Promise<void> {
  store.update((lockfile) => void lockfile.pending.push(entry));
  await store.writeAhead(entry);
}

async function opened(options: ConstructorParameters<typeof LockfileStore>[2] = {}): Promise<LockfileStore> {
  await writeFile(file, serializeLockfile(rendered));
  return new LockfileStore(file, parseLockfile(await readFile(file, 'utf8'), 'voices.lock'), options);
}

describe('LockfileStore write-ahead', () => {
  it('puts a pending entry on disk before it returns, keeping everything already recorded', async () => {
    const store = await opened();
    await startWork(store, pendingLine(2));
    const onDisk = parseLockfile(await readFile(file, 'utf8'), 'voices.lock');
    expect(onDisk.pending).toEqual([pendingLine(2)]);
    expect(onDisk.renders).toEqual(rendered.renders);
  });

  it('appends later entries as lines, without rewriting what the file already holds', async () => {
    const store = await opened();
    await startWork(store, pendingLine(2));
    const before = await readFile(file, 'utf8');
    await startWork(store, pendingLine(3));
    await startWork(store, pendingLine(4));
    const after = await readFile(file, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length).split('\n').filter(Boolean)).toHaveLength(2);
    expect(parseLockfile(after, 'voices.lock').pending).toEqual([pendingLine(2), pendingLine(3), pendingLine(4)]);
  });

  it('records a task id given later as the same piece of work, not a second one', async () => {
    const store = await opened();
    const entry = pendingLine(2);
    await startWork(store, entry);
    await startWork(store, pendingLine(3));
    store.update(() => void (entry.task = { taskId: 'task-7', data: { audioUrl: 'https://cdn.example/a.wav?sig=x' } }));
    await store.writeAhead(entry);
    const onDisk = parseLockfile(await readFile(file, 'utf8'), 'voices.lock');
    expect(onDisk.pending).toEqual([pendingLine(3), pendingLine(2, { taskId: 'task-7', data: { audioUrl: 'https://cdn.example/a.wav?sig=x' } })]);
  });

  it('writes entries asked for at the same moment, all of them', async () => {
    const store = await opened();
    await startWork(store, pendingLine(1));
    const entries = Array.from({ length: 40 }, (_, index) => pendingLine(index + 2));
    await Promise.all(entries.map((entry) => startWork(store, entry)));
    const onDisk = parseLockfile(await readFile(file, 'utf8'), 'voices.lock');
    expect(onDisk.pending).toEqual([pendingLine(1), ...entries]);
  });

  it('appends vendor text of any kind so that both YAML parsers read it back exactly', async () => {
    const store = await opened();
    await startWork(store, pendingLine(1));
    const awkward = { note: 'quote " backslash \\ colon: # hash\u0085\u2028 é 😀 \u007f', ['__proto__']: 'own key', nested: [1, null, true, { 'a: b': '- c' }] };
    const entry = pendingLine(2, { taskId: 'id "with" quotes', data: awkward });
    await startWork(store, entry);
    const text = await readFile(file, 'utf8');
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
    const expected = JSON.parse(JSON.stringify(entry)) as PendingEntry;
    expect(parseLockfile(text, 'voices.lock').pending.at(-1)).toEqual(expected);
    expect((parse(text) as Lockfile).pending.at(-1)).toEqual(expected);
  });

  it('after a checkpoint with nothing pending (the file ends `pending: []`), writes the next entry with the whole file', async () => {
    const store = await opened();
    const entry = pendingLine(2);
    await startWork(store, entry);
    store.update((lockfile) => void (lockfile.pending = []));
    await store.flush();
    expect(await readFile(file, 'utf8')).toMatch(/pending: \[\]\n$/);
    await startWork(store, pendingLine(3));
    expect(parseLockfile(await readFile(file, 'utf8'), 'voices.lock').pending).toEqual([pendingLine(3)]);
  });

  it('leaves the canonical file when closed: appended lines folded back, finished work gone', async () => {
    const store = await opened();
    const entries = [pendingLine(2), pendingLine(3), pendingLine(4)];
    for (const entry of entries) await startWork(store, entry);
    store.update((lockfile) => void (lockfile.pending = lockfile.pending.filter((entry) => entry.address !== 'intro/0003')));
    await store.close();
    const text = await readFile(file, 'utf8');
    expect(text).toBe(serializeLockfile({ ...rendered, pending: [entries[0]!, entries[2]!] }));
    expect(text).not.toContain('{"kind"');
  });

  it('takes a change to disk by itself, in a checkpoint checkpointMs after it and not before', async () => {
    const store = await opened({ checkpointMs: 1000 });
    const before = await readFile(file, 'utf8');
    store.update((lockfile) => void lockfile.pending.push(pendingLine(2)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readFile(file, 'utf8')).toBe(before);
    await vi.waitFor(async () => expect(parseLockfile(await readFile(file, 'utf8'), 'voices.lock').pending).toEqual([pendingLine(2)]), { timeout: 3000, interval: 100 });
    await store.close();
  });

  it('waits five seconds before a checkpoint unless told otherwise', async () => {
    const store = await opened();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    try {
      store.update((lockfile) => void lockfile.pending.push(pendingLine(2)));
      expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
      expect(setTimeoutSpy.mock.calls[0]![1]).toBe(5000);
    } finally {
      setTimeoutSpy.mockRestore();
      await store.close();
    }
  });

  it('does not touch the file when nothing changed', async () => {
    await writeFile(file, `${serializeLockfile(rendered)}# a comment of the user's\n`);
    const store = new LockfileStore(file, parseLockfile(await readFile(file, 'utf8'), 'voices.lock'));
    await store.flush();
    await store.close();
    expect(await readFile(file, 'utf8')).toContain("# a comment of the user's");
  });

  it('fails every later write with one error that says what to do, once the file cannot be written', async () => {
    const store = await opened();
    // Something that is not a file where voices.lock was: unwritable even for root.
    await rm(file);
    await mkdir(file);
    await writeFile(path.join(file, 'x'), '');
    const first = startWork(store, pendingLine(2));
    await expect(first).rejects.toThrow(/voxform cannot write .*voices\.lock \((EISDIR|ENOTEMPTY|EEXIST).*Make .* writable.*then run `voxform apply` again/s);
    await expect(startWork(store, pendingLine(3))).rejects.toBe(store.failure);
    await expect(store.flush()).rejects.toBe(store.failure);
  });
});

describe('appended lines cut short', () => {
  it('drops a last line that a power loss cut before its newline: its call was never made', async () => {
    const store = await opened();
    await startWork(store, pendingLine(2));
    await startWork(store, pendingLine(3));
    const text = await readFile(file, 'utf8');
    const torn = text.slice(0, text.length - 30);
    expect(parseLockfile(torn, 'voices.lock').pending).toEqual([pendingLine(2)]);
  });

  it('keeps a complete last entry even without its newline', async () => {
    const store = await opened();
    await startWork(store, pendingLine(2));
    await startWork(store, pendingLine(3));
    const text = await readFile(file, 'utf8');
    expect(parseLockfile(text.slice(0, -1), 'voices.lock').pending).toEqual([pendingLine(2), pendingLine(3)]);
  });
});
