import { parseBuffer } from 'music-metadata';
import { beforeEach, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';

import { createEmulator, type Emulator, type EmulatorOptions } from '../create-emulator.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
/** Long task timings, so a state read right after creation never races real time. */
const slowTasks: EmulatorOptions['timing'] = { queuedMs: 60_000, processingMs: 60_000 };

type Body = Record<string, any>;

let emulator: Emulator;
beforeEach(() => {
  emulator = createEmulator({ audio: 'tone' });
});

const authorization = () => ({ authorization: `Token ${emulator.keys.vidu}` });

async function post(path: string, body: unknown, headers: Record<string, string> = authorization()): Promise<{ response: Response; body: Body }> {
  const response = await emulator.handle(
    new Request(`${emulator.vendorBaseUrl('vidu')}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
  return { response, body: (await response.json()) as Body };
}

async function get(path: string, headers: Record<string, string> = authorization()): Promise<{ response: Response; body: Body }> {
  const response = await emulator.handle(new Request(`${emulator.vendorBaseUrl('vidu')}${path}`, { headers }));
  return { response, body: (await response.json()) as Body };
}

async function download(url: string): Promise<Response> {
  return emulator.handle(new Request(url));
}

/** A sine WAV of the given length, stored on the emulator; returns its URL. */
async function toneUrl(seconds: number): Promise<string> {
  const sampleRate = 8000;
  const samples = new Int16Array(Math.round(seconds * sampleRate));
  for (let index = 0; index < samples.length; index++) samples[index] = Math.round(4000 * Math.sin((2 * Math.PI * 220 * index) / sampleRate));
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, '16', samples);
  const response = await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/files`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: new Uint8Array(wav.toBuffer()) }));
  return ((await response.json()) as { url: string }).url;
}

async function clone(voiceId: string, extra: Body = {}): Promise<{ response: Response; body: Body }> {
  return post('/ent/v2/audio-clone', { audio_url: emulator.sampleUrl('narrator'), voice_id: voiceId, text: 'Hello, this is my new voice.', ...extra });
}

async function speak(voiceId: string, text = 'A line of the script.', extra: Body = {}): Promise<{ response: Response; body: Body }> {
  return post('/ent/v2/audio-tts', { text, voice_setting_voice_id: voiceId, ...extra });
}

function isMp3(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0;
}

async function durationMs(bytes: Uint8Array): Promise<number> {
  const metadata = await parseBuffer(bytes, undefined, { duration: true });
  return Math.round((metadata.format.duration ?? 0) * 1000);
}

const errorBody = (code: string, message: unknown = expect.any(String)) => ({ code, message, reason: code, metadata: { trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) } });

describe('Vidu authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['the Bearer scheme', { authorization: 'Bearer vidu-emulator-key' }],
    ['a wrong key', { authorization: 'Token wrong-key' }],
  ])('answers 401 Unauthorized for %s', async (_case, headers) => {
    const { response, body } = await post('/ent/v2/audio-tts', { text: 'Hello.', voice_setting_voice_id: 'female-shaonv' }, headers);
    expect(response.status).toBe(401);
    expect(body).toEqual(errorBody('Unauthorized'));
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('answers 401 on the task query too', async () => {
    const { response } = await get('/ent/v2/tasks/1/creations', {});
    expect(response.status).toBe(401);
  });
});

