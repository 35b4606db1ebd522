import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseBuffer } from 'music-metadata';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './support/voxform-process.js';

// examples/react-app in Debian's Chromium, as a user runs it: its server (emulator, clone handler, Vite)
// started as `pnpm --filter react-app dev` starts it, the page driven by playwright-core.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (!haveChromium && !inCi) {
  console.warn(`test/react-app.browser.test.ts skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH). In CI it fails instead.`);
}

// Distinctive keys: the emulator is started to accept them, and none may reach the page or the log.
const keys = {
  MINIMAX_API_KEY: 'sk-mm-BROWSERLEAK-31c4e7a9d2',
  VIDU_API_KEY: 'vd-BROWSERLEAK-8b2f6d1e0a',
  SOUNDCLONE_API_KEY: 'sc-BROWSERLEAK-5e9a3c7b1f',
  AIVOICECLONEFREE_API_KEY: 'av-BROWSERLEAK-2d8f4b6e9c',
};
const artifacts = path.join(root, 'test/artifacts');

let app: ChildProcess;
let appUrl: string;
let emulatorUrl: string;
let log = '';
let browser: Browser;
let context: BrowserContext;
let scratch: string;
let samplePath: string;
const apiBodies: Promise<string>[] = [];

async function startApp(): Promise<void> {
  // What the example's `dev` script runs (examples/react-app/package.json), on free ports.
  app = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'server.ts'], {
    cwd: path.join(root, 'examples/react-app'),
    env: { ...process.env, ...keys, PORT: '0', EMULATOR_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stderr!.on('data', (chunk) => (log += chunk));
  const ready = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: app.stdout! });
    lines.on('line', (line) => {
      log += `${line}\n`;
      if (line.startsWith('react-app: ')) resolve(line);
    });
    app.once('exit', (code) => reject(new Error(`the react-app server exited with ${code}:\n${log}`)));
  });
  const [, url, emulator] = /^react-app: (\S+) \(vendors: voxform emulator at (\S+);/.exec(ready)!;
  appUrl = url!;
  emulatorUrl = emulator!;
}

