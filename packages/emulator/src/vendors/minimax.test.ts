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

const authorization = () => ({ authorization: `Bearer ${emulator.keys.minimax}` });

function vendorUrl(path: string): string {
  return `${emulator.vendorBaseUrl('minimax')}${path}`;
}

async function post(path: string, body: unknown, headers: Record<string, string> = authorization()): Promise<{ response: Response; body: Body }> {
  const response = await emulator.handle(
    new Request(vendorUrl(path), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  );
  return { response, body: (await response.json()) as Body };
}

async function get(path: string): Promise<{ response: Response; body: Body }> {
  const response = await emulator.handle(new Request(vendorUrl(path), { headers: authorization() }));
  return { response, body: (await response.json()) as Body };
}

async function download(url: string): Promise<Response> {
  return emulator.handle(new Request(url));
}

/** The built-in ~20 s sample; WAV by default, as MP3 encoding makes a test slower. */
async function sampleBytes(format: 'mp3' | 'wav' = 'wav'): Promise<Uint8Array> {
  return new Uint8Array(await (await download(emulator.sampleUrl('narrator', format))).arrayBuffer());
}

/** A sine WAV of the given length: cheap samples too short or too long for the vendor's limits. */
function toneWav(seconds: number, sampleRate = 8000): Uint8Array {
  const samples = new Int16Array(Math.round(seconds * sampleRate));
  for (let index = 0; index < samples.length; index++) samples[index] = Math.round(4000 * Math.sin((2 * Math.PI * 220 * index) / sampleRate));
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, '16', samples);
  return wav.toBuffer();
}

async function upload(purpose: string | undefined, bytes: Uint8Array, filename = 'sample.wav', path = '/v1/files/upload'): Promise<Body> {
  const form = new FormData();
  if (purpose !== undefined) form.set('purpose', purpose);
  form.set('file', new Blob([new Uint8Array(bytes)]), filename);
  const response = await emulator.handle(new Request(vendorUrl(path), { method: 'POST', headers: authorization(), body: form }));
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}

async function cloneVoice(voiceId: string, extra: Body = {}): Promise<Body> {
  const uploaded = await upload('voice_clone', await sampleBytes());
  expect(uploaded.base_resp.status_code).toBe(0);
  const { body } = await post('/v1/voice_clone', { file_id: uploaded.file.file_id, voice_id: voiceId, ...extra });
  return body;
}

