import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createAiVoiceCloneFreeProvider,
  createKlingProvider,
  createMinimaxProvider,
  createSoundCloneProvider,
  createViduProvider,
  parseManifest,
  ProviderRegistry,
  resolveManifest,
} from '@voxform/core';
import { loadProject, projectPaths } from '@voxform/core/node';
import { createCloneHandler, createMemoryTaskStore, type CloneHandler, type CloneHandlerEvent, type CloneTask, type CloneTaskStore } from '@voxform/core/server';
import { startEmulatorServer, type EmulatorServer } from '@voxform/emulator';
import { parseBuffer } from 'music-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// createCloneHandler on the real adapters, against the emulator served over HTTP. Each vendor key is
// distinctive, so a leak into any answer or event would be found.
const keys = {
  minimax: 'sk-mm-LEAKCHECK-5f1d2c9a7e3b',
  vidu: 'vd-LEAKCHECK-1a2b3c4d5e6f',
  aivoiceclonefree: 'av-LEAKCHECK-9e8d7c6b5a4f',
  kling: 'kl-LEAKCHECK-0f9e8d7c6b5a',
  soundclone: 'sc-LEAKCHECK-abcdef012345',
};
// SoundClone is given a key the emulator refuses: its tasks fail, and the failure must not show the key.
const wrongSoundCloneKey = 'sc-WRONG-LEAKCHECK-77aa88bb99cc';
const allKeys = [...Object.values(keys), wrongSoundCloneKey];

let emulator: EmulatorServer;
let sampleWav: Uint8Array;
const handlers: CloneHandler[] = [];
const events: CloneHandlerEvent[] = [];
const answers: string[] = [];

// The emulator finishes tasks in a few hundred ms: poll it often, rather than at the vendors' pace.
const poll = { poll: { intervalMs: 50, maxIntervalMs: 200 } };

function registry(): ProviderRegistry {
  return new ProviderRegistry()
    .register('minimax', (settings) => createMinimaxProvider(settings, poll))
    .register('vidu', (settings) => createViduProvider(settings, poll))
    .register('aivoiceclonefree', (settings) => createAiVoiceCloneFreeProvider(settings, poll))
    .register('soundclone', (settings) => createSoundCloneProvider(settings, poll))
    .register('kling', (settings) => createKlingProvider(settings, poll));
}

function handlerFor(options: { store?: CloneTaskStore; project?: Awaited<ReturnType<typeof loadProject>>; allowPrivate?: boolean } = {}): CloneHandler {
  const base = (vendor: 'minimax' | 'vidu' | 'aivoiceclonefree' | 'soundclone' | 'kling') => emulator.emulator.vendorBaseUrl(vendor);
  const handler = createCloneHandler({
    providers: registry(),
    settings: {
      minimax: { apiKey: keys.minimax, baseUrl: base('minimax') },
      vidu: { apiKey: keys.vidu, baseUrl: base('vidu') },
      aivoiceclonefree: { apiKey: keys.aivoiceclonefree, baseUrl: base('aivoiceclonefree') },
      soundclone: { apiKey: wrongSoundCloneKey, baseUrl: base('soundclone') },
      kling: { apiKey: keys.kling, baseUrl: base('kling') },
    },
    // Bearer tokens name their owner: `Bearer user-a`. `Bearer banned` is known but may do nothing.
    authorize: (request) => {
      const token = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      if (!token) return false;
      if (token === 'banned') return 'forbidden';
      return { owner: token };
    },
    basePath: '/api/voxform',
    ...(options.allowPrivate === false ? {} : { sampleUrls: { allowPrivateHosts: [new URL(emulator.url).host] } }),
    ...(options.store ? { store: options.store } : {}),
    ...(options.project ? { project: options.project } : {}),
    limits: { maxTextLength: 300 },
    cancelCheckIntervalMs: 50,
    onEvent: (event) => events.push(event),
  });
  handlers.push(handler);
  return handler;
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  bytes: Uint8Array;
}

async function call(handler: CloneHandler, method: string, route: string, options: { token?: string | null; json?: unknown; form?: FormData; headers?: Record<string, string>; body?: BodyInit } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? 'user-a'}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const body = options.json !== undefined ? JSON.stringify(options.json) : (options.form ?? options.body);
  const response = await handler(new Request(`http://app.test/api/voxform${route}`, { method, headers, ...(body !== undefined ? { body, duplex: 'half' } : {}) } as RequestInit));
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  answers.push(text, JSON.stringify([...response.headers]));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, bytes };
}