async function setFaults(vendor: string, faults: object): Promise<void> {
  const response = await fetch(`${emulatorUrl}/__emulator/faults/${vendor}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  expect(response.status).toBe(200);
}

async function openPage(query = ''): Promise<Page> {
  const page = await context.newPage();
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/voxform') && !response.url().endsWith('/audio')) apiBodies.push(response.text().catch(() => ''));
  });
  await page.goto(`${appUrl}/${query}`);
  await page.getByRole('button', { name: 'Clone and speak' }).waitFor();
  return page;
}

/** Submits the form with the sample file; resolves to the new task's id, read from the URL. */
async function submitUpload(page: Page, text: string): Promise<string> {
  await page.getByTestId('sample-file').setInputFiles(samplePath);
  await page.getByLabel('Text').fill(text);
  await page.getByRole('button', { name: 'Clone and speak' }).click();
  await page.waitForURL(/[?&]task=/);
  return new URL(page.url()).searchParams.get('task')!;
}

/** Every status the page showed, in order, until a final one. */
async function statusesUntilFinal(page: Page): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = await page.getByTestId('task-status').textContent({ timeout: 30_000 });
    if (status && seen.at(-1) !== status) seen.push(status);
    if (status === 'completed' || status === 'failed' || status === 'cancelled') return seen;
    await page.waitForTimeout(25);
  }
  throw new Error(`the task did not finish; statuses seen: ${seen.join(' → ')}`);
}

/** The page's <audio> plays: Chromium loads it, knows its duration, plays it, and decodes the same bytes as audio. */
async function expectPlayableAudio(page: Page): Promise<{ src: string; duration: number; playedSeconds: number; decodedSeconds: number }> {
  const audio = page.getByTestId('result-audio');
  await audio.waitFor();
  return audio.evaluate(async (element: HTMLAudioElement) => {
    if (element.readyState < HTMLMediaElement.HAVE_ENOUGH_DATA) {
      await new Promise<void>((resolve, reject) => {
        element.addEventListener('canplaythrough', () => resolve(), { once: true });
        element.addEventListener('error', () => reject(new Error(`audio error ${element.error?.code}: ${element.error?.message}`)), { once: true });
        element.load();
      });
    }
    // It plays: muted (no gesture needed), the clock moves.
    element.muted = true;
    await element.play();
    await new Promise<void>((resolve) => element.addEventListener('timeupdate', () => element.currentTime > 0.1 && resolve()));
    element.pause();
    const playedSeconds = element.currentTime;
    const bytes = await (await fetch(element.currentSrc)).arrayBuffer();
    const decoded = await new OfflineAudioContext(1, 44_100, 44_100).decodeAudioData(bytes);
    return { src: element.currentSrc, duration: element.duration, playedSeconds, decodedSeconds: decoded.duration };
  });
}

describe.runIf(haveChromium || inCi)('examples/react-app in Chromium', () => {
  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI needs Chromium at ${chromiumPath} for the browser test: .ci/run installs it with apt-get install chromium`);
    scratch = await mkdtemp(path.join(tmpdir(), 'voxform-browser-'));
    await Promise.all([
      startApp(),
      chromium
        .launch({
          executablePath: chromiumPath,
          // Root in CI needs --no-sandbox; the rest keeps Chromium off a network this machine does not have.
          args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        })
        .then((launched) => (browser = launched)),
    ]);
    context = await browser.newContext();
    // A real 20 s recording of speech, from the emulator's samples, to upload.
    samplePath = path.join(scratch, 'my voice.wav');
    await writeFile(samplePath, new Uint8Array(await (await fetch(`${emulatorUrl}/files/samples/narrator.wav`)).arrayBuffer()));
    await mkdir(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    app?.kill('SIGTERM');
    await new Promise((resolve) => (app && app.exitCode === null ? app.once('exit', resolve) : resolve(undefined)));
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('uploads a sample, shows the status change, and plays the cloned voice', async () => {
    // Slow enough that the page shows the task running before it finishes.
    await setFaults('minimax', { latencyMs: 300 });
    const page = await openPage();
    const audioResponses: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/audio')) audioResponses.push(response.status());
    });
    await submitUpload(page, 'The keeper climbed the stairs and lit the lamp.');
    const seen = await statusesUntilFinal(page);
    expect(['pending', 'processing']).toContain(seen[0]);
    expect(seen.at(-1)).toBe('completed');

    const played = await expectPlayableAudio(page);
    expect(played.duration).toBeGreaterThan(0.5);
    expect(played.playedSeconds).toBeGreaterThan(0.1);
    expect(played.decodedSeconds).toBeGreaterThan(0.5);
    // The media element asks for byte ranges, and the handler answers them.
    expect(audioResponses).toContain(206);

    // The same bytes, outside the browser: an MP3 of speech.
    const cookies = (await context.cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
    const bytes = new Uint8Array(await (await fetch(played.src, { headers: { cookie: cookies } })).arrayBuffer());
    const metadata = await parseBuffer(bytes, undefined, { duration: true });
    expect(metadata.format.container?.toLowerCase()).toContain('mpeg');
    expect(metadata.format.duration).toBeGreaterThan(0.5);

    await page.screenshot({ path: path.join(artifacts, 'react-app-finished.png'), fullPage: true });
    await page.close();
  });

  it('shows the same task finishing after the page is closed mid-task and opened again by its URL', async () => {
    await setFaults('minimax', { latencyMs: 1200 });
    const first = await openPage();
    const id = await submitUpload(first, 'Closed before the end, heard after all.');
    await expect.poll(() => first.getByTestId('task-status').textContent(), { timeout: 20_000 }).toBe('processing');
    await first.close();

    const again = await openPage(`?task=${id}`);
    expect(await again.locator('h2 code').textContent()).toBe(id);
    const seen = await statusesUntilFinal(again);
    expect(seen.at(-1)).toBe('completed');
    expect((await expectPlayableAudio(again)).decodedSeconds).toBeGreaterThan(0.5);
    // Nothing was paid twice for it.
    const calls = (await (await fetch(`${emulatorUrl}/__emulator/calls`)).json()) as { duplicates: unknown[] };
    expect(calls.duplicates).toEqual([]);
    await again.close();
    await setFaults('minimax', {});
  });

  it('answers 401 to a request without the example\'s session, and 403 for another session\'s task', async () => {
    const page = await openPage();
    const id = await submitUpload(page, 'Only mine.');
    const anonymous = await fetch(`${appUrl}/api/voxform/tasks/${id}`);
    expect(anonymous.status).toBe(401);
    const create = await fetch(`${appUrl}/api/voxform/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Hi.', provider: 'minimax', sampleUrl: `${emulatorUrl}/files/samples/x.wav` }) });
    expect(create.status).toBe(401);
    expect(((await create.json()) as { error: { message: string } }).error.message).toContain('no authorisation');

    const stranger = await browser.newContext();
    const theirs = await stranger.newPage();
    await theirs.goto(`${appUrl}/?task=${id}`);
    await expect.poll(() => theirs.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('belongs to someone else');
    await stranger.close();
    await page.close();
  });

  it('refuses a 30 MB upload with 413 and says why', async () => {
    const page = await openPage();
    const huge = path.join(scratch, 'huge.wav');
    await writeFile(huge, Buffer.alloc(30 * 1024 * 1024));
    await page.getByTestId('sample-file').setInputFiles(huge);
    const answer = page.waitForResponse((response) => response.url().endsWith('/api/voxform/tasks') && response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Clone and speak' }).click();
    expect((await answer).status()).toBe(413);
    await expect.poll(() => page.getByTestId('request-error').textContent()).toContain('larger than the');
    expect(new URL(page.url()).searchParams.get('task')).toBeNull();
    await page.close();
  });

  it('refuses an unknown option with 400, naming it', async () => {
    const page = await openPage();
    await page.getByTestId('sample-file').setInputFiles(samplePath);
    await page.getByText('Line options').click();
    await page.getByLabel('Options').fill('{"tone": "warm"}');
    const answer = page.waitForResponse((response) => response.url().endsWith('/api/voxform/tasks') && response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Clone and speak' }).click();
    expect((await answer).status()).toBe(400);
    await expect.poll(() => page.getByTestId('request-error').textContent()).toMatch(/^options\.tone: unknown line option for minimax: 'tone' \(allowed: /);
    await page.close();
  });

  it('keeps every API key out of the pages, the API\'s answers and the server\'s log', async () => {
    const page = await openPage();
    const html = await page.content();
    await page.close();
    const everything = [log, html, ...(await Promise.all(apiBodies))].join('\n');
    expect(log).toContain('[voxform] task-create');
    for (const key of Object.values(keys)) expect(everything).not.toContain(key);
    expect(everything).not.toContain('BROWSERLEAK');
  });
});