async function speak(voiceId: string, text = 'Hello from the emulator.', extra: Body = {}): Promise<{ response: Response; body: Body }> {
  return post('/v1/t2a_v2', { model: 'speech-02-hd', text, voice_setting: { voice_id: voiceId }, ...extra });
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function isMp3(bytes: Uint8Array): boolean {
  const start = bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33 ? 10 + (bytes[9] ?? 0) : 0;
  return bytes[start] === 0xff && ((bytes[start + 1] ?? 0) & 0xe0) === 0xe0;
}

function isWav(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WAVE';
}

async function durationMs(bytes: Uint8Array): Promise<number> {
  const metadata = await parseBuffer(bytes, undefined, { duration: true });
  return Math.round((metadata.format.duration ?? 0) * 1000);
}

const status = (body: Body) => body.base_resp.status_code as number;

describe('MiniMax authentication', () => {
  it('answers 1004 inside HTTP 200 without a key, and 2049 for a wrong key', async () => {
    const missing = await post('/v1/get_voice', { voice_type: 'all' }, {});
    expect(missing.response.status).toBe(200);
    expect(missing.body.base_resp).toEqual({ status_code: 1004, status_msg: expect.stringMatching(/^login fail: Please carry the API secret key/) });
    const wrong = await post('/v1/get_voice', { voice_type: 'all' }, { authorization: 'Bearer not-the-key' });
    expect(wrong.response.status).toBe(200);
    expect(wrong.body.base_resp).toEqual({ status_code: 2049, status_msg: 'invalid api key' });
    const tokenWord = await post('/v1/get_voice', { voice_type: 'all' }, { authorization: `Token ${emulator.keys.minimax}` });
    expect(status(tokenWord.body)).toBe(1004);
  });

  it('refuses an unauthenticated clone without billing it', async () => {
    const uploaded = await upload('voice_clone', await sampleBytes());
    const { body } = await post('/v1/voice_clone', { file_id: uploaded.file.file_id, voice_id: 'narrator-01' }, { authorization: 'Bearer wrong' });
    expect(status(body)).toBe(2049);
    expect(emulator.calls.billable({ vendor: 'minimax' })).toEqual([]);
  });
});

describe('MiniMax POST /v1/files/upload', () => {
  it('stores a clone sample and answers the documented shape (GroupId accepted and ignored)', async () => {
    const bytes = await sampleBytes('mp3');
    const body = await upload('voice_clone', bytes, 'narrator.mp3', '/v1/files/upload?GroupId=1876543210');
    expect(body).toEqual({
      file: { file_id: expect.any(Number), bytes: bytes.length, created_at: Math.floor(emulator.clock.now() / 1000), filename: 'narrator.mp3', purpose: 'voice_clone' },
      base_resp: { status_code: 0, status_msg: 'success' },
    });
    expect(Number.isSafeInteger(body.file.file_id)).toBe(true);
    expect(body.file.file_id).toBeGreaterThan(10 ** 13);
    const second = await upload('voice_clone', bytes, 'narrator.mp3');
    expect(second.file.file_id).not.toBe(body.file.file_id);
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('accepts WAV samples, short prompt audio and text for async T2A', async () => {
    expect(status(await upload('voice_clone', await sampleBytes('wav'), 'narrator.wav'))).toBe(0);
    expect(status(await upload('prompt_audio', toneWav(3), 'prompt.wav'))).toBe(0);
    expect(status(await upload('t2a_async_input', new TextEncoder().encode('A long text.'), 'book.txt'))).toBe(0);
  });

  it('answers 2037 for clone samples shorter than 10 s or longer than 5 min', async () => {
    const short = await upload('voice_clone', toneWav(3), 'short.wav');
    expect(short.base_resp).toEqual({ status_code: 2037, status_msg: expect.stringContaining('too short') });
    expect(short.file).toBeUndefined();
    const long = await upload('voice_clone', toneWav(301, 4000), 'long.wav');
    expect(long.base_resp).toEqual({ status_code: 2037, status_msg: expect.stringContaining('too long') });
  });

  it('answers 2048 for prompt audio of 8 s or more', async () => {
    const body = await upload('prompt_audio', toneWav(9), 'prompt.wav');
    expect(body.base_resp).toEqual({ status_code: 2048, status_msg: expect.stringContaining('prompt audio too long') });
  });

  it('answers 2013 for a missing or unknown purpose, a missing file and bytes that are not audio', async () => {
    const missing = await upload(undefined, await sampleBytes());
    expect(missing.base_resp).toEqual({ status_code: 2013, status_msg: expect.stringContaining('purpose is required as a multipart form field') });
    expect(status(await upload('fine-tune', await sampleBytes()))).toBe(2013);
    const notAudio = await upload('voice_clone', new TextEncoder().encode('definitely not audio'), 'sample.mp3');
    expect(notAudio.base_resp).toEqual({ status_code: 2013, status_msg: expect.stringContaining('audio format must be one of mp3, m4a, wav') });
    const form = new FormData();
    form.set('purpose', 'voice_clone');
    const noFile = await emulator.handle(new Request(vendorUrl('/v1/files/upload'), { method: 'POST', headers: authorization(), body: form }));
    expect(((await noFile.json()) as Body).base_resp.status_msg).toContain('file is required');
    const json = await post('/v1/files/upload', { purpose: 'voice_clone' });
    expect(json.body.base_resp.status_msg).toContain('multipart/form-data');
  });
});

describe('MiniMax POST /v1/voice_clone', () => {
  it('clones without preview text: demo_audio is empty, billed once as a clone', async () => {
    const body = await cloneVoice('narrator-01');
    expect(body).toEqual({
      input_sensitive: false,
      input_sensitive_type: 0,
      demo_audio: '',
      extra_info: { audio_length: 0, audio_sample_rate: expect.any(Number), audio_size: 0, bitrate: expect.any(Number), word_count: 0, usage_characters: 0 },
      base_resp: { status_code: 0, status_msg: 'success' },
    });
    expect(emulator.calls.billable({ vendor: 'minimax' }).map((entry) => entry.billable)).toEqual([{ kind: 'clone', key: 'narrator-01' }]);
  });

  it('renders a downloadable MP3 preview when text and model are given', async () => {
    const body = await cloneVoice('narrator-02', { text: 'This is my preview.', model: 'speech-2.8-hd', accuracy: 0.8, need_noise_reduction: true, language_boost: 'English' });
    expect(status(body)).toBe(0);
    expect(body.demo_audio).toMatch(/^http:\/\/emulator\.voxform\.test\/files\//);
    const preview = new Uint8Array(await (await download(body.demo_audio)).arrayBuffer());
    expect(isMp3(preview)).toBe(true);
    expect(body.extra_info.audio_size).toBe(preview.length);
    expect(body.extra_info.usage_characters).toBe(19);
    expect(body.extra_info.word_count).toBe(4);
    expect(Math.abs(body.extra_info.audio_length - (await durationMs(preview)))).toBeLessThan(100);
    expect(body.extra_info.audio_length).toBeGreaterThan(500);
  });

  it('uses a clone prompt from a prompt_audio upload', async () => {
    const prompt = await upload('prompt_audio', toneWav(4), 'prompt.wav');
    const body = await cloneVoice('narrator-03', { clone_prompt: { prompt_audio: prompt.file.file_id, prompt_text: 'Four seconds of tone.' } });
    expect(status(body)).toBe(0);
  });

  it.each([
    ['voice_id must be 8-256 characters', { voice_id: 'short' }, 2013],
    ['must start with an English letter', { voice_id: '1narrator' }, 2013],
    ['must not end with - or _', { voice_id: 'narrator-' }, 2013],
    ['only letters, digits', { voice_id: 'narrator.01' }, 2013],
    ['8-256 characters', { voice_id: 'n'.repeat(257) }, 2013],
    ['voice_id is required', { voice_id: undefined }, 2013],
    ['file_id is required', { file_id: undefined }, 2013],
    ['file_id must be an integer', { file_id: '123' }, 2013],
    ['file_id 42 is not a purpose=voice_clone upload', { file_id: 42 }, 20132],
    ['clone_prompt.prompt_text is required', { clone_prompt: { prompt_audio: 1 } }, 2013],
    ['clone_prompt.prompt_audio is required', { clone_prompt: { prompt_text: 'Hi.' } }, 2013],
    ['clone_prompt.prompt_audio 1 is not a purpose=prompt_audio upload', { clone_prompt: { prompt_audio: 1, prompt_text: 'Hi.' } }, 20132],
    ['model is required when text is given', { text: 'Preview.' }, 2013],
    ['model must be one of', { text: 'Preview.', model: 'speech-9' }, 2013],
    ['text must be at most 1000 characters', { text: 'x'.repeat(1001), model: 'speech-02-hd' }, 2013],
    ['accuracy must be in [0, 1]', { accuracy: 1.5 }, 2013],
    ['need_volume_normalization must be true or false', { need_volume_normalization: 'yes' }, 2013],
    ['aigc_watermark must be true or false', { aigc_watermark: 1 }, 2013],
    ['language_boost must be one of', { language_boost: 'Klingon' }, 2013],
    ['text_validation must be at most 200', { text_validation: 'x'.repeat(201) }, 2013],
  ])('refuses with "%s"', async (message, change, code) => {
    const uploaded = await upload('voice_clone', await sampleBytes());
    const { response, body } = await post('/v1/voice_clone', { file_id: uploaded.file.file_id, voice_id: 'narrator-01', ...change });
    expect(response.status).toBe(200);
    expect(body.base_resp.status_code).toBe(code);
    expect(body.base_resp.status_msg).toContain(message);
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('refuses a file uploaded for another purpose', async () => {
    const prompt = await upload('prompt_audio', toneWav(3), 'prompt.wav');
    const { body } = await post('/v1/voice_clone', { file_id: prompt.file.file_id, voice_id: 'narrator-01' });
    expect(body.base_resp).toEqual({ status_code: 20132, status_msg: expect.stringContaining('its purpose is prompt_audio') });
  });

  it('answers 2039 for a duplicate voice_id and bills the clone once', async () => {
    expect(status(await cloneVoice('narrator-01'))).toBe(0);
    const again = await cloneVoice('narrator-01');
    expect(again.base_resp).toEqual({ status_code: 2039, status_msg: expect.stringContaining('duplicate') });
    expect(emulator.calls.billable({ vendor: 'minimax' }).filter((entry) => entry.billable?.kind === 'clone')).toHaveLength(1);
    expect(emulator.calls.duplicates()).toEqual([]);
  });
});

describe('MiniMax POST /v1/t2a_v2', () => {
  it('answers hex audio with extra_info, trace_id and a Trace-Id header', async () => {
    await cloneVoice('narrator-01');
    const text = 'Hello, world! 🎙️';
    const { response, body } = await speak('narrator-01', text, { voice_setting: { voice_id: 'narrator-01', speed: 1.2, vol: 10, pitch: -3, emotion: 'calm' } });
    expect(status(body)).toBe(0);
    expect(body.data.status).toBe(2);
    const audio = fromHex(body.data.audio);
    expect(isMp3(audio)).toBe(true);
    expect(body.extra_info).toEqual({
      audio_length: expect.any(Number),
      audio_sample_rate: expect.any(Number),
      audio_size: audio.length,
      bitrate: expect.any(Number),
      word_count: 3,
      invisible_character_ratio: 0,
      usage_characters: [...text].length,
      audio_format: 'mp3',
      audio_channel: 1,
    });
    expect(Math.abs(body.extra_info.audio_length - (await durationMs(audio)))).toBeLessThan(100);
    expect(body.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('trace-id')).toBe(body.trace_id);
    expect(emulator.calls.billable({ vendor: 'minimax' }).at(-1)?.billable).toEqual({ kind: 'synthesis', key: `narrator-01\n${text}` });
  });

  it('answers a download URL with output_format url, which expires after 24 h', async () => {
    const { body } = await speak('female-shaonv', 'A system voice speaks.', { output_format: 'url', audio_setting: { format: 'wav', sample_rate: 32000, bitrate: 128000, channel: 1 } });
    expect(status(body)).toBe(0);
    expect(body.extra_info.audio_format).toBe('wav');
    const first = await download(body.data.audio);
    expect(first.status).toBe(200);
    const audio = new Uint8Array(await first.arrayBuffer());
    expect(isWav(audio)).toBe(true);
    expect(audio.length).toBe(body.extra_info.audio_size);
    expect(Math.abs(body.extra_info.audio_length - (await durationMs(audio)))).toBeLessThan(20);
    emulator.clock.advance(24 * hourMs - 60_000);
    expect((await download(body.data.audio)).status).toBe(200);
    emulator.clock.advance(60_000);
    expect((await download(body.data.audio)).status).toBe(404);
  });

  it.each([
    ['model is required', { model: undefined }],
    ['model must be one of', { model: 'speech-03' }],
    ['text is required', { text: '' }],
    ['text must be shorter than 10000 characters', { text: 'x'.repeat(10_000) }],
    ['pause marker', { text: 'Pause <#0.001#> here.' }],
    ['must not follow each other', { text: 'Two <#1#><#2#> pauses.' }],
    ['voice_setting is required', { voice_setting: undefined }],
    ['voice_setting.voice_id is required', { voice_setting: { speed: 1 } }],
    ['voice_setting.speed must be in [0.5, 2]', { voice_setting: { voice_id: 'female-shaonv', speed: 2.5 } }],
    ['voice_setting.vol must be in (0, 10]', { voice_setting: { voice_id: 'female-shaonv', vol: 0 } }],
    ['voice_setting.pitch must be an integer', { voice_setting: { voice_id: 'female-shaonv', pitch: 1.5 } }],
    ['voice_setting.pitch must be in [-12, 12]', { voice_setting: { voice_id: 'female-shaonv', pitch: 13 } }],
    ['voice_setting.emotion must be one of', { voice_setting: { voice_id: 'female-shaonv', emotion: 'bored' } }],
    ['whisper is not available on speech-2.8-hd', { model: 'speech-2.8-hd', voice_setting: { voice_id: 'female-shaonv', emotion: 'whisper' } }],
    ['output_format must be hex or url', { output_format: 'base64' }],
    ['not supported by the emulator', { stream: true }],
    ['flac is not supported by the emulator', { audio_setting: { format: 'flac' } }],
    ['audio_setting.format must be one of', { audio_setting: { format: 'aiff' } }],
    ['audio_setting.sample_rate must be one of', { audio_setting: { sample_rate: 48000 } }],
    ['audio_setting.bitrate must be one of', { audio_setting: { bitrate: 96000 } }],
    ['audio_setting.channel must be 1 or 2', { audio_setting: { channel: 3 } }],
    ['pronunciation_dict.tone', { pronunciation_dict: { tone: ['no slash'] } }],
    ['voice_modify.pitch must be in [-100, 100]', { voice_modify: { pitch: 150 } }],
  ])('answers 2013 "%s"', async (message, change) => {
    const { body } = await post('/v1/t2a_v2', { model: 'speech-02-hd', text: 'Hello.', voice_setting: { voice_id: 'female-shaonv' }, ...change });
    expect(body.base_resp.status_code).toBe(2013);
    expect(body.base_resp.status_msg).toContain(message);
    expect(body.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('answers 2042 for a voice that was never cloned', async () => {
    const { body } = await speak('nobody-here-01');
    expect(body.base_resp).toEqual({ status_code: 2042, status_msg: expect.stringContaining('nobody-here-01') });
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('bills one synthesis per line and reports the same line billed twice', async () => {
    await cloneVoice('narrator-01');
    await speak('narrator-01', 'Line one.');
    await speak('narrator-01', 'Line two.');
    expect(emulator.calls.billable({ vendor: 'minimax' }).map((entry) => entry.billable)).toEqual([
      { kind: 'clone', key: 'narrator-01' },
      { kind: 'synthesis', key: 'narrator-01\nLine one.' },
      { kind: 'synthesis', key: 'narrator-01\nLine two.' },
    ]);
    expect(emulator.calls.duplicates()).toEqual([]);
    await speak('narrator-01', 'Line one.');
    expect(emulator.calls.duplicates()).toEqual([{ vendor: 'minimax', kind: 'synthesis', key: 'narrator-01\nLine one.', count: 2 }]);
  });
});

describe('MiniMax voice lifetime', () => {
  it('deletes a voice unused for 168 h: T2A fails, get_voice no longer lists it, its id stays taken', async () => {
    await cloneVoice('narrator-01');
    expect((await post('/v1/get_voice', { voice_type: 'voice_cloning' })).body.voice_cloning.map((voice: Body) => voice.voice_id)).toEqual(['narrator-01']);
    emulator.clock.advance(168 * hourMs - 1000);
    expect((await post('/v1/get_voice', { voice_type: 'voice_cloning' })).body.voice_cloning).toHaveLength(1);
    emulator.clock.advance(1000);
    expect(status((await speak('narrator-01')).body)).toBe(2042);
    expect((await post('/v1/get_voice', { voice_type: 'voice_cloning' })).body.voice_cloning).toEqual([]);
    expect(status(await cloneVoice('narrator-01'))).toBe(2039);
  });

  it('keeps a voice used in T2A within 168 h (previews do not count)', async () => {
    await cloneVoice('narrator-01', { text: 'A preview does not keep the voice.', model: 'speech-02-hd' });
    await cloneVoice('narrator-02', { text: 'Neither here.', model: 'speech-02-hd' });
    emulator.clock.advance(6 * dayMs);
    expect(status((await speak('narrator-01')).body)).toBe(0);
    emulator.clock.advance(30 * dayMs);
    expect(status((await speak('narrator-01', 'Still here.')).body)).toBe(0);
    expect(status((await speak('narrator-02')).body)).toBe(2042);
    const listed = (await post('/v1/get_voice', { voice_type: 'voice_cloning' })).body.voice_cloning;
    expect(listed.map((voice: Body) => voice.voice_id)).toEqual(['narrator-01']);
  });

  it('hides every cloned voice while voicesVanish is set', async () => {
    await cloneVoice('narrator-01');
    emulator.setFaults('minimax', { voicesVanish: true });
    expect(status((await speak('narrator-01')).body)).toBe(2042);
    expect((await post('/v1/get_voice', { voice_type: 'voice_cloning' })).body.voice_cloning).toEqual([]);
    expect(status((await speak('female-shaonv')).body)).toBe(0);
    emulator.clearFaults('minimax');
    expect(status((await speak('narrator-01')).body)).toBe(0);
  });
});

describe('MiniMax voice management', () => {
  it('lists system voices and cloned voices per voice_type', async () => {
    await cloneVoice('narrator-01');
    const all = (await post('/v1/get_voice', { voice_type: 'all' })).body;
    expect(all.base_resp).toEqual({ status_code: 0, status_msg: 'success' });
    expect(all.system_voice).toContainEqual({ voice_id: 'female-shaonv', voice_name: expect.any(String), description: [] });
    expect(all.voice_cloning).toEqual([{ voice_id: 'narrator-01', description: [], created_time: new Date(emulator.clock.now()).toISOString().slice(0, 10) }]);
    expect(all.voice_generation).toEqual([]);
    const system = (await post('/v1/get_voice', { voice_type: 'system' })).body;
    expect(system.voice_cloning).toBeUndefined();
    expect(system.system_voice.length).toBeGreaterThanOrEqual(2);
    expect(status((await post('/v1/get_voice', { voice_type: 'cloned' })).body)).toBe(2013);
  });

  it('deletes a cloned voice, whose id can then never be reused', async () => {
    await cloneVoice('narrator-01');
    const createdSeconds = Math.floor(emulator.clock.now() / 1000);
    const { body } = await post('/v1/delete_voice', { voice_type: 'voice_cloning', voice_id: 'narrator-01' });
    expect(body).toEqual({ voice_id: 'narrator-01', created_time: expect.stringMatching(/^\d+$/), base_resp: { status_code: 0, status_msg: 'success' } });
    expect(Math.abs(Number(body.created_time) - createdSeconds)).toBeLessThanOrEqual(1);
    expect(status((await speak('narrator-01')).body)).toBe(2042);
    expect(status((await post('/v1/delete_voice', { voice_type: 'voice_cloning', voice_id: 'narrator-01' })).body)).toBe(2042);
    expect(status(await cloneVoice('narrator-01'))).toBe(2039);
    expect(status((await post('/v1/delete_voice', { voice_type: 'voice_cloning', voice_id: 'female-shaonv' })).body)).toBe(2013);
    expect(status((await post('/v1/delete_voice', { voice_type: 'system', voice_id: 'narrator-02' })).body)).toBe(2013);
  });
});

describe('MiniMax async T2A', () => {
  beforeEach(() => {
    emulator = createEmulator({ audio: 'tone', timing: slowTasks });
  });

  it('creates a task, reports Processing then Success, and serves the audio for 9 h', async () => {
    await cloneVoice('narrator-01');
    const text = 'A long chapter read in the background.';
    const { body: created } = await post('/v1/t2a_async_v2', {
      model: 'speech-02-hd',
      text,
      voice_setting: { voice_id: 'narrator-01', speed: 1, vol: 1, pitch: 0, english_normalization: true },
      audio_setting: { audio_sample_rate: 32000, bitrate: 128000, format: 'mp3', channel: 2 },
    });
    expect(created).toEqual({ task_id: expect.any(Number), task_token: expect.any(String), file_id: expect.any(Number), usage_characters: [...text].length, base_resp: { status_code: 0, status_msg: 'success' } });
    expect(emulator.calls.billable({ vendor: 'minimax' }).at(-1)?.billable).toEqual({ kind: 'synthesis', key: `narrator-01\n${text}` });

    const query = `/v1/query/t2a_async_query_v2?task_id=${created.task_id}`;
    expect((await get(query)).body).toEqual({ task_id: created.task_id, status: 'Processing', file_id: created.file_id, base_resp: { status_code: 0, status_msg: 'success' } });
    expect(status((await get(`/v1/files/retrieve?file_id=${created.file_id}`)).body)).toBe(2013);
    emulator.clock.advance(60_000);
    expect((await get(query)).body.status).toBe('Processing');
    emulator.clock.advance(60_000);
    expect((await get(query)).body.status).toBe('Success');

    const { body: retrieved } = await get(`/v1/files/retrieve?file_id=${created.file_id}&GroupId=1`);
    expect(retrieved).toEqual({
      file: { file_id: created.file_id, bytes: expect.any(Number), created_at: expect.any(Number), filename: expect.stringMatching(/\.mp3$/), purpose: 't2a_async', download_url: expect.any(String) },
      base_resp: { status_code: 0, status_msg: 'success' },
    });
    const audio = new Uint8Array(await (await download(retrieved.file.download_url)).arrayBuffer());
    expect(isMp3(audio)).toBe(true);
    expect(audio.length).toBe(retrieved.file.bytes);
    expect(await durationMs(audio)).toBeGreaterThan(1000);
    const content = await emulator.handle(new Request(vendorUrl(`/v1/files/retrieve_content?file_id=${created.file_id}`), { headers: authorization() }));
    expect(new Uint8Array(await content.arrayBuffer())).toEqual(audio);
    emulator.clock.advance(9 * hourMs);
    expect((await download(retrieved.file.download_url)).status).toBe(404);
    const again = (await get(`/v1/files/retrieve?file_id=${created.file_id}`)).body;
    expect((await download(again.file.download_url)).status).toBe(200);
  });

  it('reads the text of a t2a_async_input upload', async () => {
    const file = await upload('t2a_async_input', new TextEncoder().encode('Text from a file.'), 'chapter.txt');
    const { body } = await post('/v1/t2a_async_v2', { model: 'speech-02-turbo', text_file_id: file.file.file_id, voice_setting: { voice_id: 'male-qn-qingse' } });
    expect(status(body)).toBe(0);
    expect(body.usage_characters).toBe(17);
    const retrieved = (await get(`/v1/files/retrieve?file_id=${file.file.file_id}`)).body;
    expect(retrieved.file.purpose).toBe('t2a_async_input');
    expect(await (await download(retrieved.file.download_url)).text()).toBe('Text from a file.');
  });

  it('stays Processing while stuckTasks is set', async () => {
    emulator.setFaults('minimax', { stuckTasks: true });
    const { body } = await post('/v1/t2a_async_v2', { model: 'speech-02-hd', text: 'Stuck.', voice_setting: { voice_id: 'female-shaonv' } });
    emulator.clock.advance(dayMs);
    expect((await get(`/v1/query/t2a_async_query_v2?task_id=${body.task_id}`)).body.status).toBe('Processing');
    emulator.clearFaults('minimax');
    expect((await get(`/v1/query/t2a_async_query_v2?task_id=${body.task_id}`)).body.status).toBe('Success');
  });

  it.each([
    ['text must be at most 50000 characters', { text: 'x'.repeat(50_001) }, 2013],
    ['text or text_file_id is required', { text: undefined }, 2013],
    ['text_file_id 12345 is not a purpose=t2a_async_input upload', { text: undefined, text_file_id: 12345 }, 2013],
    ['send text or text_file_id, not both', { text_file_id: 12345 }, 2013],
    ['nobody-here-01', { voice_setting: { voice_id: 'nobody-here-01' } }, 2042],
    ['audio_setting.audio_sample_rate must be one of', { audio_setting: { sample_rate: 44100, audio_sample_rate: 12345 } }, 2013],
  ])('refuses with "%s"', async (message, change, code) => {
    const { body } = await post('/v1/t2a_async_v2', { model: 'speech-02-hd', text: 'Hello.', voice_setting: { voice_id: 'female-shaonv' }, ...change });
    expect(body.base_resp.status_code).toBe(code);
    expect(body.base_resp.status_msg).toContain(message);
    expect(emulator.calls.billable()).toEqual([]);
  });

  it('answers 2013 for unknown or malformed task and file ids', async () => {
    expect((await get('/v1/query/t2a_async_query_v2?task_id=1')).body.base_resp.status_msg).toContain('task_id 1 not found');
    expect((await get('/v1/query/t2a_async_query_v2')).body.base_resp.status_msg).toContain('task_id is required');
    expect((await get('/v1/files/retrieve?file_id=abc')).body.base_resp.status_msg).toContain('file_id must be an integer');
    expect((await get('/v1/files/retrieve?file_id=7')).body.base_resp.status_code).toBe(2013);
  });
});

describe('MiniMax faults and routing', () => {
  it('answers a rate-limit burst as HTTP 200 with base_resp 1002 and Retry-After', async () => {
    emulator.setFaults('minimax', { rateLimitBurst: { count: 1, retryAfterSeconds: 7 } });
    const limited = await speak('female-shaonv');
    expect(limited.response.status).toBe(200);
    expect(limited.response.headers.get('retry-after')).toBe('7');
    expect(limited.body.base_resp).toEqual({ status_code: 1002, status_msg: 'rate limit exceeded(RPM)' });
    expect(emulator.calls.billable()).toEqual([]);
    expect(status((await speak('female-shaonv')).body)).toBe(0);
  });

  it.each([
    [500, 1024],
    [503, 1000],
    [400, 2013],
  ])('answers an injected HTTP %i with base_resp %i', async (httpStatus, code) => {
    emulator.setFaults('minimax', { errorRates: { [httpStatus]: 1 } });
    const { response, body } = await speak('female-shaonv');
    expect(response.status).toBe(httpStatus);
    expect(body.base_resp.status_code).toBe(code);
  });

  it('answers 404 with a base_resp body for unknown paths and methods', async () => {
    const unknown = await post('/v1/voice_design_v9', {});
    expect(unknown.response.status).toBe(404);
    expect(unknown.body.base_resp).toEqual({ status_code: 2013, status_msg: expect.stringContaining('no endpoint POST /v1/voice_design_v9') });
    expect((await get('/v1/voice_clone')).response.status).toBe(404);
  });

  it('answers 2013 for a body that is not JSON', async () => {
    const { body } = await post('/v1/voice_clone', 'not json');
    expect(body.base_resp).toEqual({ status_code: 2013, status_msg: expect.stringContaining('JSON object') });
  });

  it('forgets voices, files and tasks on reset', async () => {
    await cloneVoice('narrator-01');
    emulator.reset();
    expect(status((await speak('narrator-01')).body)).toBe(2042);
    expect(status(await cloneVoice('narrator-01'))).toBe(0);
  });
});

describe('MiniMax with real speech', () => {
  it('speaks a line as probeable WAV audio', async () => {
    emulator = createEmulator();
    const { body } = await speak('female-shaonv', 'The lighthouse keeper climbed the stairs.', { audio_setting: { format: 'wav' } });
    expect(status(body)).toBe(0);
    const audio = fromHex(body.data.audio);
    expect(isWav(audio)).toBe(true);
    const duration = await durationMs(audio);
    expect(duration).toBeGreaterThan(1000);
    expect(Math.abs(body.extra_info.audio_length - duration)).toBeLessThan(20);
  });
});
