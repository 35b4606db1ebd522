import { createHash } from 'node:crypto';

import { parseBuffer } from 'music-metadata';
import { beforeEach, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';

import { createEmulator, type Emulator } from '../create-emulator.js';

const minute = 60_000;
const hour = 60 * minute;

// Long phases, so a task's state changes only when a test moves the clock. One emulator, reset before
// each test, keeps rendered audio cached across tests.
const emulator: Emulator = createEmulator({ audio: 'tone', timing: { queuedMs: minute, processingMs: minute } });
const base = emulator.vendorBaseUrl('aivoiceclonefree');
const key = emulator.keys.aivoiceclonefree;

beforeEach(() => {
  emulator.reset();
});

async function send(request: Request): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await emulator.handle(request);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return send(new Request(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }));
}

function postForm(path: string, fields: Record<string, string | Uint8Array>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.set(name, value);
    else form.set(name, new Blob([new Uint8Array(value)], { type: 'audio/wav' }), 'sample.wav');
  }
  return send(new Request(base + path, { method: 'POST', body: form }));
}

function get(path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return send(new Request(`${base}${path}?${new URLSearchParams(query)}`, { headers }));
}

async function download(url: string): Promise<{ status: number; bytes: Uint8Array; contentType: string | null }> {
  const response = await emulator.handle(new Request(url));
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

function wav(seconds: number): Uint8Array {
  const rate = 8000;
  const samples = new Int16Array(Math.round(rate * seconds)).map((_, index) => Math.round(3000 * Math.sin((2 * Math.PI * 220 * index) / rate)));
  const file = new WaveFile();
  file.fromScratch(1, rate, '16', samples);
  return file.toBuffer();
}

async function host(bytes: Uint8Array): Promise<string> {
  const response = await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/files`, { method: 'POST', body: new Uint8Array(bytes), headers: { 'content-type': 'audio/wav' } }));
  return ((await response.json()) as { url: string }).url;
}

function expectMp3(bytes: Uint8Array): void {
  expect(bytes[0]).toBe(0xff);
  expect(bytes[1]! & 0xe0).toBe(0xe0);
}

async function durationOf(bytes: Uint8Array): Promise<number | undefined> {
  return (await parseBuffer(bytes, undefined, { duration: true })).format.duration;
}

const dateTime = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('AI Voice Clone Free legacy create-task', () => {
  it('takes a multipart upload and runs pending → processing → completed, with a real mp3 result', async () => {
    const start = emulator.clock.now();
    const created = await postForm('/api/instant/create-task', { audio: wav(8), text: 'Hello from the lighthouse.', api_key: key, speed_ratio: '1.5', pitch_ratio: '-10', volume_ratio: '0.1' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ task_id: expect.stringMatching(uuid), status: 'pending' });
    const query = { task_id: created.body.task_id, api_key: key };

    const pending = await get('/api/instant/task-status', query);
    expect(pending.body).toEqual({ task_id: created.body.task_id, status: 'pending', created_at: expect.stringMatching(dateTime), updated_at: expect.stringMatching(dateTime) });
    // UTC wall-clock time of the emulator clock, to the second.
    const createdAt = Date.parse(`${pending.body.created_at.replace(' ', 'T')}Z`);
    expect(createdAt).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000);
    expect(createdAt).toBeLessThanOrEqual(emulator.clock.now());
    expect(pending.body.updated_at).toBe(pending.body.created_at);
    expect((await get('/api/instant/task-result', query)).status).toBe(404);

    emulator.clock.advance(minute);
    const processing = await get('/api/instant/task-status', query);
    expect(processing.body.status).toBe('processing');
    expect(processing.body.updated_at > processing.body.created_at).toBe(true);
    const notFinished = await get('/api/instant/task-result', query);
    expect(notFinished.status).toBe(404);
    expect(notFinished.body.error).toMatch(/processing, not completed/);

    emulator.clock.advance(minute);
    const completed = await get('/api/instant/task-status', query);
    expect(completed.body).toMatchObject({ status: 'completed', created_at: pending.body.created_at });
    const result = await get('/api/instant/task-result', query);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ audio_url: expect.stringMatching(/^http:\/\/emulator\.voxform\.test\/files\//) });
    const audio = await download(result.body.audio_url);
    expect(audio.contentType).toBe('audio/mpeg');
    expectMp3(audio.bytes);
    expect(await durationOf(audio.bytes)).toBeGreaterThan(0);
  });

  it('takes JSON with audio_url, the v-mul and v1 models, and v2 with emotion_control', async () => {
    const audioUrl = emulator.sampleUrl('narrator', 'mp3');
    for (const body of [
      { audio_url: audioUrl, text: 'One.', api_key: key },
      { audio_url: audioUrl, text: 'Two.', api_key: key, model: 'v-mul', speed_ratio: 0.5, volume_ratio: 2 },
      { audio_url: audioUrl, text: 'Three.', api_key: key, model: 'v1', pitch_ratio: 10 },
      { audio_url: audioUrl, text: 'Four.', api_key: key, emotion_control: { mode: 'vector', vector: [1, 0, 0, 0, 0.5, 0, 0, 0] } },
      { audio_url: audioUrl, text: 'Five.', api_key: key, model: 'v2', emotion_control: { mode: 'text', text: 'cheerful' } },
      { audio_url: audioUrl, text: 'Six.', api_key: key, emotion_control: { mode: 'reference', reference_audio_url: audioUrl } },
    ]) {
      const created = await postJson('/api/instant/create-task', body);
      expect(created.status, JSON.stringify(body)).toBe(200);
      expect(created.body.status).toBe('pending');
    }
    const form = await postForm('/api/instant/create-task', { audio_url: audioUrl, text: 'Seven.', api_key: key, emotion_control: JSON.stringify({ mode: 'text', text: 'calm' }) });
    expect(form.status).toBe(200);
  });

  it('refuses a missing api_key or parameters with 400 and a wrong api_key with 401', async () => {
    const audioUrl = emulator.sampleUrl('narrator', 'mp3');
    const cases: Array<[number, Record<string, unknown>, RegExp]> = [
      [400, { audio_url: audioUrl, text: 'Hi' }, /api_key is required/],
      [401, { audio_url: audioUrl, text: 'Hi', api_key: 'wrong' }, /invalid api_key/],
      [400, { text: 'Hi', api_key: key }, /audio \(a file\) or audio_url is required/],
      [400, { audio_url: audioUrl, api_key: key }, /text is required/],
      [400, { audio_url: 'nope', text: 'Hi', api_key: key }, /absolute http/],
      [400, { audio_url: audioUrl, text: 'x'.repeat(10_000), api_key: key }, /shorter than 10000/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, model: 'v9' }, /model must be one of v1, v2, v-mul/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, speed_ratio: 2.1 }, /speed_ratio/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, pitch_ratio: -11 }, /pitch_ratio/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, volume_ratio: 0 }, /volume_ratio/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, speed_ratio: 'fast' }, /speed_ratio must be a number/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, model: 'v1', emotion_control: { mode: 'text', text: 'sad' } }, /only available with model 'v2'/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, emotion_control: { mode: 'mood' } }, /emotion_control.mode/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, emotion_control: { mode: 'vector', vector: [1, 2, 3] } }, /8 numbers/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, emotion_control: { mode: 'text' } }, /emotion_control.text/],
      [400, { audio_url: audioUrl, text: 'Hi', api_key: key, emotion_control: { mode: 'reference' } }, /reference_audio_url/],
      [400, { audio: 'base64?', text: 'Hi', api_key: key }, /audio_url only/],
    ];
    for (const [status, body, message] of cases) {
      const response = await postJson('/api/instant/create-task', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body).toEqual({ error: expect.stringMatching(message) });
    }
    const both = await postForm('/api/instant/create-task', { audio: wav(8), audio_url: audioUrl, text: 'Hi', api_key: key });
    expect(both.status).toBe(400);
    expect(both.body.error).toMatch(/not both/);
    const notJson = await postJson('/api/instant/create-task', '{');
    expect(notJson.status).toBe(400);
    const plain = await send(new Request(`${base}/api/instant/create-task`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } }));
    expect(plain.status).toBe(400);
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('fails a task whose sample is unusable, and bills nothing for it', async () => {
    const short = await postForm('/api/instant/create-task', { audio: wav(3), text: 'Too short.', api_key: key });
    const unreachable = await postJson('/api/instant/create-task', { audio_url: `${emulator.baseUrl}/files/missing`, text: 'Gone.', api_key: key });
    expect(short.body.status).toBe('pending');
    emulator.clock.advance(2 * minute);
    const shortStatus = await get('/api/instant/task-status', { task_id: short.body.task_id, api_key: key });
    expect(shortStatus.body).toMatchObject({ status: 'failed', error: expect.stringMatching(/at least 5 s/) });
    const unreachableStatus = await get('/api/instant/task-status', { task_id: unreachable.body.task_id, api_key: key });
    expect(unreachableStatus.body).toMatchObject({ status: 'failed', error: expect.stringMatching(/404/) });
    const result = await get('/api/instant/task-result', { task_id: short.body.task_id, api_key: key });
    expect(result.status).toBe(404);
    expect(result.body.error).toMatch(/failed/);
    expect(emulator.calls.billable()).toEqual([]);
  });
});

describe('AI Voice Clone Free legacy task-status and task-result', () => {
  it('answers 400 for missing parameters, 401 for a wrong key, 404 for an unknown task', async () => {
    for (const path of ['/api/instant/task-status', '/api/instant/task-result']) {
      expect((await get(path, { api_key: key })).status).toBe(400);
      expect((await get(path, { task_id: 'x' })).status).toBe(400);
      const wrongKey = await get(path, { task_id: 'x', api_key: 'wrong' });
      expect(wrongKey.status).toBe(401);
      expect(wrongKey.body).toEqual({ error: 'invalid api_key' });
      const unknown = await get(path, { task_id: 'x', api_key: key });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatch(/not found/);
    }
  });

  it('answers 404 before the task finishes and 410 once its audio expired after 24 hours', async () => {
    const created = await postJson('/api/instant/create-task', { audio_url: emulator.sampleUrl('narrator', 'mp3'), text: 'Short lived.', api_key: key });
    const query = { task_id: created.body.task_id, api_key: key };
    expect((await get('/api/instant/task-result', query)).status).toBe(404);
    emulator.clock.advance(2 * minute);
    const result = await get('/api/instant/task-result', query);
    expect(result.status).toBe(200);
    expect((await download(result.body.audio_url)).status).toBe(200);

    emulator.clock.advance(23 * hour);
    expect((await get('/api/instant/task-result', query)).body).toEqual(result.body);
    emulator.clock.advance(hour);
    const expired = await get('/api/instant/task-result', query);
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatch(/expired/);
    expect((await download(result.body.audio_url)).status).toBe(404);
    // The task itself is still completed.
    expect((await get('/api/instant/task-status', query)).body.status).toBe('completed');
  });

  it('answers 410 for a result first asked for after it expired', async () => {
    const created = await postJson('/api/instant/create-task', { audio_url: emulator.sampleUrl('narrator', 'mp3'), text: 'Never fetched.', api_key: key });
    emulator.clock.advance(25 * hour);
    expect((await get('/api/instant/task-result', { task_id: created.body.task_id, api_key: key })).status).toBe(410);
  });

  it('keeps tasks processing while stuckTasks is set', async () => {
    emulator.setFaults('aivoiceclonefree', { stuckTasks: true });
    const created = await postJson('/api/instant/create-task', { audio_url: emulator.sampleUrl('narrator', 'mp3'), text: 'Stuck.', api_key: key });
    const query = { task_id: created.body.task_id, api_key: key };
    emulator.clock.advance(hour);
    expect((await get('/api/instant/task-status', query)).body.status).toBe('processing');
    expect((await get('/api/instant/task-result', query)).status).toBe(404);
    emulator.clearFaults();
    expect((await get('/api/instant/task-status', query)).body.status).toBe('completed');
    expect((await get('/api/instant/task-result', query)).status).toBe(200);
  });
});

describe('AI Voice Clone Free legacy clone-sync', () => {
  it('answers type 1 with the audio itself and type 2 with a 24-hour audio_url', async () => {
    const audioResponse = await emulator.handle(
      new Request(`${base}/api/instant/clone-sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ audio_url: emulator.sampleUrl('narrator', 'mp3'), text: 'Right now.', api_key: key, type: 1 }) }),
    );
    expect(audioResponse.status).toBe(200);
    expect(audioResponse.headers.get('content-type')).toBe('audio/mpeg');
    const bytes = new Uint8Array(await audioResponse.arrayBuffer());
    expectMp3(bytes);
    expect(await durationOf(bytes)).toBeGreaterThan(0);

    const linked = await postForm('/api/instant/clone-sync', { audio: wav(8), text: 'A link please.', api_key: key, type: '2', speed_ratio: '2' });
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({ audio_url: expect.any(String) });
    expect((await download(linked.body.audio_url)).status).toBe(200);
    emulator.clock.advance(24 * hour);
    expect((await download(linked.body.audio_url)).status).toBe(404);
  });

  it('refuses a missing or bad type, text of 500 characters and an unusable sample with 400', async () => {
    const audioUrl = emulator.sampleUrl('narrator', 'mp3');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ audio_url: audioUrl, text: 'Hi', api_key: key }, /type is required/],
      [{ audio_url: audioUrl, text: 'Hi', api_key: key, type: 3 }, /type must be 1 or 2/],
      [{ audio_url: audioUrl, text: 'x'.repeat(500), api_key: key, type: 2 }, /shorter than 500/],
      [{ audio_url: `${emulator.baseUrl}/files/missing`, text: 'Hi', api_key: key, type: 2 }, /could not be downloaded/],
      [{ audio_url: audioUrl, text: 'Hi', type: 2 }, /api_key is required/],
    ];
    for (const [body, message] of cases) {
      const response = await postJson('/api/instant/clone-sync', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error).toMatch(message);
    }
    const tooShort = await postForm('/api/instant/clone-sync', { audio: wav(2), text: 'Hi', api_key: key, type: '2' });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error).toMatch(/at least 5 s/);
    expect((await postJson('/api/instant/clone-sync', { audio_url: audioUrl, text: 'x'.repeat(499), api_key: key, type: 2 })).status).toBe(200);
    expect(emulator.calls.billable()).toHaveLength(1);
  });
});