function sampleForm(fields: Record<string, string>, sample: Uint8Array = sampleWav, name = 'my voice.wav'): FormData {
  const form = new FormData();
  form.set('sample', new Blob([sample as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }), name);
  for (const [field, value] of Object.entries(fields)) form.set(field, value);
  return form;
}

/** Polls the task until it is final, returning every status seen on the way. */
async function settle(handler: CloneHandler, id: string, token = 'user-a'): Promise<{ task: CloneTask; seen: string[] }> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < 200; attempt++) {
    const { body } = await call(handler, 'GET', `/tasks/${id}`, { token });
    if (seen.at(-1) !== body.status) seen.push(body.status);
    if (['completed', 'failed', 'cancelled'].includes(body.status)) return { task: body, seen };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${id} did not finish`);
}

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not met');
}

beforeAll(async () => {
  emulator = await startEmulatorServer({ port: 0, audio: 'tone', keys: { minimax: keys.minimax, vidu: keys.vidu, aivoiceclonefree: keys.aivoiceclonefree, soundclone: keys.soundclone, kling: { apiKey: keys.kling } } });
  sampleWav = new Uint8Array(await (await fetch(emulator.emulator.sampleUrl('narrator'))).arrayBuffer());
});
afterEach(() => emulator.emulator.clearFaults());
afterAll(async () => {
  await Promise.all(handlers.map((handler) => handler.close()));
  await emulator?.close();
  // API keys stay on the server: not in any answer, header or event of this whole file.
  const everything = [...answers, JSON.stringify(events)].join('\n');
  for (const key of allKeys) expect(everything).not.toContain(key);
  expect(everything).not.toContain('LEAKCHECK');
});

describe('createCloneHandler', () => {
  it('clones an uploaded sample and speaks the text: 202 { id }, pending → processing → completed, then the audio', async () => {
    const handler = handlerFor();
    const created = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Hello from the handler.', provider: 'minimax' }) });
    expect(created.status).toBe(202);
    expect(created.body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.headers.get('location')).toBe(`/api/voxform/tasks/${created.body.id}`);

    const { task, seen } = await settle(handler, created.body.id);
    expect(task).toMatchObject({ id: created.body.id, provider: 'minimax', status: 'completed', audioUrl: `/api/voxform/tasks/${created.body.id}/audio` });
    expect(['pending', 'processing']).toContain(seen[0]);
    expect(seen.at(-1)).toBe('completed');
    expect(Date.parse(task.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.createdAt));
    expect(Object.keys(task).sort()).toEqual(['audioUrl', 'createdAt', 'id', 'provider', 'status', 'updatedAt']);

    const audio = await call(handler, 'GET', `/tasks/${created.body.id}/audio`);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/mpeg');
    expect(audio.headers.get('accept-ranges')).toBe('bytes');
    const metadata = await parseBuffer(audio.bytes, undefined, { duration: true });
    expect(metadata.format.container?.toLowerCase()).toContain('mpeg');
    expect(metadata.format.duration).toBeGreaterThan(0.2);

    const part = await call(handler, 'GET', `/tasks/${created.body.id}/audio`, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${audio.bytes.length}`);
    expect(part.bytes).toEqual(audio.bytes.subarray(0, 100));

    // The voice was cloned and the text spoken once each at the vendor.
    const billed = emulator.emulator.calls.billable({ vendor: 'minimax' }).map((entry) => entry.billable!.kind);
    expect(billed.filter((kind) => kind === 'clone')).toHaveLength(1);
    expect(emulator.emulator.calls.duplicates()).toEqual([]);
  });

  it('takes a sample URL (JSON) and hands it to a vendor that fetches samples itself', async () => {
    const handler = handlerFor();
    const sampleUrl = emulator.emulator.sampleUrl('caller', 'mp3');
    const created = await call(handler, 'POST', '/tasks', { json: { text: 'Sample by URL.', provider: 'vidu', sampleUrl, language: 'English' } });
    expect(created.status).toBe(202);
    const { task } = await settle(handler, created.body.id);
    expect(task.status).toBe('completed');
    const audio = await call(handler, 'GET', task.audioUrl!.slice('/api/voxform'.length));
    expect(audio.headers.get('content-type')).toBe('audio/mpeg');
    expect(emulator.emulator.calls.entries({ vendor: 'vidu' }).some((entry) => entry.path === '/ent/v2/audio-clone' && entry.status === 200)).toBe(true);
  });

  it('refuses sample URLs on the server\'s own network unless their host is allowed', async () => {
    const handler = handlerFor({ allowPrivate: false });
    const refused = await call(handler, 'POST', '/tasks', { json: { text: 'Hi.', provider: 'vidu', sampleUrl: emulator.emulator.sampleUrl('caller') } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('a loopback address: sample URLs must be on the public internet');
  });

  it('answers 413 for a sample URL past the size limit', async () => {
    const handler = handlerFor();
    const hosted = await (await fetch(`${emulator.url}/__emulator/files`, { method: 'POST', body: new Uint8Array(21_000_000) })).json();
    const refused = await call(handler, 'POST', '/tasks', { json: { text: 'Hi.', provider: 'vidu', sampleUrl: hosted.url } });
    expect(refused.status).toBe(413);
    expect(refused.body.error.message).toContain('larger than the 20000000-byte limit');
  });

  it('rejects an unknown option with the words of `voxform validate`', async () => {
    const handler = handlerFor();
    const refused = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Hi.', provider: 'minimax', voiceOptions: JSON.stringify({ tone: 'warm' }), options: JSON.stringify({ speeed: 2 }) }) });
    expect(refused.status).toBe(400);

    // The same options in a manifest, through validate's own code path.
    const manifest = [
      'version: 1',
      'voices:',
      '  narrator:',
      '    provider: minimax',
      '    sample: https://example.com/narrator.wav',
      '    options: { tone: warm }',
      'scripts:',
      '  one:',
      '    lines:',
      '      - voice: narrator',
      '        text: Hi.',
      '        options: { speeed: 2 }',
    ].join('\n');
    const parsed = parseManifest(manifest, 'voices.yaml');
    const resolved = resolveManifest({ parsed: { ...parsed, document: parsed.document! }, providers: registry(), scriptSources: {} });
    const validateSays = Object.fromEntries(resolved.diagnostics.map((diagnostic) => [diagnostic.path, diagnostic.message]));
    expect(refused.body.error.problems).toEqual([
      { path: 'voiceOptions.tone', message: validateSays['voices.narrator.options.tone'] },
      { path: 'options.speeed', message: validateSays['scripts.one.lines[0].options.speeed'] },
    ]);
    expect(validateSays['voices.narrator.options.tone']).toMatch(/^unknown voice option for minimax: 'tone' \(allowed: /);
    expect(refused.body.error.message).toBe(
      `2 problems: voiceOptions.tone: ${validateSays['voices.narrator.options.tone']}; options.speeed: ${validateSays['scripts.one.lines[0].options.speeed']}`,
    );
  });

  it('reports every problem of a request at once, before anything reaches a vendor', async () => {
    const handler = handlerFor();
    const before = emulator.emulator.calls.entries().length;
    const cases: Array<[unknown, string[]]> = [
      [{ text: 'Hi.', provider: 'nobody', sampleUrl: 'https://example.com/a.wav' }, ["provider: unknown provider 'nobody' (known providers: aivoiceclonefree, kling, minimax, soundclone, vidu)"]],
      [{ text: '   ', provider: 'vidu', sampleUrl: 'https://example.com/a.wav' }, ['text: line has no text']],
      [{ text: '\u200b...', provider: 'vidu', sampleUrl: 'https://example.com/a.wav' }, ["text: line has nothing to speak ('\\u200b...'): give it words, or remove it"]],
      [{ text: 'x'.repeat(301), provider: 'vidu', sampleUrl: 'https://example.com/a.wav' }, ['text: text is 301 characters; this server takes at most 300: shorten it']],
      [{ text: 'Hi.', provider: 'kling', sampleUrl: 'https://example.com/a.wav' }, ['provider: Kling cannot speak text with a cloned voice: choose another provider', 'text: text is 3 characters; Kling takes at most 0 per line: split it into several lines']],
      [{ text: 'Hi.', provider: 'vidu' }, ['sample: give exactly one of: sample (a file to upload), sampleUrl (an http(s) URL) or voice (a voice of the project)']],
      [{ text: 'Hi.', provider: 'vidu', sampleUrl: 'https://example.com/a.wav', colour: 'blue' }, ["colour: unknown field 'colour' (allowed: text, provider, sampleUrl, voice, language, voiceOptions, options)"]],
      [{ provider: 'vidu', sampleUrl: 'https://example.com/a.wav' }, ["missing required property 'text'"]],
      [
        { text: 'Hi.', sampleUrl: 'https://example.com/a.wav', voice: 'narrator' },
        [
          'sampleUrl, voice: give exactly one of: sample (a file to upload), sampleUrl (an http(s) URL) or voice (a voice of the project)',
          'voice: this server has no project: upload a sample or give a sampleUrl',
          "provider: missing required property 'provider' (known providers: aivoiceclonefree, kling, minimax, soundclone, vidu)",
        ],
      ],
    ];
    for (const [body, expected] of cases) {
      const refused = await call(handler, 'POST', '/tasks', { json: body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.problems.map((problem: { path: string; message: string }) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)), JSON.stringify(body)).toEqual(expected);
    }
    expect(emulator.emulator.calls.entries().length).toBe(before);
  });

  it('answers a request of thousands of bad fields with the first 20 problems, not with thousands', async () => {
    const handler = handlerFor();
    const body: Record<string, string> = { text: 'Hi.', provider: 'vidu', sampleUrl: 'https://example.com/a.wav' };
    for (let index = 0; index < 3000; index++) body[`field${index}`] = 'x';
    const request = JSON.stringify(body);
    const refused = await call(handler, 'POST', '/tasks', { json: body });
    expect(refused.status).toBe(400);
    expect(refused.body.error.problems).toHaveLength(20);
    expect(refused.body.error.problems[0]).toEqual({ path: 'field0', message: expect.stringMatching(/^unknown field 'field0'/) });
    expect(refused.body.error.message).toMatch(/^3000 problems: field0: unknown field .*; and 2980 more$/);
    expect(refused.bytes.length).toBeLessThan(request.length);
    const logged = events.findLast((event) => event.type === 'request-refused')!;
    expect(JSON.stringify(logged).length).toBeLessThan(request.length);
  });

  it('runs at most 4 tasks at once for one owner (429 past that), without limiting the others', async () => {
    const handler = handlerFor();
    emulator.emulator.setFaults('aivoiceclonefree', { stuckTasks: true });
    const create = (token: string) => call(handler, 'POST', '/tasks', { token, json: { text: 'Held.', provider: 'aivoiceclonefree', sampleUrl: emulator.emulator.sampleUrl('caller') } });
    const held = await Promise.all([1, 2, 3, 4, 5].map(() => create('user-busy')));
    expect(held.map((answer) => answer.status).sort()).toEqual([202, 202, 202, 202, 429]);
    const refused = held.find((answer) => answer.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(refused.body.error.message).toMatch(/you have 4 tasks running.*cancel one/);
    expect((await create('user-other')).status).toBe(202);

    // A cancelled task no longer counts.
    const first = held.find((answer) => answer.status === 202)!.body.id;
    await call(handler, 'DELETE', `/tasks/${first}`, { token: 'user-busy' });
    await waitFor(() => events.some((event) => event.type === 'task-end' && event.id === first));
    expect((await create('user-busy')).status).toBe(202);
  });

  it('checks an uploaded sample as validate checks a sample file', async () => {
    const handler = handlerFor();
    const toVidu = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Hi.', provider: 'vidu' }) });
    expect(toVidu.status).toBe(400);
    expect(toVidu.body.error.message).toBe('sample: Vidu takes the sample only as an http(s) URL it can fetch: host the file and give its URL as sampleUrl');

    const notAudio = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Hi.', provider: 'minimax' }, new TextEncoder().encode('this is not audio at all, just text'), 'notes.wav') });
    expect(notAudio.status).toBe(400);
    expect(notAudio.body.error.message).toMatch(/^sample: notes\.wav is not readable audio \(.+\): use a WAV, MP3 or M4A file$/);

    // About 2 s of the 20 s sample: MiniMax needs at least 10 s.
    const short = sampleWav.slice(0, 44 + Math.floor((sampleWav.length - 44) / 10));
    new DataView(short.buffer).setUint32(4, short.length - 8, true);
    new DataView(short.buffer).setUint32(40, short.length - 44, true);
    const tooShort = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Hi.', provider: 'minimax' }, short, 'short.wav') });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.message).toMatch(/^sample: short\.wav lasts \d\.\d s; at least 10\.0 s of speech is needed: record a longer sample$/);
  });

  it('answers 413 for an upload past the limit, and for a JSON body past its own', async () => {
    const handler = handlerFor();
    const thirtyMegabytes = new Uint8Array(30 * 1024 * 1024);
    const upload = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Hi.', provider: 'minimax' }, thirtyMegabytes, 'huge.wav') });
    expect(upload.status).toBe(413);
    expect(upload.body.error.message).toContain('larger than the');
    const announced = await call(handler, 'POST', '/tasks', { headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(thirtyMegabytes.length) }, body: thirtyMegabytes });
    expect(announced.status).toBe(413);
    const json = await call(handler, 'POST', '/tasks', { json: { text: 'x'.repeat(70_000), provider: 'vidu', sampleUrl: 'https://example.com/a.wav' } });
    expect(json.status).toBe(413);
    const other = await call(handler, 'POST', '/tasks', { headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(other.status).toBe(415);
  });

  it('asks authorize first: 401 without authorisation, 403 when refused or for another owner\'s task', async () => {
    const handler = handlerFor();
    const created = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Mine.', provider: 'aivoiceclonefree' }) });
    expect(created.status).toBe(202);
    const id = created.body.id;
    for (const [method, route] of [
      ['POST', '/tasks'],
      ['GET', `/tasks/${id}`],
      ['GET', `/tasks/${id}/audio`],
      ['DELETE', `/tasks/${id}`],
      ['GET', '/voices'],
    ] as const) {
      const anonymous = await call(handler, method, route, { token: null });
      expect(anonymous.status, `${method} ${route}`).toBe(401);
      expect(anonymous.body.error.message).toContain('no authorisation');
      expect((await call(handler, method, route, { token: 'banned' })).status, `${method} ${route}`).toBe(403);
    }
    expect((await call(handler, 'GET', `/tasks/${id}`, { token: 'user-b' })).status).toBe(403);
    expect((await call(handler, 'DELETE', `/tasks/${id}`, { token: 'user-b' })).status).toBe(403);
    expect((await settle(handler, id)).task.status).toBe('completed');
    expect((await call(handler, 'GET', `/tasks/${id}/audio`, { token: 'user-b' })).status).toBe(403);
  });

  it('gives unguessable ids and answers 404 for any other', async () => {
    const handler = handlerFor();
    const ids = new Set<string>();
    for (let index = 0; index < 5; index++) {
      const created = await call(handler, 'POST', '/tasks', { json: { text: 'Hi.', provider: 'aivoiceclonefree', sampleUrl: emulator.emulator.sampleUrl('caller') } });
      ids.add(created.body.id);
      await settle(handler, created.body.id);
    }
    expect(ids.size).toBe(5);
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect((await call(handler, 'GET', '/tasks/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    // A broken percent-encoding is no task either: asked to authorise first, then not found.
    expect((await call(handler, 'GET', '/tasks/%E0%A4%A', { token: null })).status).toBe(401);
    expect((await call(handler, 'GET', '/tasks/%E0%A4%A')).status).toBe(404);
    expect(events.filter((event) => event.type === 'handler-error')).toEqual([]);
    expect((await call(handler, 'GET', '/tasks/../voices')).status).toBe(404);
    expect((await call(handler, 'GET', '/nothing')).status).toBe(404);
    const wrongMethod = await call(handler, 'PUT', '/tasks');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('cancels a running task, and deletes the voice it made at the vendor', async () => {
    const handler = handlerFor();
    // Slow enough to cancel during synthesis, after the voice exists.
    emulator.emulator.setFaults('minimax', { latencyMs: 400 });
    const created = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Never finished.', provider: 'minimax' }) });
    const id = created.body.id;
    await waitFor(() => emulator.emulator.calls.entries({ vendor: 'minimax' }).some((entry) => entry.path === '/v1/voice_clone' && entry.status === 200));
    const cancelled = await call(handler, 'DELETE', `/tasks/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await waitFor(() => emulator.emulator.calls.entries({ vendor: 'minimax' }).some((entry) => entry.path === '/v1/delete_voice'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const after = await call(handler, 'GET', `/tasks/${id}`);
    expect(after.body.status).toBe('cancelled');
    expect((await call(handler, 'GET', `/tasks/${id}/audio`)).status).toBe(409);

    // A finished task stays finished.
    emulator.emulator.clearFaults();
    const done = await call(handler, 'POST', '/tasks', { form: sampleForm({ text: 'Finished.', provider: 'aivoiceclonefree' }) });
    await settle(handler, done.body.id);
    expect((await call(handler, 'DELETE', `/tasks/${done.body.id}`)).body.status).toBe('completed');
  });

  it('shares tasks between instances through one store: created on one, read and cancelled on another', async () => {
    const store = createMemoryTaskStore();
    const first = handlerFor({ store });
    const second = handlerFor({ store });
    emulator.emulator.setFaults('aivoiceclonefree', { stuckTasks: true });
    const created = await call(first, 'POST', '/tasks', { form: sampleForm({ text: 'Shared.', provider: 'aivoiceclonefree' }) });
    await waitFor(async () => (await call(second, 'GET', `/tasks/${created.body.id}`)).body.status === 'processing');
    expect((await call(second, 'DELETE', `/tasks/${created.body.id}`)).body.status).toBe('cancelled');
    await waitFor(() => events.some((event) => event.type === 'task-end' && event.id === created.body.id));
    expect(events.find((event) => event.type === 'task-end' && event.id === created.body.id)).toMatchObject({ status: 'cancelled' });
  });

  it('fails a task with the vendor\'s reason, never its key', async () => {
    const handler = handlerFor();
    const created = await call(handler, 'POST', '/tasks', { json: { text: 'Wrong key.', provider: 'soundclone', sampleUrl: emulator.emulator.sampleUrl('caller') } });
    expect(created.status).toBe(202);
    const { task } = await settle(handler, created.body.id);
    expect(task.status).toBe('failed');
    expect(task.error).toMatch(/SoundClone .*HTTP 401/);
    expect(task.error).not.toContain(wrongSoundCloneKey);
  });

  it('lists the voices of a project and clones one by name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'voxform-handler-'));
    try {
      await writeFile(path.join(dir, 'narrator.wav'), sampleWav);
      await writeFile(
        path.join(dir, 'voices.yaml'),
        ['version: 1', 'voices:', '  narrator:', '    provider: aivoiceclonefree', '    sample: narrator.wav', '    language: English', '  studio:', '    provider: kling', `    sample: ${emulator.emulator.sampleUrl('studio')}`, 'scripts: {}', ''].join('\n'),
      );
      const project = await loadProject({ paths: projectPaths({ dir }), providers: registry() });
      const handler = handlerFor({ project });
      const voices = await call(handler, 'GET', '/voices');
      // Kling voices cannot speak text: not offered.
      expect(voices.body).toEqual({ voices: [{ name: 'narrator', provider: 'aivoiceclonefree', language: 'English' }] });
      const created = await call(handler, 'POST', '/tasks', { json: { text: 'By name.', voice: 'narrator' } });
      expect(created.status).toBe(202);
      expect((await settle(handler, created.body.id)).task).toMatchObject({ status: 'completed', provider: 'aivoiceclonefree' });
      const unknown = await call(handler, 'POST', '/tasks', { json: { text: 'Hi.', voice: 'ghost' } });
      expect(unknown.body.error.message).toContain("voice: unknown voice 'ghost' (declared voices: narrator, studio)");
      // Names every object has are not voices of the project.
      for (const name of ['__proto__', 'constructor', 'toString']) {
        const inherited = await call(handler, 'POST', '/tasks', { json: { text: 'Hi.', voice: name } });
        expect(inherited.status, name).toBe(400);
        expect(inherited.body.error.message, name).toContain(`voice: unknown voice '${name}' (declared voices: narrator, studio)`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect((await call(handlerFor(), 'GET', '/voices')).status).toBe(404);
  });
});
