import { parseBuffer } from 'music-metadata';
import { beforeEach, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';

import { createEmulator, type Emulator } from '../create-emulator.js';
import { soundCloneDefaultPreviewText } from './soundclone.js';

const minute = 60_000;
const day = 24 * 60 * minute;

// Long phases, so a task's state changes only when a test moves the clock. One emulator, reset before
// each test, keeps rendered audio cached across tests.
const emulator: Emulator = createEmulator({ audio: 'tone', timing: { queuedMs: minute, processingMs: minute } });

beforeEach(() => {
  emulator.reset();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await emulator.handle(
    new Request(emulator.vendorBaseUrl('soundclone') + path, {
      method,
      headers: { authorization: `Bearer ${emulator.keys.soundclone}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
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

async function expectRealMp3(url: string): Promise<void> {
  const file = await download(url);
  expect(file.status).toBe(200);
  expect(file.contentType).toBe('audio/mpeg');
  expect(file.bytes[0]).toBe(0xff);
  expect(file.bytes[1]! & 0xe0).toBe(0xe0);
  const metadata = await parseBuffer(file.bytes, { mimeType: 'audio/mpeg' }, { duration: true });
  expect(metadata.format.duration).toBeGreaterThan(0);
}

/** A completed preview: its modelId. */
async function cloneModel(fileUrl = emulator.sampleUrl('narrator', 'mp3')): Promise<string> {
  const created = await call('POST', '/v1/soundCloning/clones', { fileUrl });
  emulator.clock.advance(2 * minute);
  const result = await call('GET', `/v1/result/${created.body.id}`);
  expect(result.body.status).toBe('completed');
  return result.body.modelId as string;
}

describe('SoundClone clones', () => {
  it('creates a preview task that goes queued → processing → completed with a modelId and a real preview', async () => {
    const before = Math.floor(emulator.clock.now() / 1000);
    const created = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'mp3'), contentText: 'Hello from the forest.', soundVersion: 'v2', language: 'English' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.stringMatching(/^audio_[0-9a-f-]{36}$/), object: 'audio', created: expect.any(Number), model: 'soundCloningClone', status: 'queued', error: null });
    expect(created.body.created).toBeGreaterThanOrEqual(before);

    expect((await call('GET', `/v1/result/${created.body.id}`)).body.status).toBe('queued');
    emulator.clock.advance(minute);
    const processing = await call('GET', `/v1/result/${created.body.id}`);
    expect(processing.body).toMatchObject({ status: 'processing', error: null });
    expect(processing.body.modelId).toBeUndefined();
    expect(processing.body.audioUrl).toBeUndefined();

    emulator.clock.advance(minute);
    const completed = await call('GET', `/v1/result/${created.body.id}`);
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({
      id: created.body.id,
      object: 'audio',
      created: created.body.created,
      model: 'soundCloningClone',
      status: 'completed',
      error: null,
      modelId: expect.stringMatching(/^[0-9a-f]{32}$/),
      audioUrl: expect.stringMatching(/^http:\/\/emulator\.voxform\.test\/files\//),
    });
    await expectRealMp3(completed.body.audioUrl);
    // The same answer on every later query.
    expect((await call('GET', `/v1/result/${created.body.id}`)).body).toEqual(completed.body);
  });

  it('speaks the default forest sentence when contentText is omitted, and accepts auto with v1', async () => {
    expect(soundCloneDefaultPreviewText).toMatch(/森林/);
    const created = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'mp3'), language: 'auto' });
    expect(created.status).toBe(200);
    const wavSample = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'wav'), soundVersion: 'v1' });
    expect(wavSample.status).toBe(200);
  });

  it('refuses missing or wrong auth with a 401 error body', async () => {
    const missing = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'mp3') }, { authorization: '' });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ timestamp: expect.any(String), status: 401, error: 'Unauthorized', message: expect.stringMatching(/Authorization/), path: '/kyyReactApiServer/v1/soundCloning/clones' });
    const wrong = await call('GET', '/v1/result/audio_x', undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('invalid API key');
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('answers unrouted paths with the Spring "No handler found" 404', async () => {
    const response = await call('GET', '/v1/nothing/here');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 404, error: 'Not Found', message: 'No handler found for GET /kyyReactApiServer/v1/nothing/here' });
    expect((await call('DELETE', '/v1/soundCloning/clones')).status).toBe(404);
  });

  it('refuses bad clone requests with 400 and bills none of them', async () => {
    const fileUrl = emulator.sampleUrl('narrator', 'mp3');
    const cases: Array<[unknown, RegExp]> = [
      [{}, /fileUrl is required/],
      [{ fileUrl: 'not a url' }, /absolute http/],
      [{ fileUrl: 'ftp://example.com/a.mp3' }, /http\(s\)/],
      [{ fileUrl: 'https://example.com/声音.mp3' }, /Chinese/],
      [{ fileUrl, contentText: 'x'.repeat(270) }, /shorter than 270/],
      [{ fileUrl, contentText: 42 }, /contentText must be a string/],
      [{ fileUrl, soundVersion: 'v3' }, /soundVersion/],
      [{ fileUrl, language: 'Swedish' }, /requires soundVersion 'v2'/],
      [{ fileUrl, soundVersion: 'v1', language: 'Klingon' }, /not supported/],
      ['not json', /JSON object/],
      [[1, 2], /JSON object/],
    ];
    for (const [body, message] of cases) {
      const response = await call('POST', '/v1/soundCloning/clones', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.message).toMatch(message);
    }
    expect((await call('POST', '/v1/soundCloning/clones', { fileUrl, contentText: 'x'.repeat(269), soundVersion: 'v2', language: 'Swedish' })).status).toBe(200);
    expect(emulator.calls.billable()).toHaveLength(1);
  });

  it('fails the task, unbilled, when the sample is too short, too long or cannot be downloaded', async () => {
    const samples = [
      [await host(wav(10)), /at least 15 s/],
      [await host(wav(61)), /shorter than 60 s/],
      [`${emulator.baseUrl}/files/missing`, /could not be downloaded.*404/],
      [await host(new TextEncoder().encode('plain text, not audio')), /format/],
    ] as const;
    const ids: string[] = [];
    for (const [fileUrl] of samples) {
      const created = await call('POST', '/v1/soundCloning/clones', { fileUrl });
      expect(created.body.status).toBe('queued');
      ids.push(created.body.id);
    }
    emulator.clock.advance(2 * minute);
    for (const [index, [, reason]] of samples.entries()) {
      const result = await call('GET', `/v1/result/${ids[index]}`);
      expect(result.body.status).toBe('failed');
      expect(result.body.error).toMatch(reason);
      expect(result.body.modelId).toBeUndefined();
    }
    expect(emulator.calls.billable({ vendor: 'soundclone' })).toEqual([]);
  });

  it('answers 404 for an unknown task id', async () => {
    const response = await call('GET', '/v1/result/audio_unknown');
    expect(response.status).toBe(404);
    expect(response.body.message).toMatch(/audio_unknown/);
  });
});

describe('SoundClone audios', () => {
  it('generates speech with a cloned voice: queued → processing → completed with an mp3', async () => {
    const modelId = await cloneModel();
    const created = await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Once upon a time<#0.5#>there was a lighthouse.', emotion: 'happy', speed: 1.2, vol: 10, pitch: -12, soundVersion: 'v1', language: 'English' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.stringMatching(/^audio_/), object: 'audio', created: expect.any(Number), model: 'soundCloningAudio', status: 'queued', error: null });
    emulator.clock.advance(minute);
    expect((await call('GET', `/v1/result/${created.body.id}`)).body.status).toBe('processing');
    emulator.clock.advance(minute);
    const completed = await call('GET', `/v1/result/${created.body.id}`);
    expect(completed.body).toEqual({ ...created.body, status: 'completed', modelId, audioUrl: expect.any(String) });
    await expectRealMp3(completed.body.audioUrl);
  });

  it('writes a subtitle file when asked, sentence-level by default and word-level with subtitleType word', async () => {
    const modelId = await cloneModel();
    const sentence = await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'First sentence. Second sentence!', subtitleEnable: true });
    const word = await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Three little words', subtitleEnable: true, subtitleType: 'word' });
    const plain = await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'No subtitles here' });
    emulator.clock.advance(2 * minute);
    const sentenceResult = await call('GET', `/v1/result/${sentence.body.id}`);
    const sentenceFile = new TextDecoder().decode((await download(sentenceResult.body.subtitleFile)).bytes);
    expect(sentenceFile).toMatch(/^1\n00:00:00,000 --> 00:00:\d\d,\d{3}\nFirst sentence\.\n\n2\n.*\nSecond sentence!\n$/);
    const wordResult = await call('GET', `/v1/result/${word.body.id}`);
    const wordFile = new TextDecoder().decode((await download(wordResult.body.subtitleFile)).bytes);
    expect(wordFile.match(/-->/g)).toHaveLength(3);
    expect((await call('GET', `/v1/result/${plain.body.id}`)).body.subtitleFile).toBeUndefined();
  });

  it('refuses bad generation requests with 400', async () => {
    const modelId = await cloneModel();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ contentText: 'hi' }, /modelId is required/],
      [{ modelId }, /contentText is required/],
      [{ modelId, contentText: 'x'.repeat(10_000) }, /shorter than 10000/],
      [{ modelId, contentText: 'a<#100#>b' }, /pause marker/],
      [{ modelId, contentText: 'a<#0.001#>b' }, /pause marker/],
      [{ modelId, contentText: 'a<#0#>b' }, /pause marker/],
      [{ modelId, contentText: '<#1#>not between characters' }, /pause marker/],
      [{ modelId, contentText: 'hi', emotion: 'bored' }, /emotion/],
      [{ modelId, contentText: 'hi', speed: 2.5 }, /speed/],
      [{ modelId, contentText: 'hi', speed: 0.4 }, /speed/],
      [{ modelId, contentText: 'hi', vol: 0 }, /vol must be in \(0, 10\]/],
      [{ modelId, contentText: 'hi', vol: 11 }, /vol/],
      [{ modelId, contentText: 'hi', pitch: 1.5 }, /pitch must be an integer/],
      [{ modelId, contentText: 'hi', pitch: 13 }, /pitch/],
      [{ modelId, contentText: 'hi', subtitleEnable: 'yes' }, /subtitleEnable/],
      [{ modelId, contentText: 'hi', subtitleType: 'sentence' }, /subtitleType/],
      [{ modelId, contentText: 'hi', language: 'Danish' }, /requires soundVersion 'v2'/],
      [{ modelId: 'f'.repeat(32), contentText: 'hi' }, /not found/],
    ];
    for (const [body, message] of cases) {
      const response = await call('POST', '/v1/soundCloning/audios', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.message).toMatch(message);
    }
    // 9 999 characters plus pause markers (which do not count) is fine.
    expect((await call('POST', '/v1/soundCloning/audios', { modelId, contentText: `${'x'.repeat(9_998)}<#1.25#>y`, vol: 0.1 })).status).toBe(200);
    expect(emulator.calls.billable({ vendor: 'soundclone' }).map((entry) => entry.billable!.kind)).toEqual(['clone', 'synthesis']);
  });

  it('expires an unused modelId after 3 days, while a used one becomes permanent', async () => {
    const unused = await cloneModel();
    const used = await cloneModel(await host(wav(20)));
    expect((await call('POST', '/v1/soundCloning/audios', { modelId: used, contentText: 'Keep me.' })).status).toBe(200);

    emulator.clock.advance(3 * day - 3 * minute);
    expect((await call('POST', '/v1/soundCloning/audios', { modelId: used, contentText: 'Still here.' })).status).toBe(200);
    emulator.clock.advance(day);
    const expired = await call('POST', '/v1/soundCloning/audios', { modelId: unused, contentText: 'Too late.' });
    expect(expired.status).toBe(400);
    expect(expired.body.message).toMatch(/expired/);
    expect((await call('POST', '/v1/soundCloning/audios', { modelId: used, contentText: 'Permanent now.' })).status).toBe(200);
  });

  it('keeps an unused modelId usable until its third day ends', async () => {
    const modelId = await cloneModel();
    emulator.clock.advance(3 * day - 10 * minute);
    expect((await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Just in time.' })).status).toBe(200);
    emulator.clock.advance(30 * day);
    expect((await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Still mine.' })).status).toBe(200);
  });
});

describe('SoundClone billing and faults', () => {
  it('logs billable work under a key a retry of the same work repeats, so duplicates show', async () => {
    const fileUrl = emulator.sampleUrl('narrator', 'mp3');
    await call('POST', '/v1/soundCloning/clones', { fileUrl, contentText: 'Preview.' });
    await call('POST', '/v1/soundCloning/clones', { fileUrl });
    expect(emulator.calls.duplicates()).toEqual([]);
    await call('POST', '/v1/soundCloning/clones', { fileUrl, contentText: 'Preview.' });
    expect(emulator.calls.duplicates()).toEqual([{ vendor: 'soundclone', kind: 'clone', key: `${fileUrl}\nPreview.`, count: 2 }]);
    expect(emulator.calls.billable({ vendor: 'soundclone' }).map((entry) => entry.billable)).toEqual([
      { kind: 'clone', key: `${fileUrl}\nPreview.` },
      { kind: 'clone', key: `${fileUrl}\n` },
      { kind: 'clone', key: `${fileUrl}\nPreview.` },
    ]);

    emulator.calls.clear();
    emulator.clock.advance(2 * minute);
    const modelId = await cloneModel();
    await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Line one.' });
    await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Line one.' });
    expect(emulator.calls.duplicates()).toContainEqual({ vendor: 'soundclone', kind: 'synthesis', key: `${modelId}\nLine one.`, count: 2 });
  });

  it('with voicesVanish refuses a modelId as never created; the task record stays', async () => {
    const created = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'mp3') });
    emulator.clock.advance(2 * minute);
    const modelId = (await call('GET', `/v1/result/${created.body.id}`)).body.modelId;
    emulator.setFaults('soundclone', { voicesVanish: true });
    const refused = await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Hello?' });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/not found/);
    expect((await call('GET', `/v1/result/${created.body.id}`)).body.status).toBe('completed');
    emulator.clearFaults('soundclone');
    expect((await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Hello?' })).status).toBe(200);
  });

  it('with stuckTasks keeps tasks processing until the fault is lifted; finished tasks stay finished', async () => {
    const done = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'mp3'), contentText: 'Done before.' });
    emulator.clock.advance(2 * minute);
    expect((await call('GET', `/v1/result/${done.body.id}`)).body.status).toBe('completed');

    emulator.setFaults('soundclone', { stuckTasks: true });
    const stuck = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'mp3') });
    emulator.clock.advance(day);
    expect((await call('GET', `/v1/result/${stuck.body.id}`)).body.status).toBe('processing');
    expect((await call('GET', `/v1/result/${done.body.id}`)).body.status).toBe('completed');
    emulator.clearFaults('soundclone');
    expect((await call('GET', `/v1/result/${stuck.body.id}`)).body.status).toBe('completed');
  });

  it('answers injected 429s and 5xx with its error body and Retry-After', async () => {
    emulator.setFaults('soundclone', { rateLimitBurst: { count: 1, retryAfterSeconds: 7 } });
    const limited = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'mp3') });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toMatchObject({ status: 429, error: 'Too Many Requests', message: expect.any(String) });
    expect(emulator.calls.entries({ vendor: 'soundclone' })[0]).toMatchObject({ status: 429, fault: 'rate-limit' });
    expect(emulator.calls.billable()).toEqual([]);

    emulator.setFaults('soundclone', { errorRates: { '503': 1 } });
    const unavailable = await call('GET', '/v1/result/audio_x');
    expect(unavailable.status).toBe(503);
    expect(unavailable.body).toMatchObject({ status: 503, error: 'Service Unavailable' });
  });

  it('wraps answers in the reseller envelope when asked', async () => {
    const created = await call('POST', '/v1/soundCloning/clones', { fileUrl: emulator.sampleUrl('narrator', 'mp3') }, { 'x-emulator-envelope': 'reseller' });
    expect(created.body).toEqual({ code: 20000, msg: 'ok', data: expect.objectContaining({ object: 'audio', status: 'queued' }) });
    const queried = await call('GET', `/v1/result/${created.body.data.id}`, undefined, { 'x-emulator-envelope': 'reseller' });
    expect(queried.body.data.id).toBe(created.body.data.id);
  });

  it('forgets every task and model on reset', async () => {
    const modelId = await cloneModel();
    emulator.reset();
    expect((await call('POST', '/v1/soundCloning/audios', { modelId, contentText: 'Hello?' })).status).toBe(400);
  });
});
