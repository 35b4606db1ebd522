import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodePcmWav, measureLoudness } from '@voxform/core';
import { ffmpegAvailable, ffmpegLoudness } from './support/ffmpeg.js';
import { root, voxform as run } from './support/voxform-process.js';

// The CLI end to end, as a user runs it: a separate process on a copy of examples/audiobook.
const voxform = (dir: string, ...args: string[]) => run(dir, args);
/** The example's whole book: built only where ffmpeg is installed (CI has none). */
const book = ffmpegAvailable ? ['book.the-lighthouse'] : [];
const chaptersOf = (lock: LockShape) => Object.entries(lock.assemblies).filter(([address]) => !address.startsWith('book.'));

interface LockShape {
  voices: Record<string, { fingerprint: string }>;
  renders: Record<string, { key: string; sha256: string; file: string }>;
  assemblies: Record<string, { key: string; sha256: string; file: string; parts: Array<{ address: string; key: string }>; loudness: { target: number; integrated: number } }>;
  pending: unknown[];
}
const readLock = async (dir: string) => parse(await readFile(path.join(dir, 'voices.lock'), 'utf8')) as LockShape;
const planJson = async (dir: string) => {
  const run = await voxform(dir, 'plan', '--json', '--detailed-exitcode');
  return { code: run.code, plan: JSON.parse(run.stdout) as { changes: Array<{ address: string; action: string; reason: string; characters: number }> } };
};

