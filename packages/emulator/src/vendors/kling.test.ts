import { SignJWT } from 'jose';
import { parseBuffer } from 'music-metadata';
import { beforeEach, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';

import { createEmulator, type Emulator } from '../create-emulator.js';
import { klingParallelTaskLimit } from './kling.js';

const minute = 60_000;

// Long phases, so a task's state changes only when a test moves the clock. One emulator, reset before
// each test, keeps rendered audio cached across tests.
const emulator: Emulator = createEmulator({ audio: 'tone', timing: { queuedMs: minute, processingMs: minute } });
const base = emulator.vendorBaseUrl('kling');
const apiKey = `Bearer ${emulator.keys.kling.apiKey}`;

beforeEach(() => {
  emulator.reset();
});

/** `authorization: null` sends no Authorization header. */
async function call(method: string, path: string, body?: unknown, authorization: string | null = apiKey): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await emulator.handle(
    new Request(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** A token as the vendor's sample code builds it, on the emulator clock, with claims overridden. */
async function token(claims: { iss?: string; exp?: number; nbf?: number } = {}, secret = emulator.keys.kling.secretKey, omit: string[] = []): Promise<string> {
  const now = Math.floor(emulator.clock.now() / 1000);
  const payload: Record<string, unknown> = { iss: emulator.keys.kling.accessKey, exp: now + 1800, nbf: now - 5, ...claims };
  for (const name of omit) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
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
  const response = await emulator.handle(new Request(url));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('audio/mpeg');
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect(bytes[0]).toBe(0xff);
  expect(bytes[1]! & 0xe0).toBe(0xe0);
  expect((await parseBuffer(bytes, { mimeType: 'audio/mpeg' }, { duration: true })).format.duration).toBeGreaterThan(0);
}

const envelope = (data: unknown) => ({ code: 0, message: 'SUCCEED', request_id: expect.stringMatching(/^[0-9a-f-]{36}$/), data });
const failure = (code: number) => ({ code, message: expect.any(String), request_id: expect.any(String) });
const sample = () => emulator.sampleUrl('narrator', 'mp3');

/** Creates a voice and lets it finish: its task id and voice id. */
async function cloneVoice(voiceName: string, extra: Record<string, unknown> = {}): Promise<{ taskId: string; voiceId: string }> {
  const created = await call('POST', '/v1/general/custom-voices', { voice_name: voiceName, voice_url: sample(), ...extra });
  expect(created.status).toBe(200);
  emulator.clock.advance(2 * minute);
  const queried = await call('GET', `/v1/general/custom-voices/${created.body.data.task_id}`);
  return { taskId: created.body.data.task_id, voiceId: queried.body.data.task_result.voices[0].voice_id };
}

describe('Kling auth', () => {
  it('accepts the static API key and a well-formed HS256 JWT', async () => {
    expect((await call('GET', '/v1/general/presets-voices')).status).toBe(200);
    const withToken = await call('GET', '/v1/general/presets-voices', undefined, `Bearer ${await token()}`);
    expect(withToken.status).toBe(200);
    expect(withToken.body.code).toBe(0);
    // nbf a few seconds ahead is within the tolerated skew.
    const now = Math.floor(emulator.clock.now() / 1000);
    expect((await call('GET', '/v1/general/presets-voices', undefined, `Bearer ${await token({ nbf: now + 3 })}`)).status).toBe(200);
  });

  it('answers 1001 for an empty Authorization', async () => {
    for (const authorization of [null, '', 'Bearer ', 'Bearer']) {
      const response = await call('GET', '/v1/general/presets-voices', undefined, authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.body).toEqual(failure(1001));
    }
  });

  it('answers 1002 for a wrong key, a bad signature, a wrong issuer, a token without exp or a malformed token', async () => {
    const now = Math.floor(emulator.clock.now() / 1000);
    const invalid = [
      'Bearer wrong-key',
      `Token ${emulator.keys.kling.apiKey}`,
      `Bearer ${await token({}, 'another-secret')}`,
      `Bearer ${await token({ iss: 'someone-else' })}`,
      `Bearer ${await token({}, emulator.keys.kling.secretKey, ['exp'])}`,
      `Bearer ${await token({}, emulator.keys.kling.secretKey, ['iss'])}`,
      'Bearer aaa.bbb.ccc',
      `Bearer ${(await token({ exp: now + 60 })).slice(0, -4)}`,
    ];
    for (const authorization of invalid) {
      const response = await call('GET', '/v1/general/presets-voices', undefined, authorization);
      expect(response.status, authorization).toBe(401);
      expect(response.body, authorization).toEqual(failure(1002));
    }
  });

  it('answers 1003 for a token not yet valid and 1004 for an expired one, on the emulator clock', async () => {
    const now = Math.floor(emulator.clock.now() / 1000);
    const early = await call('GET', '/v1/general/presets-voices', undefined, `Bearer ${await token({ nbf: now + 60 })}`);
    expect(early.status).toBe(401);
    expect(early.body).toEqual(failure(1003));
    const late = await call('GET', '/v1/general/presets-voices', undefined, `Bearer ${await token({ exp: now - 60 })}`);
    expect(late.status).toBe(401);
    expect(late.body).toEqual(failure(1004));

    const fresh = `Bearer ${await token()}`;
    expect((await call('GET', '/v1/general/presets-voices', undefined, fresh)).status).toBe(200);
    emulator.clock.advance(31 * minute);
    expect((await call('GET', '/v1/general/presets-voices', undefined, fresh)).body).toEqual(failure(1004));
    // The static key never expires.
    expect((await call('GET', '/v1/general/presets-voices')).status).toBe(200);
  });

  it('bills nothing it refused', async () => {
    await call('POST', '/v1/general/custom-voices', { voice_name: 'Refused', voice_url: sample() }, 'Bearer wrong');
    expect(emulator.calls.billable()).toEqual([]);
  });
});

describe('Kling custom voices', () => {
  it('creates a voice task that goes submitted → processing → succeed with a voice and a real trial', async () => {
    const start = emulator.clock.now();
    const created = await call('POST', '/v1/general/custom-voices', { voice_name: 'Narrator', voice_url: sample(), external_task_id: 'narrator-1', callback_url: 'https://example.com/hook' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual(envelope({ task_id: expect.stringMatching(/^\d{18}$/), task_info: { external_task_id: 'narrator-1' }, task_status: 'submitted', created_at: expect.any(Number), updated_at: expect.any(Number) }));
    const data = created.body.data;
    expect(data.created_at).toBeGreaterThanOrEqual(start);
    expect(data.created_at).toBeLessThanOrEqual(emulator.clock.now());
    expect(data.updated_at).toBe(data.created_at);

    const submitted = await call('GET', `/v1/general/custom-voices/${data.task_id}`);
    expect(submitted.body).toEqual(envelope({ task_id: data.task_id, task_status: 'submitted', task_status_msg: '', final_unit_deduction: '0', task_info: { external_task_id: 'narrator-1' }, created_at: data.created_at, updated_at: data.created_at }));
    emulator.clock.advance(minute);
    const processing = await call('GET', `/v1/general/custom-voices/${data.task_id}`);
    expect(processing.body.data).toMatchObject({ task_status: 'processing', updated_at: data.created_at + minute });
    expect(processing.body.data.task_result).toBeUndefined();

    emulator.clock.advance(minute);
    const succeeded = await call('GET', `/v1/general/custom-voices/${data.task_id}`);
    expect(succeeded.body).toEqual(
      envelope({
        task_id: data.task_id,
        task_status: 'succeed',
        task_status_msg: '',
        final_unit_deduction: '0.05',
        task_info: { external_task_id: 'narrator-1' },
        task_result: { voices: [{ voice_id: expect.stringMatching(/^\d{18}$/), voice_name: 'Narrator', trial_url: expect.stringMatching(/^http:\/\/emulator\.voxform\.test\/files\//), owned_by: expect.stringMatching(/^\d+$/) }] },
        created_at: data.created_at,
        updated_at: data.created_at + 2 * minute,
      }),
    );
    await expectRealMp3(succeeded.body.data.task_result.voices[0].trial_url);

    // The same task by its external_task_id.
    const byExternal = await call('GET', '/v1/general/custom-voices/narrator-1');
    expect(byExternal.body.data).toEqual(succeeded.body.data);
  });

  it('takes a wav sample and answers an empty task_info without external_task_id', async () => {
    const created = await call('POST', '/v1/general/custom-voices', { voice_name: 'Wave', voice_url: await host(wav(6)) });
    expect(created.body.data.task_info).toEqual({});
    emulator.clock.advance(2 * minute);
    expect((await call('GET', `/v1/general/custom-voices/${created.body.data.task_id}`)).body.data.task_status).toBe('succeed');
  });

  it('refuses bad requests with 1201 (1200 for a body that is not JSON)', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ voice_url: sample() }, /voice_name is required/],
      [{ voice_name: 'x'.repeat(21), voice_url: sample() }, /at most 20 characters/],
      [{ voice_name: 'Both', voice_url: sample(), video_id: '123' }, /exactly one of voice_url and video_id/],
      [{ voice_name: 'Neither' }, /exactly one of voice_url and video_id/],
      [{ voice_name: 'Relative', voice_url: '/files/a.mp3' }, /absolute http/],
      [{ voice_name: 'Ogg', voice_url: 'https://example.com/voice.ogg' }, /\.mp3\/\.wav/],
      [{ voice_name: 'Video', video_id: 42 }, /video_id must be a string/],
      [{ voice_name: 'Hook', voice_url: sample(), callback_url: 'not a url' }, /callback_url/],
      [{ voice_name: 'External', voice_url: sample(), external_task_id: 7 }, /external_task_id/],
    ];
    for (const [body, message] of cases) {
      const response = await call('POST', '/v1/general/custom-voices', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toEqual({ code: 1201, message: expect.stringMatching(message), request_id: expect.any(String) });
    }
    expect((await call('POST', '/v1/general/custom-voices', 'nope')).body).toEqual(failure(1200));
    expect((await call('POST', '/v1/general/custom-voices', { voice_name: 'x'.repeat(20), voice_url: sample() })).status).toBe(200);
    expect(emulator.calls.billable()).toHaveLength(1);
  });

  it('refuses a duplicate external_task_id and a voice_name already in use', async () => {
    await call('POST', '/v1/general/custom-voices', { voice_name: 'First', voice_url: sample(), external_task_id: 'same' });
    const duplicate = await call('POST', '/v1/general/custom-voices', { voice_name: 'Second', voice_url: sample(), external_task_id: 'same' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toEqual({ code: 1201, message: expect.stringMatching(/external_task_id 'same' already exists/), request_id: expect.any(String) });
    const sameName = await call('POST', '/v1/general/custom-voices', { voice_name: 'First', voice_url: sample() });
    expect(sameName.body.message).toMatch(/voice_name 'First' already exists/);
    expect(emulator.calls.billable()).toHaveLength(1);
  });

  it('accepts one of two clones sent at once with the same external_task_id (a retry racing its first attempt)', async () => {
    // A sample not yet rendered, so both requests wait on reading it at the same time.
    const voiceUrl = emulator.sampleUrl('racing-sample', 'mp3');
    const [first, second] = await Promise.all([
      call('POST', '/v1/general/custom-voices', { voice_name: 'Racer', voice_url: voiceUrl, external_task_id: 'race-1' }),
      call('POST', '/v1/general/custom-voices', { voice_name: 'Racer', voice_url: voiceUrl, external_task_id: 'race-1' }),
    ]);
    expect([first.body.code, second.body.code].sort()).toEqual([0, 1201]);
    expect(emulator.calls.billable()).toHaveLength(1);
    expect(emulator.calls.duplicates()).toEqual([]);
  });

  it('fails the task, unbilled, for a sample out of 5–30 s, one that is not audio, and any video_id', async () => {
    const cases = [
      [{ voice_name: 'Short', voice_url: await host(wav(3)) }, /5-30 s.*3\.0 s/],
      [{ voice_name: 'Long', voice_url: await host(wav(31)) }, /5-30 s.*31\.0 s/],
      [{ voice_name: 'Text', voice_url: await host(new TextEncoder().encode('hello')) }, /not mp3\/wav audio/],
      [{ voice_name: 'Missing', voice_url: `${emulator.baseUrl}/files/missing.mp3` }, /could not be downloaded/],
      [{ voice_name: 'Video', video_id: '860000000000000001' }, /video_id .* not found/],
    ] as const;
    const ids: string[] = [];
    for (const [body] of cases) {
      const created = await call('POST', '/v1/general/custom-voices', body);
      expect(created.body.data.task_status).toBe('submitted');
      ids.push(created.body.data.task_id);
    }
    emulator.clock.advance(2 * minute);
    for (const [index, [, reason]] of cases.entries()) {
      const data = (await call('GET', `/v1/general/custom-voices/${ids[index]}`)).body.data;
      expect(data).toMatchObject({ task_status: 'failed', task_status_msg: expect.stringMatching(reason), final_unit_deduction: '0' });
      expect(data.task_result).toBeUndefined();
    }
    expect(emulator.calls.billable()).toEqual([]);
    // A failed voice does not hold its name.
    expect((await call('POST', '/v1/general/custom-voices', { voice_name: 'Short', voice_url: sample() })).status).toBe(200);
  });

  it('answers 1201 for an unknown task id', async () => {
    const response = await call('GET', '/v1/general/custom-voices/123456');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 1201, message: expect.stringMatching(/not found/), request_id: expect.any(String) });
  });

  it(`holds at most ${klingParallelTaskLimit} unfinished tasks per account, answering 1303 over it`, async () => {
    for (let index = 0; index < klingParallelTaskLimit; index++) {
      expect((await call('POST', '/v1/general/custom-voices', { voice_name: `Voice ${index}`, voice_url: sample() })).status).toBe(200);
    }
    const over = await call('POST', '/v1/general/custom-voices', { voice_name: 'One too many', voice_url: sample() });
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ code: 1303, message: 'parallel task over resource pack limit', request_id: expect.any(String) });
    expect(over.body.data).toBeUndefined();
    expect(emulator.calls.billable()).toHaveLength(klingParallelTaskLimit);

    emulator.clock.advance(2 * minute);
    expect((await call('POST', '/v1/general/custom-voices', { voice_name: 'One too many', voice_url: sample() })).status).toBe(200);
  });

  it('keeps tasks processing under stuckTasks, so they hold their slots', async () => {
    emulator.setFaults('kling', { stuckTasks: true });
    for (let index = 0; index < klingParallelTaskLimit; index++) await call('POST', '/v1/general/custom-voices', { voice_name: `Stuck ${index}`, voice_url: sample() });
    emulator.clock.advance(60 * minute);
    const list = await call('GET', '/v1/general/custom-voices');
    expect(list.body.data.map((task: { task_status: string }) => task.task_status)).toEqual(Array(klingParallelTaskLimit).fill('processing'));
    expect((await call('POST', '/v1/general/custom-voices', { voice_name: 'Blocked', voice_url: sample() })).body.code).toBe(1303);
    emulator.clearFaults('kling');
    expect((await call('GET', '/v1/general/custom-voices')).body.data.every((task: { task_status: string }) => task.task_status === 'succeed')).toBe(true);
  });
});

describe('Kling voice lists and deletion', () => {
  it('lists custom voices newest first, paged by pageNum and pageSize', async () => {
    for (const name of ['A', 'B', 'C']) {
      await call('POST', '/v1/general/custom-voices', { voice_name: name, voice_url: sample() });
      emulator.clock.advance(1000);
    }
    const all = await call('GET', '/v1/general/custom-voices');
    expect(all.body).toEqual(envelope(expect.any(Array)));
    expect(all.body.data).toHaveLength(3);
    expect(all.body.data[0]).toMatchObject({ task_status: 'submitted', task_info: {}, final_unit_deduction: '0' });

    emulator.clock.advance(2 * minute);
    const firstPage = await call('GET', '/v1/general/custom-voices?pageNum=1&pageSize=2');
    expect(firstPage.body.data.map((task: any) => task.task_result.voices[0].voice_name)).toEqual(['C', 'B']);
    const secondPage = await call('GET', '/v1/general/custom-voices?pageNum=2&pageSize=2');
    expect(secondPage.body.data.map((task: any) => task.task_result.voices[0].voice_name)).toEqual(['A']);
    expect((await call('GET', '/v1/general/custom-voices?pageNum=3&pageSize=2')).body.data).toEqual([]);
    expect((await call('GET', '/v1/general/custom-voices?pageSize=500')).body.data).toHaveLength(3);
    expect((await call('GET', '/v1/general/custom-voices?pageNum=1000')).status).toBe(200);

    for (const query of ['pageNum=0', 'pageNum=1001', 'pageSize=0', 'pageSize=501', 'pageSize=two', 'pageNum=1.5']) {
      const response = await call('GET', `/v1/general/custom-voices?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.code).toBe(1201);
    }
  });

  it('lists the official voices, owned by kling, with real trial audio', async () => {
    const presets = await call('GET', '/v1/general/presets-voices');
    expect(presets.body).toEqual(envelope(expect.any(Array)));
    expect(presets.body.data.length).toBeGreaterThanOrEqual(3);
    for (const preset of presets.body.data) {
      expect(preset).toEqual({
        task_id: expect.any(String),
        task_status: 'succeed',
        task_status_msg: '',
        task_result: { voices: [{ voice_id: expect.any(String), voice_name: expect.any(String), trial_url: expect.any(String), owned_by: 'kling' }] },
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      });
    }
    await expectRealMp3(presets.body.data[0].task_result.voices[0].trial_url);
    const paged = await call('GET', '/v1/general/presets-voices?pageNum=2&pageSize=1');
    expect(paged.body.data).toEqual([presets.body.data[1]]);
    expect((await call('GET', '/v1/general/presets-voices?pageSize=501')).body.code).toBe(1201);
  });

  it('deletes a custom voice: gone from queries and the list, its external_task_id still taken', async () => {
    const { taskId, voiceId } = await cloneVoice('Doomed', { external_task_id: 'doomed-1' });
    const kept = await cloneVoice('Kept');
    const deleted = await call('POST', '/v1/general/delete-voices', { voice_id: voiceId });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(envelope({ task_id: expect.stringMatching(/^\d+$/), task_status: 'succeed', task_info: {}, created_at: expect.any(Number), updated_at: expect.any(Number) }));

    expect((await call('GET', `/v1/general/custom-voices/${taskId}`)).body.code).toBe(1201);
    expect((await call('GET', '/v1/general/custom-voices/doomed-1')).body.code).toBe(1201);
    expect((await call('GET', '/v1/general/custom-voices')).body.data.map((task: any) => task.task_id)).toEqual([kept.taskId]);
    const again = await call('POST', '/v1/general/delete-voices', { voice_id: voiceId });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe(1201);
    expect((await call('POST', '/v1/general/custom-voices', { voice_name: 'Doomed', voice_url: sample(), external_task_id: 'doomed-1' })).body.code).toBe(1201);
    // Its name is free again.
    expect((await call('POST', '/v1/general/custom-voices', { voice_name: 'Doomed', voice_url: sample() })).status).toBe(200);
  });

  it('refuses to delete an unknown voice, an official voice, a missing voice_id and a voice still in progress', async () => {
    const presetId = (await call('GET', '/v1/general/presets-voices')).body.data[0].task_result.voices[0].voice_id;
    const inProgress = await call('POST', '/v1/general/custom-voices', { voice_name: 'Busy', voice_url: sample() });
    expect(inProgress.status).toBe(200);
    for (const body of [{ voice_id: '999' }, { voice_id: presetId }, {}, { voice_id: '930801338000000000' }]) {
      const response = await call('POST', '/v1/general/delete-voices', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe(1201);
    }
  });

  it('with voicesVanish answers as if no custom voice had been created', async () => {
    const { taskId, voiceId } = await cloneVoice('Ghost', { external_task_id: 'ghost-1' });
    emulator.setFaults('kling', { voicesVanish: true });
    expect((await call('GET', `/v1/general/custom-voices/${taskId}`)).body.code).toBe(1201);
    expect((await call('GET', '/v1/general/custom-voices/ghost-1')).body.code).toBe(1201);
    expect((await call('GET', '/v1/general/custom-voices')).body.data).toEqual([]);
    expect((await call('POST', '/v1/general/delete-voices', { voice_id: voiceId })).body.code).toBe(1201);
    emulator.clearFaults('kling');
    expect((await call('GET', `/v1/general/custom-voices/${taskId}`)).body.data.task_status).toBe('succeed');
  });
});

describe('Kling billing, faults and routing', () => {
  it('bills clones under external_task_id, else voice name and URL, so repeated work shows as duplicates', async () => {
    await call('POST', '/v1/general/custom-voices', { voice_name: 'Keyed', voice_url: sample(), external_task_id: 'keyed-1' });
    await call('POST', '/v1/general/custom-voices', { voice_name: 'Plain', voice_url: sample() });
    expect(emulator.calls.billable().map((entry) => entry.billable)).toEqual([
      { kind: 'clone', key: 'keyed-1' },
      { kind: 'clone', key: `Plain\n${sample()}` },
    ]);
    expect(emulator.calls.duplicates()).toEqual([]);
    emulator.clock.advance(2 * minute);
    await call('POST', '/v1/general/delete-voices', { voice_id: (await call('GET', '/v1/general/custom-voices')).body.data.find((task: any) => task.task_info.external_task_id === undefined).task_result.voices[0].voice_id });
    await call('POST', '/v1/general/custom-voices', { voice_name: 'Plain', voice_url: sample() });
    expect(emulator.calls.duplicates()).toEqual([{ vendor: 'kling', kind: 'clone', key: `Plain\n${sample()}`, count: 2 }]);
  });

  it('answers injected faults with the vendor codes', async () => {
    emulator.setFaults('kling', { rateLimitBurst: { count: 1, retryAfterSeconds: 2 } });
    const limited = await call('GET', '/v1/general/presets-voices');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.body).toEqual({ code: 1302, message: 'request rate too high', request_id: expect.any(String) });
    for (const [status, code] of [[500, 5000], [503, 5001], [504, 5002], [400, 1200], [502, 5000]] as const) {
      emulator.setFaults('kling', { errorRates: { [String(status)]: 1 } });
      const response = await call('GET', '/v1/general/presets-voices');
      expect(response.status).toBe(status);
      expect(response.body).toEqual(failure(code));
    }
  });

  it('answers 1203 for an unknown path and 1202 for a wrong method', async () => {
    const unknown = await call('GET', '/v1/general/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(failure(1203));
    expect((await call('DELETE', '/v1/general/custom-voices')).body).toEqual(failure(1202));
    expect((await call('POST', '/v1/general/custom-voices/123', {})).body).toEqual(failure(1202));
  });
});

describe('Kling TTS', () => {
  it('speaks with an official TTS voice, synchronously', async () => {
    const response = await call('POST', '/v1/audio/tts', { text: 'Hello there.', voice_id: 'oversea_male1', voice_language: 'en', voice_speed: 1.2 });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(
      envelope({
        task_id: expect.any(String),
        task_status: 'succeed',
        task_status_msg: '',
        final_unit_deduction: expect.any(String),
        task_result: { audios: [{ id: expect.any(String), url: expect.any(String), duration: expect.stringMatching(/^\d+\.\d\d$/) }] },
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      }),
    );
    await expectRealMp3(response.body.data.task_result.audios[0].url);
    expect(emulator.calls.billable()[0]!.billable).toEqual({ kind: 'synthesis', key: 'oversea_male1\nHello there.' });
  });

  it('refuses custom and preset voice ids with 1201 "Voice id not found", and other bad input', async () => {
    const { voiceId } = await cloneVoice('Mine');
    const presetId = (await call('GET', '/v1/general/presets-voices')).body.data[0].task_result.voices[0].voice_id;
    for (const id of [voiceId, presetId]) {
      const response = await call('POST', '/v1/audio/tts', { text: 'Hi', voice_id: id, voice_language: 'en' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ code: 1201, message: 'Voice id not found', request_id: expect.any(String) });
    }
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ voice_id: 'oversea_male1', voice_language: 'en' }, /text is required/],
      [{ text: 'x'.repeat(1001), voice_id: 'oversea_male1', voice_language: 'en' }, /1000/],
      [{ text: 'Hi', voice_language: 'en' }, /voice_id is required/],
      [{ text: 'Hi', voice_id: 'oversea_male1', voice_language: 'fr' }, /voice_language/],
      [{ text: 'Hi', voice_id: 'oversea_male1' }, /does not match/],
    ];
    for (const [body, message] of cases) {
      const response = await call('POST', '/v1/audio/tts', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.message).toMatch(message);
    }
  });
});