describe('AI Voice Clone Free v2', () => {
  const bearer = { authorization: `Bearer ${key}` };

  it('refuses a missing or wrong key with the documented 401 bodies', async () => {
    const missing = await postJson('/api/v2/voice/clone', { text: 'Hi', reference_audio_url: emulator.sampleUrl('narrator', 'mp3') });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: 'missing_api_key', type: 'auth_error', message: expect.any(String) } });
    const wrong = await get('/api/v2/tasks/x', {}, { authorization: 'Bearer sk_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: 'invalid_api_key', type: 'auth_error', message: expect.any(String) } });
    expect((await get('/api/v2/tasks/x', {}, { authorization: 'Basic abc' })).body.error.code).toBe('missing_api_key');
  });

  it('clones with HTTP 202 and a unified task that completes with audioUrl at the top level', async () => {
    const referenceUrl = await host(wav(12));
    // The emulator's clock runs on real time: the task's second is the one before or after the request.
    const before = Math.floor(emulator.clock.now() / 1000);
    const created = await postJson('/api/v2/voice/clone', { text: 'The unified task.', reference_audio_url: referenceUrl, metadata: { line: 7 }, speed_ratio: 1.1, compact_mode: true, compact_max_silence_ms: 300, generate_subtitle: false }, bearer);
    const after = Math.floor(emulator.clock.now() / 1000);
    expect(created.status).toBe(202);
    expect(created.body.created_at).toBeGreaterThanOrEqual(before);
    expect(created.body.created_at).toBeLessThanOrEqual(after);
    expect(created.body).toEqual({
      task_id: expect.stringMatching(uuid),
      status: 'pending',
      capability: 'voice',
      action: 'clone',
      model: 'v2-emotion',
      progress: null,
      error: null,
      credits_used: null,
      created_at: expect.any(Number),
      completed_at: null,
      metadata: { line: 7 },
    });
    emulator.clock.advance(minute);
    const processing = await get(`/api/v2/tasks/${created.body.task_id}`, {}, bearer);
    expect(processing.body).toMatchObject({ status: 'processing', completed_at: null });
    expect(processing.body.audioUrl).toBeUndefined();
    emulator.clock.advance(minute);
    const completed = await get(`/api/v2/tasks/${created.body.task_id}`, {}, bearer);
    expect(completed.body).toEqual({
      ...created.body,
      status: 'completed',
      completed_at: created.body.created_at + 120,
      audioUrl: expect.stringMatching(/^http:\/\/emulator\.voxform\.test\/files\//),
      providerUsed: 'v1-async',
    });
    const audio = await download(completed.body.audioUrl);
    expect(audio.contentType).toBe('audio/wav');
    expect(new TextDecoder().decode(audio.bytes.subarray(0, 4))).toBe('RIFF');
    expect(await durationOf(audio.bytes)).toBeGreaterThan(0);
  });

  it('fails a task whose reference audio is unusable, with an error object', async () => {
    const created = await postJson('/api/v2/voice/clone', { text: 'Hi', reference_audio_url: await host(new TextEncoder().encode('not audio')), model: 'v1-real' }, bearer);
    expect(created.body.model).toBe('v1-real');
    emulator.clock.advance(2 * minute);
    const failed = await get(`/api/v2/tasks/${created.body.task_id}`, {}, bearer);
    expect(failed.body).toMatchObject({ status: 'failed', error: { code: 'invalid_reference_audio', type: 'task_error', message: expect.stringMatching(/format/) }, completed_at: expect.any(Number) });
    expect(failed.body.audioUrl).toBeUndefined();
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('refuses bad requests with 400 and unknown tasks with 404', async () => {
    const referenceUrl = emulator.sampleUrl('narrator', 'mp3');
    const cases: Array<[unknown, RegExp]> = [
      [{ reference_audio_url: referenceUrl }, /text is required/],
      [{ text: 'Hi' }, /reference_audio_url is required/],
      [{ text: 'Hi', voice_id: 'my-voice' }, /catalog/],
      [{ text: 'Hi', reference_audio_url: referenceUrl, model: 'v9' }, /model must be one of/],
      [{ text: 'Hi', reference_audio_url: referenceUrl, pitch_ratio: 11 }, /pitch_ratio/],
      [{ text: 'Hi', reference_audio_url: referenceUrl, compact_mode: 'yes' }, /compact_mode/],
      [{ text: 'Hi', reference_audio_url: referenceUrl, metadata: [1] }, /metadata/],
      ['[]', /JSON object/],
    ];
    for (const [body, message] of cases) {
      const response = await postJson('/api/v2/voice/clone', body, bearer);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toEqual({ error: { code: 'invalid_request', type: 'invalid_request_error', message: expect.stringMatching(message) } });
    }
    const unknown = await get('/api/v2/tasks/nope', {}, bearer);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('task_not_found');
  });

  it('keeps legacy and v2 tasks apart', async () => {
    const legacy = await postJson('/api/instant/create-task', { audio_url: emulator.sampleUrl('narrator', 'mp3'), text: 'Legacy.', api_key: key });
    const modern = await postJson('/api/v2/voice/clone', { text: 'Modern.', reference_audio_url: emulator.sampleUrl('narrator', 'mp3') }, bearer);
    expect((await get(`/api/v2/tasks/${legacy.body.task_id}`, {}, bearer)).status).toBe(404);
    expect((await get('/api/instant/task-status', { task_id: modern.body.task_id, api_key: key })).status).toBe(404);
  });
});

describe('AI Voice Clone Free billing and faults', () => {
  it('bills each accepted synthesis under the sample (URL or file digest) and text, so repeats show as duplicates', async () => {
    const audioUrl = emulator.sampleUrl('narrator', 'mp3');
    const upload = wav(8);
    await postJson('/api/instant/create-task', { audio_url: audioUrl, text: 'Same work.', api_key: key });
    await postForm('/api/instant/create-task', { audio: upload, text: 'Same work.', api_key: key });
    await postJson('/api/v2/voice/clone', { reference_audio_url: audioUrl, text: 'Other work.' }, { authorization: `Bearer ${key}` });
    expect(emulator.calls.duplicates()).toEqual([]);
    expect(emulator.calls.billable().map((entry) => entry.billable)).toEqual([
      { kind: 'synthesis', key: `${audioUrl}\nSame work.` },
      { kind: 'synthesis', key: `${createHash('sha256').update(upload).digest('hex')}\nSame work.` },
      { kind: 'synthesis', key: `${audioUrl}\nOther work.` },
    ]);
    await postJson('/api/instant/create-task', { audio_url: audioUrl, text: 'Same work.', api_key: key });
    expect(emulator.calls.duplicates()).toEqual([{ vendor: 'aivoiceclonefree', kind: 'synthesis', key: `${audioUrl}\nSame work.`, count: 2 }]);
  });

  it('answers injected 429s and 5xx in the v2 error shape, with Retry-After', async () => {
    emulator.setFaults('aivoiceclonefree', { rateLimitBurst: { count: 1, retryAfterSeconds: 3 } });
    const limited = await get('/api/instant/task-status', { task_id: 'x', api_key: key });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.body).toEqual({ error: { code: 'rate_limit_exceeded', type: 'rate_limit_error', message: expect.any(String) } });
    emulator.setFaults('aivoiceclonefree', { errorRates: { '500': 1 } });
    const broken = await get('/api/v2/tasks/x', {}, { authorization: `Bearer ${key}` });
    expect(broken.status).toBe(500);
    expect(broken.body.error.type).toBe('api_error');
  });

  it('answers unknown paths with 404', async () => {
    expect((await get('/api/instant/nothing')).status).toBe(404);
    expect((await get('/api/instant/create-task')).status).toBe(404);
    expect((await get('/api/v2/nothing', {}, { authorization: `Bearer ${key}` })).body.error.code).toBe('not_found');
  });
});