describe('voxform on examples/audiobook', () => {
  let dir: string;
  let firstLock: LockShape;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'voxform-e2e-'));
    await cp(path.join(root, 'examples/audiobook'), dir, {
      recursive: true,
      filter: (source) => !/[/\\](out|\.voxform)$/.test(source) && !source.endsWith('voices.lock'),
    });
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validates the example', async () => {
    const run = await voxform(dir, 'validate');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/is valid: 2 voices, 3 scripts, \d+ lines/);
  });

  it('refuses to spend without --yes when not in a terminal', async () => {
    const run = await voxform(dir, 'apply');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--yes');
    await expect(readFile(path.join(dir, 'voices.lock'))).rejects.toThrow();
  });

  it('applies: every line rendered to a WAV with speech, recorded in voices.lock', async () => {
    const run = await voxform(dir, 'apply', '--yes');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    firstLock = await readLock(dir);
    const addresses = Object.keys(firstLock.renders);
    expect(addresses).toContain('chapter-01/villain-arrives');
    expect(addresses.filter((address) => address.startsWith('chapter-02/'))).toHaveLength(5);
    expect(firstLock.pending).toEqual([]);
    for (const render of Object.values(firstLock.renders)) {
      const bytes = await readFile(path.join(dir, render.file));
      expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
      expect(bytes.length).toBeGreaterThan(10_000);
    }
  });

  it('assembles one file per chapter, each within 1 LU of the -18 LUFS target, its parts recorded', async () => {
    expect(Object.keys(firstLock.assemblies).sort()).toEqual([...book, 'chapter-01', 'chapter-02', 'chapter-03'].sort());
    // In speaking order.
    expect(firstLock.assemblies['chapter-01']!.parts.map((part) => part.address)).toEqual(['chapter-01/0001', 'chapter-01/0002', 'chapter-01/villain-arrives', 'chapter-01/0004']);
    for (const [script, assembly] of chaptersOf(firstLock)) {
      expect(assembly.file).toBe(`out/${script}.wav`);
      expect(assembly.parts.map((part) => part.address).sort()).toEqual(Object.keys(firstLock.renders).filter((address) => address.startsWith(`${script}/`)).sort());
      for (const part of assembly.parts) expect(part.key).toBe(firstLock.renders[part.address]!.key);
      // Measured again here, by the meter checked against EBU Tech 3341's signals, and by ffmpeg when installed.
      const measured = measureLoudness(decodePcmWav(await readFile(path.join(dir, assembly.file))));
      expect(Math.abs(measured.integrated + 18)).toBeLessThanOrEqual(1);
      expect(measured.truePeak).toBeLessThanOrEqual(-0.9);
      expect(assembly.loudness).toMatchObject({ target: -18, integrated: expect.closeTo(measured.integrated, 1) });
      if (ffmpegLoudness) expect(Math.abs(ffmpegLoudness(path.join(dir, assembly.file)) + 18)).toBeLessThanOrEqual(1);
    }
  });

  it('plans nothing right after apply (exit 0); without ffmpeg it says the book is not built', async () => {
    const run = await voxform(dir, 'plan', '--detailed-exitcode');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No changes');
    if (!ffmpegAvailable) expect(run.stdout).toContain('1 book is not built: ffmpeg is not installed');
  });

  it.skipIf(!ffmpegAvailable)('builds the whole book as an M4B with one chapter marker per chapter (ffmpeg)', async () => {
    const recorded = firstLock.assemblies['book.the-lighthouse']!;
    expect(recorded.file).toBe('out/the-lighthouse.m4b');
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', path.join(dir, recorded.file)], { encoding: 'utf8' });
    const { chapters } = JSON.parse(probe.stdout) as { chapters: Array<{ tags: { title: string } }> };
    expect(chapters.map((chapter) => chapter.tags.title)).toEqual(['chapter-01', 'chapter-02', 'chapter-03']);
  });

  it('passes the quality gates of voxform check (exit 0)', async () => {
    const run = await voxform(dir, 'check');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Checked 12 lines and 3 chapters: no problem found.');
  });

  it('check lists a line whose audio is silent (exit 1); apply --replace of it with --check renders it and its chapter again', async () => {
    const render = firstLock.renders['chapter-01/0002']!;
    const file = path.join(dir, render.file);
    const original = await readFile(file);
    // The same WAV with every sample zeroed: what a vendor's failed synthesis can look like.
    const silent = Buffer.from(original);
    silent.fill(0, 44);
    await writeFile(file, silent);

    // Changed after apply wrote it: check says so, and that apply puts the recorded audio back for free.
    const failing = await voxform(dir, 'check');
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('✗ chapter-01/0002 (out/chapter-01/0002-0002.wav)');
    expect(failing.stdout).toContain('changed since apply wrote it');
    expect(failing.stdout).toContain('silent: its loudest sample is -inf dBFS');
    expect(failing.stdout).toContain('Put back the audio voices.lock records for chapter-01/0002 (from .voxform/cache, free): voxform apply');
    expect(failing.stdout).not.toContain('--replace');

    const replaced = await voxform(dir, 'apply', '--yes', '--replace', 'chapter-01/0002', '--check');
    expect(replaced.stderr).toBe('');
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/-\/\+ chapter-01\/0002 rerender .*replacement requested/);
    expect(replaced.stdout).toContain('-/+ chapter-01 reassemble out/chapter-01.wav: chapter-01/0002 rendered again');
    expect(replaced.stdout).toContain('Checked 12 lines and 3 chapters: no problem found.');
    // espeak-ng is deterministic: the same audio as the first time.
    expect((await readFile(file)).equals(original)).toBe(true);
  });

  it('re-renders exactly the edited line, then restores the original from the cache', async () => {
    const manifestFile = path.join(dir, 'voices.yaml');
    const original = await readFile(manifestFile, 'utf8');
    await writeFile(manifestFile, original.replace('the sea was as flat as glass', 'the sea was as calm as a mirror'));

    const edited = await planJson(dir);
    expect(edited.code).toBe(2);
    // That line and its chapter, nothing else.
    expect(edited.plan.changes.map((change) => `${change.action} ${change.address}`)).toEqual(['rerender chapter-03/0001', 'reassemble chapter-03', ...book.map((address) => `reassemble ${address}`)]);
    expect(edited.plan.changes[0]!.reason).toContain('text changed');
    expect(edited.plan.changes[1]!.reason).toBe('chapter-03/0001 changed');

    const apply = await voxform(dir, 'apply', '--yes', '--json');
    expect(apply.code).toBe(0);
    expect(JSON.parse(apply.stdout).summary.lines).toMatchObject({ done: 1, rendered: 1 });
    const afterEdit = await readLock(dir);
    for (const [address, render] of Object.entries(afterEdit.renders)) {
      if (address === 'chapter-03/0001') expect(render.key).not.toBe(firstLock.renders[address]!.key);
      else expect(render.sha256).toBe(firstLock.renders[address]!.sha256);
    }
    for (const [script, assembly] of chaptersOf(afterEdit)) {
      if (script === 'chapter-03') expect(assembly.sha256).not.toBe(firstLock.assemblies[script]!.sha256);
      else expect(assembly.sha256).toBe(firstLock.assemblies[script]!.sha256);
    }

    await writeFile(manifestFile, original);
    const reverted = await planJson(dir);
    expect(reverted.code).toBe(2);
    expect(reverted.plan.changes).toEqual([
      expect.objectContaining({ address: 'chapter-03/0001', action: 'restore', characters: 0 }),
      expect.objectContaining({ address: 'chapter-03', action: 'reassemble', characters: 0 }),
      ...book.map((address) => expect.objectContaining({ address, action: 'reassemble' })),
    ]);
    const restore = await voxform(dir, 'apply', '--yes', '--json');
    expect(JSON.parse(restore.stdout).summary.lines).toMatchObject({ done: 1, rendered: 0 });
    expect((await readLock(dir)).renders['chapter-03/0001']!.sha256).toBe(firstLock.renders['chapter-03/0001']!.sha256);
    // Assembling is deterministic: the same lines give the same chapter, byte for byte.
    expect((await readLock(dir)).assemblies['chapter-03']!.sha256).toBe(firstLock.assemblies['chapter-03']!.sha256);
  });

  it('restores a deleted output from the cache', async () => {
    const render = firstLock.renders['chapter-01/0001']!;
    await rm(path.join(dir, render.file));
    const { plan } = await planJson(dir);
    expect(plan.changes).toEqual([expect.objectContaining({ address: 'chapter-01/0001', action: 'restore' })]);
    const apply = await voxform(dir, 'apply', '--yes', '--json');
    expect(JSON.parse(apply.stdout).summary.lines).toMatchObject({ done: 1, rendered: 0 });
  });

  it('renders everything again without cache or outputs, to the same hashes', async () => {
    await rm(path.join(dir, 'out'), { recursive: true });
    await rm(path.join(dir, '.voxform'), { recursive: true });
    const { plan } = await planJson(dir);
    expect(plan.changes.every((change) => change.action === 'rerender' || (change.action === 'reassemble' && change.reason === 'output missing'))).toBe(true);
    const apply = await voxform(dir, 'apply', '--yes');
    expect(apply.code).toBe(0);
    const again = await readLock(dir);
    expect(Object.fromEntries(Object.entries(again.renders).map(([address, render]) => [address, render.sha256]))).toEqual(
      Object.fromEntries(Object.entries(firstLock.renders).map(([address, render]) => [address, render.sha256])),
    );
    expect(chaptersOf(again).map(([, assembly]) => assembly.sha256)).toEqual(chaptersOf(firstLock).map(([, assembly]) => assembly.sha256));
  });

  it('refuses a saved plan once the lockfile changed', async () => {
    const manifestFile = path.join(dir, 'voices.yaml');
    const original = await readFile(manifestFile, 'utf8');
    await writeFile(manifestFile, original.replace('The keeper said nothing', 'The keeper said not a word'));
    const planFile = path.join(dir, 'plan.json');
    expect((await voxform(dir, 'plan', '--out', planFile)).code).toBe(0);
    await rm(path.join(dir, firstLock.renders['chapter-01/0002']!.file));
    expect((await voxform(dir, 'apply', '--yes', '--target', 'chapter-01/0002')).code).toBe(0);
    const stale = await voxform(dir, 'apply', planFile);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('stale');
    await writeFile(manifestFile, original);
  });

  it('reports broken YAML with line and column, and writes nothing', async () => {
    const broken = await mkdtemp(path.join(tmpdir(), 'voxform-broken-'));
    await writeFile(path.join(broken, 'voices.yaml'), 'version: 1\nvoices:\n  narrator: [unclosed\nscripts: {}\n');
    const run = await voxform(broken, 'plan');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/voices\.yaml:\d+:\d+: YAML syntax/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readdir(broken)).toEqual(['voices.yaml']);
    await rm(broken, { recursive: true });
  });

  it('reports every mistake of a manifest at once, with positions, and writes nothing', async () => {
    const broken = await mkdtemp(path.join(tmpdir(), 'voxform-mistakes-'));
    await cp(path.join(dir, 'samples'), path.join(broken, 'samples'), { recursive: true });
    await writeFile(
      path.join(broken, 'voices.yaml'),
      [
        'version: 1',
        'providers:',
        '  local:',
        '    apiKey: sk-live-0123456789abcdef',
        'voices:',
        '  narrator:',
        '    provider: local',
        '    sample: samples/narrator.wav',
        '    options: { tone: warm }',
        '  ghost:',
        '    provider: local',
        '    sample: samples/missing.wav',
        'scripts:',
        '  one:',
        '    lines:',
        '      - { id: intro, voice: narrator, text: Hello. }',
        '      - { id: intro, voice: narrator, text: Again. }',
        '      - stranger: Who are you?',
        '',
      ].join('\n'),
    );
    const before = await readdir(broken);
    const run = await voxform(broken, 'validate');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/voices\.yaml:4:13: providers\.local\.apiKey: must be a reference to an environment variable/);
    expect(run.stderr).not.toContain('sk-live-0123456789abcdef');
    expect(run.stderr).toMatch(/voices\.yaml:9:\d+: voices\.narrator\.options\.tone: unknown voice option/);
    expect(run.stderr).toMatch(/voices\.yaml:12:13: voices\.ghost\.sample: sample file samples\/missing\.wav does not exist/);
    expect(run.stderr).toMatch(/voices\.yaml:17:\d+: .*duplicate line address 'one\/intro'/);
    expect(run.stderr).toMatch(/voices\.yaml:18:9: .*unknown voice 'stranger'/);
    expect(run.stderr).toContain('5 problems found; nothing was written.');
    expect(await readdir(broken)).toEqual(before);
    await rm(broken, { recursive: true });
  });

  it('unlock removes a stale state lock and says whose it was', async () => {
    await writeFile(path.join(dir, '.voxform', 'apply.lock'), JSON.stringify({ pid: 999_999, host: 'elsewhere', startedAt: '2026-01-01T00:00:00Z', command: 'voxform apply' }));
    const held = await voxform(dir, 'apply', '--yes', '--replace', 'chapter-01/0001');
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('pid 999999 on elsewhere');
    const unlock = await voxform(dir, 'unlock');
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain('Removed the state lock of voxform apply (pid 999999 on elsewhere, since 2026-01-01T00:00:00Z)');
    expect(unlock.stdout).toContain('another host');
  });

  it('unlock refuses the lock of a running process on this host unless --force; a dead one\'s it removes', async () => {
    const lockFile = path.join(dir, '.voxform', 'apply.lock');
    // This test's own process: running, on this host, as a live apply would be.
    const running = { pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00Z', command: 'voxform apply' };
    await writeFile(lockFile, JSON.stringify(running));
    const refused = await voxform(dir, 'unlock');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`held by a running process: voxform apply, pid ${process.pid} on ${hostname()}, since 2026-01-01T00:00:00Z`);
    expect(refused.stderr).toContain('Stop that process first');
    expect(refused.stderr).toContain('`voxform unlock --force`');
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toEqual(running);

    const forced = await voxform(dir, 'unlock', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`Removed the state lock of voxform apply (pid ${process.pid} on ${hostname()}`);
    await expect(readFile(lockFile)).rejects.toThrow(/ENOENT/);

    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await writeFile(lockFile, JSON.stringify({ ...running, pid: dead }));
    const removed = await voxform(dir, 'unlock');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`pid ${dead} on ${hostname()}`);
    expect(removed.stdout).toContain('its process is gone');
    await expect(readFile(lockFile)).rejects.toThrow(/ENOENT/);

    const help = await voxform(dir, 'unlock', '--help');
    expect(help.stdout).toContain('--force');
  });
});

