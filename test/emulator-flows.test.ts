import { SignJWT } from 'jose';
import { parseBuffer } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess, type EmulatorProcess } from './support/voxform-process.js';

// `voxform emulator` as a user starts it, then each vendor's documented flow over real HTTP — what the
// README says works with curl.
let emulator: EmulatorProcess;
let base: string;
let keys: EmulatorProcess['keys'];

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  base = emulator.url;
  keys = emulator.keys;
}, 60_000);
afterAll(() => emulator?.stop());

async function call(method: string, url: string, options: { headers?: Record<string, string>; json?: unknown; form?: FormData } = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : options.form ? { body: options.form } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/** Polls until `done` says so (tasks finish in a few hundred ms with the default timing). */
async function until<TResult>(check: () => Promise<TResult>, done: (result: TResult) => boolean): Promise<TResult> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = await check();
    if (done(result)) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('task did not finish');
}

async function expectPlayable(url: string, format: 'mp3' | 'wav') {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const metadata = await parseBuffer(bytes, undefined, { duration: true });
  expect(metadata.format.container?.toLowerCase()).toContain(format === 'mp3' ? 'mpeg' : 'wave');
  expect(metadata.format.duration).toBeGreaterThan(0.2);
}

describe('voxform emulator over HTTP', () => {
  it('MiniMax: upload → voice_clone → t2a_v2 with an audio URL that downloads a playable file', async () => {
    const auth = { authorization: `Bearer ${keys.minimax}` };
    const sample = new Uint8Array(await (await fetch(`${base}/files/samples/narrator.mp3`)).arrayBuffer());
    const form = new FormData();
    form.set('purpose', 'voice_clone');
    form.set('file', new Blob([sample], { type: 'audio/mpeg' }), 'narrator.mp3');
    const upload = await call('POST', `${base}/minimax/v1/files/upload`, { headers: auth, form });
    expect(upload.body).toMatchObject({ file: { purpose: 'voice_clone', bytes: sample.length }, base_resp: { status_code: 0 } });

    const clone = await call('POST', `${base}/minimax/v1/voice_clone`, { headers: auth, json: { file_id: upload.body.file.file_id, voice_id: 'vx-e2e-minimax' } });
    expect(clone.body.base_resp).toEqual({ status_code: 0, status_msg: 'success' });
    const speech = await call('POST', `${base}/minimax/v1/t2a_v2`, {
      headers: auth,
      json: { model: 'speech-2.8-hd', text: 'Hello from the emulator.', output_format: 'url', voice_setting: { voice_id: 'vx-e2e-minimax' }, audio_setting: { format: 'mp3' } },
    });
    expect(speech.body).toMatchObject({ data: { status: 2 }, extra_info: { usage_characters: 24, audio_format: 'mp3' }, base_resp: { status_code: 0 } });
    await expectPlayable(speech.body.data.audio, 'mp3');

    // Errors come as HTTP 200 with base_resp: wrong key, missing field, duplicate id.
    expect((await call('POST', `${base}/minimax/v1/voice_clone`, { headers: { authorization: 'Bearer wrong' }, json: {} })).body.base_resp.status_code).toBe(2049);
    expect((await call('POST', `${base}/minimax/v1/voice_clone`, { headers: auth, json: { voice_id: 'vx-e2e-minimax-2' } })).body.base_resp.status_code).toBe(2013);
    const duplicate = await call('POST', `${base}/minimax/v1/voice_clone`, { headers: auth, json: { file_id: upload.body.file.file_id, voice_id: 'vx-e2e-minimax' } });
    expect(duplicate.body.base_resp.status_code).toBe(2039);
  });

  it('Vidu: audio-clone → audio-tts → tasks/{id}/creations', async () => {
    const auth = { authorization: `Token ${keys.vidu}` };
    const clone = await call('POST', `${base}/vidu/ent/v2/audio-clone`, { headers: auth, json: { audio_url: `${base}/files/samples/narrator.mp3`, voice_id: 'vx-e2e-vidu', text: 'A preview.' } });
    expect(clone.body).toMatchObject({ state: 'success', voice_id: 'vx-e2e-vidu' });
    const speech = await call('POST', `${base}/vidu/ent/v2/audio-tts`, { headers: auth, json: { text: 'Hello from Vidu.', voice_setting_voice_id: 'vx-e2e-vidu' } });
    const task = await until(() => call('GET', `${base}/vidu/ent/v2/tasks/${speech.body.task_id}/creations`, { headers: auth }), (result) => result.body.state === 'success');
    await expectPlayable(task.body.creations[0].url, 'mp3');

    expect((await call('POST', `${base}/vidu/ent/v2/audio-tts`, { headers: { authorization: `Bearer ${keys.vidu}` }, json: {} })).status).toBe(401);
    const missing = await call('POST', `${base}/vidu/ent/v2/audio-tts`, { headers: auth, json: { text: 'x' } });
    expect(missing).toMatchObject({ status: 400, body: { code: 'FieldLacking' } });
    const tooShort = await call('POST', `${base}/vidu/ent/v2/audio-clone`, { headers: auth, json: { audio_url: `${base}/files/samples/narrator.mp3`, voice_id: 'short', text: 'x' } });
    expect(tooShort).toMatchObject({ status: 400, body: { code: 'FieldInvalid' } });
  });

  it('SoundClone: clones → result/{id} (modelId) → soundCloning/audios → result/{id}', async () => {
    const auth = { authorization: `Bearer ${keys.soundclone}` };
    const clone = await call('POST', `${base}/soundclone/v1/soundCloning/clones`, { headers: auth, json: { fileUrl: `${base}/files/samples/narrator.mp3` } });
    expect(clone.body).toMatchObject({ object: 'audio', model: 'soundCloningClone', status: 'queued' });
    const preview = await until(() => call('GET', `${base}/soundclone/v1/result/${clone.body.id}`, { headers: auth }), (result) => result.body.status === 'completed');
    expect(preview.body.modelId).toEqual(expect.any(String));
    const generation = await call('POST', `${base}/soundclone/v1/soundCloning/audios`, { headers: auth, json: { modelId: preview.body.modelId, contentText: 'Hello from SoundClone.' } });
    const done = await until(() => call('GET', `${base}/soundclone/v1/result/${generation.body.id}`, { headers: auth }), (result) => result.body.status === 'completed');
    await expectPlayable(done.body.audioUrl, 'mp3');

    expect((await call('POST', `${base}/soundclone/v1/soundCloning/clones`, { headers: { authorization: 'Bearer wrong' }, json: {} })).status).toBe(401);
    expect((await call('POST', `${base}/soundclone/v1/soundCloning/audios`, { headers: auth, json: { contentText: 'x' } })).status).toBe(400);
  });

  it('AI Voice Clone Free: create-task (multipart and JSON) → task-status → task-result', async () => {
    const key = keys.aivoiceclonefree;
    const sample = new Uint8Array(await (await fetch(`${base}/files/samples/narrator.mp3`)).arrayBuffer());
    const form = new FormData();
    form.set('audio', new Blob([sample], { type: 'audio/mpeg' }), 'narrator.mp3');
    form.set('text', 'Hello from the multipart form.');
    form.set('api_key', key);
    const viaForm = await call('POST', `${base}/aivoiceclonefree/api/instant/create-task`, { form });
    const viaJson = await call('POST', `${base}/aivoiceclonefree/api/instant/create-task`, { json: { audio_url: `${base}/files/samples/narrator.mp3`, text: 'Hello from JSON.', api_key: key } });
    for (const created of [viaForm, viaJson]) {
      expect(created.body).toEqual({ task_id: expect.any(String), status: 'pending' });
      const query = `task_id=${created.body.task_id}&api_key=${key}`;
      await until(() => call('GET', `${base}/aivoiceclonefree/api/instant/task-status?${query}`), (result) => result.body.status === 'completed');
      const result = await call('GET', `${base}/aivoiceclonefree/api/instant/task-result?${query}`);
      await expectPlayable(result.body.audio_url, 'mp3');
    }
    expect((await call('POST', `${base}/aivoiceclonefree/api/instant/create-task`, { json: { text: 'x', api_key: key } })).status).toBe(400);
    expect((await call('POST', `${base}/aivoiceclonefree/api/instant/create-task`, { json: { audio_url: `${base}/files/samples/narrator.mp3`, text: 'x', api_key: 'wrong' } })).status).toBe(401);
  });

  it('Kling: custom-voices with a JWT → query by task id and external_task_id → list → delete', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(keys.kling.accessKey)
      .setExpirationTime(now + 1800)
      .setNotBefore(now - 5)
      .sign(new TextEncoder().encode(keys.kling.secretKey));
    const auth = { authorization: `Bearer ${token}` };
    const created = await call('POST', `${base}/kling/v1/general/custom-voices`, {
      headers: auth,
      json: { voice_name: 'e2e narrator', voice_url: `${base}/files/samples/narrator.mp3`, external_task_id: 'vx-e2e-kling' },
    });
    expect(created.body).toMatchObject({ code: 0, data: { task_status: 'submitted', task_info: { external_task_id: 'vx-e2e-kling' } } });
    const byTaskId = await until(() => call('GET', `${base}/kling/v1/general/custom-voices/${created.body.data.task_id}`, { headers: auth }), (result) => result.body.data.task_status === 'succeed');
    const voice = byTaskId.body.data.task_result.voices[0];
    expect(voice).toMatchObject({ voice_id: expect.any(String), voice_name: 'e2e narrator' });
    await expectPlayable(voice.trial_url, 'mp3');
    const byExternalId = await call('GET', `${base}/kling/v1/general/custom-voices/vx-e2e-kling`, { headers: auth });
    expect(byExternalId.body.data.task_id).toBe(created.body.data.task_id);
    const list = await call('GET', `${base}/kling/v1/general/custom-voices?pageNum=1&pageSize=30`, { headers: auth });
    expect(list.body.data.map((task: { task_id: string }) => task.task_id)).toContain(created.body.data.task_id);
    const deleted = await call('POST', `${base}/kling/v1/general/delete-voices`, { headers: auth, json: { voice_id: voice.voice_id } });
    expect(deleted.body).toMatchObject({ code: 0, data: { task_status: 'succeed' } });

    expect((await call('GET', `${base}/kling/v1/general/custom-voices/vx-e2e-kling`, { headers: { authorization: `Bearer ${token}x` } })).body.code).toBe(1002);
    expect((await call('GET', `${base}/kling/v1/general/custom-voices/vx-e2e-kling`, { headers: { authorization: `Bearer ${keys.kling.apiKey}` } })).status).toBe(400);
    expect((await call('POST', `${base}/kling/v1/general/custom-voices`, { headers: auth, json: { voice_name: 'no source' } })).body.code).toBe(1201);
  });

  it('logs every call, with each piece of billable work once', async () => {
    const { calls, duplicates } = (await call('GET', `${base}/__emulator/calls`)).body as { calls: Array<{ billable?: unknown }>; duplicates: unknown[] };
    expect(calls.filter((entry) => entry.billable).length).toBeGreaterThanOrEqual(8);
    expect(duplicates).toEqual([]);
  });
});