describe('Vidu POST /ent/v2/audio-clone', () => {
  it('clones at once: success with a downloadable MP3 preview, billed once', async () => {
    const { response, body } = await clone('narrator-01', { payload: 'chapter-1' });
    expect(response.status).toBe(200);
    expect(body).toEqual({
      task_id: expect.stringMatching(/^\d{18}$/),
      state: 'success',
      voice_id: 'narrator-01',
      demo_audio: expect.stringMatching(/^http:\/\/emulator\.voxform\.test\/files\//),
      payload: 'chapter-1',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(Math.abs(Date.parse(body.created_at) - emulator.clock.now())).toBeLessThan(5000);
    const preview = new Uint8Array(await (await download(body.demo_audio)).arrayBuffer());
    expect(isMp3(preview)).toBe(true);
    expect(await durationMs(preview)).toBeGreaterThan(500);
    expect(emulator.calls.billable({ vendor: 'vidu' }).map((entry) => entry.billable)).toEqual([{ kind: 'clone', key: 'narrator-01' }]);
  });

  it('accepts a short prompt audio with a punctuated transcript', async () => {
    const { body } = await clone('narrator-02', { prompt_audio_url: await toneUrl(4), prompt_text: 'Four seconds of tone.' });
    expect(body.state).toBe('success');
  });

  it.each([
    ['field is missing or empty: audio_url', 'FieldLacking', { audio_url: undefined }],
    ['field is missing or empty: voice_id', 'FieldLacking', { voice_id: '' }],
    ['field is missing or empty: text', 'FieldLacking', { text: undefined }],
    ['voice_id must be 8-256 characters', 'FieldInvalid', { voice_id: 'short' }],
    ['voice_id must start with an English letter', 'FieldInvalid', { voice_id: '_narrator01' }],
    ['voice_id must not end with - or _', 'FieldInvalid', { voice_id: 'narrator_' }],
    ['text must be at most 1000 characters', 'FieldInvalid', { text: 'x'.repeat(1001) }],
    ['payload must be at most 1048576 characters', 'FieldInvalid', { payload: 'x'.repeat(1_048_577) }],
    ['prompt_text must end with a punctuation mark', 'FieldInvalid', { prompt_audio_url: 'http://emulator.voxform.test/files/samples/prompt.wav', prompt_text: 'No full stop' }],
    ['send prompt_audio_url too', 'FieldInvalid', { prompt_text: 'Hello.' }],
    ['audio_url could not be downloaded', 'FieldInvalid', { audio_url: 'http://emulator.voxform.test/files/no-such-file' }],
  ])('answers 400 with "%s"', async (message, code, change) => {
    const { response, body } = await clone('narrator-01', change);
    expect(response.status).toBe(400);
    expect(body).toEqual(errorBody(code, expect.stringContaining(message)));
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('refuses samples outside 10 s – 5 min and prompt audio of 8 s or more', async () => {
    const short = await clone('narrator-01', { audio_url: await toneUrl(3) });
    expect(short.response.status).toBe(400);
    expect(short.body).toEqual(errorBody('FieldInvalid', expect.stringContaining('audio_url: audio must be at least 10 s long')));
    const long = await clone('narrator-01', { audio_url: await toneUrl(301) });
    expect(long.body).toEqual(errorBody('FieldInvalid', expect.stringContaining('audio_url: audio must be at most 300 s long')));
    const prompt = await clone('narrator-01', { prompt_audio_url: await toneUrl(9), prompt_text: 'Nine seconds.' });
    expect(prompt.body).toEqual(errorBody('FieldInvalid', expect.stringContaining('prompt_audio_url: audio must be shorter than 8 s')));
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('answers 409 Conflict "voice_id duplicated" for a voice_id already taken', async () => {
    expect((await clone('narrator-01')).body.state).toBe('success');
    const { response, body } = await clone('narrator-01');
    expect(response.status).toBe(409);
    expect(body).toEqual(errorBody('Conflict', expect.stringContaining('voice_id duplicated')));
    expect(emulator.calls.billable({ vendor: 'vidu' }).filter((entry) => entry.billable?.kind === 'clone')).toHaveLength(1);
    expect(emulator.calls.duplicates()).toEqual([]);
  });

  it('answers 400 BadRequest for a body that is not JSON', async () => {
    const { response, body } = await post('/ent/v2/audio-clone', '{not json');
    expect(response.status).toBe(400);
    expect(body).toEqual(errorBody('BadRequest'));
  });
});

describe('Vidu POST /ent/v2/audio-tts', () => {
  it('speaks with a cloned voice at once: success with a file_url, credits and created_at', async () => {
    await clone('narrator-01');
    const text = 'Chapter one. <#0.5#> It was a dark night.';
    const { response, body } = await speak('narrator-01', text, {
      voice_setting_speed: 1.5,
      voice_setting_volume: 5,
      voice_setting_pitch: -2,
      voice_setting_emotion: 'calm',
      pronunciation_dict_tone: ['omg/oh my god'],
      payload: 'line-1',
    });
    expect(response.status).toBe(200);
    expect(body).toEqual({ task_id: expect.stringMatching(/^\d{18}$/), state: 'success', file_url: expect.any(String), credits: 1, created_at: expect.any(String) });
    const audio = new Uint8Array(await (await download(body.file_url)).arrayBuffer());
    expect(isMp3(audio)).toBe(true);
    expect(await durationMs(audio)).toBeGreaterThan(1000);
    expect(emulator.calls.billable({ vendor: 'vidu' }).at(-1)?.billable).toEqual({ kind: 'synthesis', key: `narrator-01\n${text}` });
  });

  it('speaks with a preset voice', async () => {
    expect((await speak('female-shaonv')).body.state).toBe('success');
  });

  it.each([
    ['field is missing or empty: text', 'FieldLacking', { text: '' }],
    ['field is missing or empty: voice_setting_voice_id', 'FieldLacking', { voice_setting_voice_id: undefined }],
    ['text must be shorter than 10000 characters', 'FieldInvalid', { text: 'x'.repeat(10_000) }],
    ['pause marker', 'FieldInvalid', { text: '<#1#> Starts with a pause.' }],
    ['voice_setting_speed must be in [0.5, 2]', 'FieldInvalid', { voice_setting_speed: 0.4 }],
    ['voice_setting_volume must be an integer', 'FieldInvalid', { voice_setting_volume: 2.5 }],
    ['voice_setting_volume must be in [0, 10]', 'FieldInvalid', { voice_setting_volume: 11 }],
    ['voice_setting_pitch must be in [-12, 12]', 'FieldInvalid', { voice_setting_pitch: -13 }],
    ['voice_setting_emotion must be one of', 'FieldInvalid', { voice_setting_emotion: 'whisper' }],
    ['pronunciation_dict_tone must be an array of strings', 'FieldInvalid', { pronunciation_dict_tone: 'omg/oh my god' }],
    ['payload must be a string', 'FieldInvalid', { payload: 42 }],
    ['voice_setting_voice_id nobody-here-01 does not exist', 'FieldInvalid', { voice_setting_voice_id: 'nobody-here-01' }],
  ])('answers 400 with "%s"', async (message, code, change) => {
    const { response, body } = await post('/ent/v2/audio-tts', { text: 'Hello.', voice_setting_voice_id: 'female-shaonv', ...change });
    expect(response.status).toBe(400);
    expect(body).toEqual(errorBody(code, expect.stringContaining(message)));
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('bills one synthesis per line and reports the same line billed twice', async () => {
    await clone('narrator-01');
    await speak('narrator-01', 'Line one.');
    await speak('narrator-01', 'Line two.');
    expect(emulator.calls.billable({ vendor: 'vidu' }).map((entry) => entry.billable)).toEqual([
      { kind: 'clone', key: 'narrator-01' },
      { kind: 'synthesis', key: 'narrator-01\nLine one.' },
      { kind: 'synthesis', key: 'narrator-01\nLine two.' },
    ]);
    expect(emulator.calls.duplicates()).toEqual([]);
    await speak('narrator-01', 'Line two.');
    expect(emulator.calls.duplicates()).toEqual([{ vendor: 'vidu', kind: 'synthesis', key: 'narrator-01\nLine two.', count: 2 }]);
  });
});

describe('Vidu GET /ent/v2/tasks/{id}/creations', () => {
  it('describes a finished task with its creation, whose URL lives 24 h', async () => {
    const { body: created } = await speak('female-shaonv', 'Hello there.', { payload: 'line-7' });
    const { response, body } = await get(`/ent/v2/tasks/${created.task_id}/creations`);
    expect(response.status).toBe(200);
    expect(body).toEqual({
      id: created.task_id,
      state: 'success',
      err_code: '',
      credits: 1,
      payload: 'line-7',
      bgm: false,
      off_peak: false,
      creations: [{ id: expect.stringMatching(/^\d+$/), url: created.file_url, cover_url: '', watermarked_url: created.file_url }],
    });
    emulator.clock.advance(dayMs - 1000);
    expect((await download(created.file_url)).status).toBe(200);
    emulator.clock.advance(1000);
    expect((await download(created.file_url)).status).toBe(404);
    const renewed = (await get(`/ent/v2/tasks/${created.task_id}/creations`)).body.creations[0];
    expect(renewed.id).toBe(body.creations[0].id);
    expect(renewed.url).not.toBe(created.file_url);
    expect((await download(renewed.url)).status).toBe(200);
  });

  it('describes a clone task with the preview as its creation', async () => {
    const { body: created } = await clone('narrator-01');
    const { body } = await get(`/ent/v2/tasks/${created.task_id}/creations`);
    expect(body.state).toBe('success');
    expect(body.creations[0].url).toBe(created.demo_audio);
  });

  it('answers 404 TaskNotFound for an unknown id', async () => {
    const { response, body } = await get('/ent/v2/tasks/123456789012345678/creations');
    expect(response.status).toBe(404);
    expect(body).toEqual(errorBody('TaskNotFound', expect.stringContaining('123456789012345678')));
  });

  it('lists tasks by id, leaving unknown ids out', async () => {
    const first = (await speak('female-shaonv', 'First.')).body;
    const second = (await speak('female-shaonv', 'Second.')).body;
    const { body } = await get(`/ent/v2/tasks?task_ids=${first.task_id},999&task_ids=${second.task_id}`);
    expect(body.tasks.map((task: Body) => [task.id, task.state])).toEqual([
      [first.task_id, 'success'],
      [second.task_id, 'success'],
    ]);
    expect((await get('/ent/v2/tasks')).body).toEqual(errorBody('FieldLacking', 'field is missing or empty: task_ids'));
  });
});

describe('Vidu concurrency and stuck tasks', () => {
  beforeEach(() => {
    emulator = createEmulator({ audio: 'tone', timing: slowTasks });
  });

  it('queues tasks while stuck, runs five at a time, and finishes them once unstuck', async () => {
    emulator.setFaults('vidu', { stuckTasks: true });
    const created: Body[] = [];
    for (let index = 1; index <= 6; index++) created.push((await speak('female-shaonv', `Line ${index}.`)).body);
    expect(created[0]).toEqual({ task_id: expect.any(String), state: 'queueing', credits: 1, created_at: expect.any(String) });
    expect(created[0]!.file_url).toBeUndefined();
    const states = async () => Promise.all(created.map(async (task) => (await get(`/ent/v2/tasks/${task.task_id}/creations`)).body.state));
    expect(await states()).toEqual(Array(6).fill('queueing'));
    emulator.clock.advance(60_000);
    expect(await states()).toEqual(['processing', 'processing', 'processing', 'processing', 'processing', 'queueing']);
    emulator.clock.advance(dayMs);
    expect((await states())[0]).toBe('processing');
    const stuck = (await get(`/ent/v2/tasks/${created[0]!.task_id}/creations`)).body;
    expect(stuck.creations).toEqual([]);

    emulator.clearFaults('vidu');
    expect(await states()).toEqual(Array(6).fill('success'));
    const finished = (await get(`/ent/v2/tasks/${created[5]!.task_id}/creations`)).body;
    expect(isMp3(new Uint8Array(await (await download(finished.creations[0].url)).arrayBuffer()))).toBe(true);
    expect(emulator.calls.billable({ vendor: 'vidu' })).toHaveLength(6);
  });

  it('queues new tasks while five are in flight, and they succeed later', async () => {
    emulator.setFaults('vidu', { stuckTasks: true });
    for (let index = 1; index <= 5; index++) await speak('female-shaonv', `Slow ${index}.`);
    emulator.clearFaults('vidu');
    // No longer stuck, but the five still hold their slots until their time has passed.
    const queued = (await speak('female-shaonv', 'Waits for a slot.')).body;
    expect(queued.state).toBe('queueing');
    emulator.clock.advance(120_000);
    const finished = (await get(`/ent/v2/tasks/${queued.task_id}/creations`)).body;
    expect(finished.state).toBe('success');
    expect(finished.creations).toHaveLength(1);
    expect((await speak('female-shaonv', 'A free slot.')).body.state).toBe('success');
  });

  it('answers 429 QuotaExceeded once 20 tasks queue behind the 5 running ones, without billing', async () => {
    emulator.setFaults('vidu', { stuckTasks: true });
    for (let index = 1; index <= 25; index++) expect((await speak('female-shaonv', `Line ${index}.`)).response.status).toBe(200);
    const { response, body } = await speak('female-shaonv', 'One too many.');
    expect(response.status).toBe(429);
    expect(body).toEqual(errorBody('QuotaExceeded', expect.stringContaining('concurrency limit')));
    expect(emulator.calls.billable({ vendor: 'vidu' })).toHaveLength(25);
  });

  it('makes a voice whose clone task is still queueing unusable until it succeeds', async () => {
    emulator.setFaults('vidu', { stuckTasks: true });
    const { body } = await clone('narrator-01');
    expect(body).toEqual({ task_id: expect.any(String), state: 'queueing', voice_id: 'narrator-01', demo_audio: '', payload: '', created_at: expect.any(String) });
    expect((await speak('narrator-01')).response.status).toBe(400);
    expect((await clone('narrator-01')).response.status).toBe(409);
    emulator.clearFaults('vidu');
    emulator.clock.advance(120_000);
    expect((await get(`/ent/v2/tasks/${body.task_id}/creations`)).body.state).toBe('success');
    expect((await speak('narrator-01')).body.state).toBe('success');
  });
});

describe('Vidu voice lifetime', () => {
  it('deletes a voice unused for 168 h; its id stays taken', async () => {
    await clone('narrator-01');
    emulator.clock.advance(168 * hourMs - 1000);
    await clone('narrator-02');
    emulator.clock.advance(1000);
    const { response, body } = await speak('narrator-01');
    expect(response.status).toBe(400);
    expect(body.message).toContain('does not exist');
    expect((await clone('narrator-01')).response.status).toBe(409);
    expect((await speak('narrator-02')).body.state).toBe('success');
  });

  it('keeps a voice used in TTS within 168 h', async () => {
    await clone('narrator-01');
    emulator.clock.advance(7 * dayMs - 60_000);
    expect((await speak('narrator-01')).body.state).toBe('success');
    emulator.clock.advance(60 * dayMs);
    expect((await speak('narrator-01', 'Months later.')).body.state).toBe('success');
  });

  it('hides every cloned voice while voicesVanish is set', async () => {
    await clone('narrator-01');
    emulator.setFaults('vidu', { voicesVanish: true });
    expect((await speak('narrator-01')).response.status).toBe(400);
    expect((await speak('female-shaonv')).body.state).toBe('success');
    emulator.clearFaults('vidu');
    expect((await speak('narrator-01')).body.state).toBe('success');
  });
});

describe('Vidu faults and routing', () => {
  it('answers a rate-limit burst with 429 TooManyRequests and Retry-After', async () => {
    emulator.setFaults('vidu', { rateLimitBurst: { count: 1, retryAfterSeconds: 3 } });
    const { response, body } = await speak('female-shaonv');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(body).toEqual(errorBody('TooManyRequests'));
    expect(emulator.calls.billable()).toEqual([]);
    expect((await speak('female-shaonv')).response.status).toBe(200);
  });

  it.each([
    [500, 'InternalServiceFailure'],
    [503, 'InternalServiceFailure'],
    [403, 'Forbidden'],
    [409, 'Conflict'],
    [400, 'BadRequest'],
    [418, 'BadRequest'],
  ])('answers an injected HTTP %i as %s', async (status, code) => {
    emulator.setFaults('vidu', { errorRates: { [status]: 1 } });
    const { response, body } = await speak('female-shaonv');
    expect(response.status).toBe(status);
    expect(body).toEqual(errorBody(code));
  });

  it('answers 404 NotFound for unknown paths and methods', async () => {
    const { response, body } = await post('/ent/v2/text2audio-clone', {});
    expect(response.status).toBe(404);
    expect(body).toEqual(errorBody('NotFound', expect.stringContaining('/ent/v2/text2audio-clone')));
    expect((await get('/ent/v2/audio-tts')).response.status).toBe(404);
  });

  it('forgets voices and tasks on reset', async () => {
    const { body } = await clone('narrator-01');
    emulator.reset();
    expect((await get(`/ent/v2/tasks/${body.task_id}/creations`)).response.status).toBe(404);
    expect((await clone('narrator-01')).body.state).toBe('success');
  });
});