describe('voxform init, then show', () => {
  it('writes a starter that validates and applies once a sample is in place, and show reports what was produced', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'voxform-init-'));
    try {
      const init = await voxform(dir, 'init');
      expect(init.code).toBe(0);
      expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toContain('.voxform/');
      const again = await voxform(dir, 'init');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('--force');

      const missingSample = await voxform(dir, 'validate');
      expect(missingSample.code).toBe(1);
      expect(missingSample.stderr).toMatch(/voices\.yaml:\d+:\d+: voices\.narrator\.sample: sample file samples\/narrator\.wav does not exist/);

      await cp(path.join(root, 'examples/audiobook/samples/narrator.wav'), path.join(dir, 'samples/narrator.wav'));
      expect((await voxform(dir, 'apply', '--yes', '--quiet')).code).toBe(0);

      const show = await voxform(dir, 'show');
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/voice\.narrator\s+local, created/);
      expect(show.stdout).toMatch(/chapter-01\s+2 lines/);
      const json = JSON.parse((await voxform(dir, 'show', '--json')).stdout) as LockShape;
      expect(Object.keys(json.renders).sort()).toEqual(['chapter-01/0001', 'chapter-01/second-line']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('voxform apply --prune', () => {
  it('reports a voice and chapter files it deleted as done and deleted: nothing unfinished, nothing assembled', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'voxform-prune-'));
    try {
      await writeFile(path.join(dir, 'voices.yaml'), [
        'version: 1',
        'voices:',
        '  narrator: { provider: local, sample: samples/narrator.wav }',
        '  villain: { provider: local, sample: samples/villain.wav }',
        'scripts:',
        '  chapter-01:',
        '    assemble: true',
        '    lines:',
        '      - narrator: The keeper said nothing.',
        '      - villain: Good evening, keeper.',
        '',
      ].join('\n'));
      await cp(path.join(root, 'examples/audiobook/samples'), path.join(dir, 'samples'), { recursive: true });
      expect((await voxform(dir, 'apply', '--yes', '--quiet')).code).toBe(0);

      // The villain, its line and the chapter file all go.
      await writeFile(path.join(dir, 'voices.yaml'), [
        'version: 1',
        'voices:',
        '  narrator: { provider: local, sample: samples/narrator.wav }',
        'scripts:',
        '  chapter-01:',
        '    lines:',
        '      - narrator: The keeper said nothing.',
        '',
      ].join('\n'));
      const pruned = await voxform(dir, 'apply', '--yes', '--prune');
      expect(pruned.code).toBe(0);
      expect(`${pruned.stdout}${pruned.stderr}`).not.toContain('not finished');
      expect(pruned.stdout).toContain('Apply complete: 1 voice change, 1 line done, 0 characters billed, 1 chapter or book file deleted in');
      expect(pruned.stdout).not.toMatch(/files? assembled/);
      expect(pruned.stdout).toContain('[COMPLETED] voice.villain: delete (local)');
      const lock = await readLock(dir);
      expect(Object.keys(lock.voices)).toEqual(['narrator']);
      expect(lock.assemblies).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
