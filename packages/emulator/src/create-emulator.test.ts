import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from './create-emulator.js';
import { faultSettingsProblems } from './fault-settings.js';

const viduTts = (emulator: Emulator, key = emulator.keys.vidu) =>
  new Request(`${emulator.vendorBaseUrl('vidu')}/ent/v2/tasks/unknown-task/creations`, { headers: { authorization: `Token ${key}` } });

describe('createEmulator', () => {
  it('describes itself at /__emulator: vendor base URLs, keys, a sample', async () => {
    const emulator = createEmulator({ audio: 'tone', baseUrl: 'http://127.0.0.1:9999' });
    const response = await emulator.handle(new Request('http://127.0.0.1:9999/__emulator'));
    const body = (await response.json()) as { vendors: Record<string, string>; sample: string };
    expect(body.vendors).toEqual({
      minimax: 'http://127.0.0.1:9999/minimax',
      vidu: 'http://127.0.0.1:9999/vidu',
      soundclone: 'http://127.0.0.1:9999/soundclone',
      aivoiceclonefree: 'http://127.0.0.1:9999/aivoiceclonefree',
      kling: 'http://127.0.0.1:9999/kling',
    });
    expect(body.sample).toBe('http://127.0.0.1:9999/files/samples/narrator.wav');
  });

  it('answers unknown paths with a 404 that says where things are', async () => {
    const emulator = createEmulator({ audio: 'tone' });
    const response = await emulator.handle(new Request(`${emulator.baseUrl}/nothing-here`));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain('/minimax');
  });

  it('serves built-in samples of real audio, about 20 s long, in wav and mp3', async () => {
    const emulator = createEmulator({ audio: 'tone' });
    for (const format of ['wav', 'mp3'] as const) {
      const response = await emulator.handle(new Request(emulator.sampleUrl('narrator', format)));
      expect(response.status).toBe(200);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const metadata = await parseBuffer(bytes, undefined, { duration: true });
      expect(metadata.format.duration).toBeGreaterThan(15);
      expect(metadata.format.duration).toBeLessThan(30);
    }
  });

  it('hosts files posted to /__emulator/files', async () => {
    const emulator = createEmulator({ audio: 'tone' });
    const created = await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/files`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } }));
    expect(created.status).toBe(201);
    const { url } = (await created.json()) as { url: string };
    const fetched = await emulator.handle(new Request(url));
    expect(await fetched.text()).toBe('hello');
    expect(fetched.headers.get('content-type')).toBe('text/plain');
  });

  describe('clock', () => {
    it('is sent as each vendor answer\'s Date header', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      emulator.clock.advance(8 * 24 * 3600 * 1000);
      const response = await emulator.handle(viduTts(emulator));
      expect(Math.abs(Date.parse(response.headers.get('date')!) - emulator.clock.now())).toBeLessThan(2000);
    });

    it('moves forward over HTTP and refuses nonsense', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      const before = emulator.clock.now();
      const moved = await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 8 * 24 * 3600 * 1000 }) }));
      const { now } = (await moved.json()) as { now: string };
      expect(Date.parse(now) - before).toBeGreaterThanOrEqual(8 * 24 * 3600 * 1000);
      const refused = await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: -5 }) }));
      expect(refused.status).toBe(400);
      expect(() => emulator.clock.advance(Number.NaN)).toThrow(/finite number/);
    });
  });

  describe('faults', () => {
    it('refuses invalid settings, in code and over HTTP, naming each problem', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      expect(() => emulator.setFaults('vidu', { dropRate: 2 })).toThrow(/dropRate must be a number from 0 to 1/);
      const response = await emulator.handle(
        new Request(`${emulator.baseUrl}/__emulator/faults/vidu`, { method: 'PUT', body: JSON.stringify({ errorRates: { '999': 0.5 }, bogus: true }) }),
      );
      expect(response.status).toBe(400);
      const { problems } = (await response.json()) as { problems: string[] };
      expect(problems).toEqual(expect.arrayContaining([expect.stringContaining("unknown fault 'bogus'"), expect.stringContaining("'999' is not an HTTP status")]));
      const unknownVendor = await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/faults/acme`, { method: 'PUT', body: '{}' }));
      expect(unknownVendor.status).toBe(404);
    });

    it('answers with the error status asked for, in the vendor\'s shape, and logs the fault', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/faults/vidu`, { method: 'PUT', body: JSON.stringify({ errorRates: { '503': 1 } }) }));
      const response = await emulator.handle(viduTts(emulator));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(emulator.calls.entries()).toEqual([expect.objectContaining({ vendor: 'vidu', status: 503, fault: 'status-503' })]);
    });

    it('enforces a steady rate limit with a token bucket, answering 429 with the seconds to wait', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      emulator.setFaults('vidu', { rateLimit: { requestsPerSecond: 2, burst: 3 } });
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt++) statuses.push((await emulator.handle(viduTts(emulator))).status);
      // The burst of three passes (404: the test voice does not exist), then the bucket is empty.
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      const refused = await emulator.handle(viduTts(emulator));
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(emulator.calls.entries().filter((call) => call.fault === 'rate-limit')).toHaveLength(3);

      await new Promise((resolve) => setTimeout(resolve, 600)); // 2 per second: one token back
      expect((await emulator.handle(viduTts(emulator))).status).toBe(404);
      expect((await emulator.handle(viduTts(emulator))).status).toBe(429);
    });

    it('refuses a malformed rateLimit setting over HTTP, saying what it must be', () => {
      expect(faultSettingsProblems({ rateLimit: { requestsPerSecond: 0 } })).toEqual(['rateLimit must be { requestsPerSecond: number > 0, burst?: number >= 1 }']);
      expect(faultSettingsProblems({ rateLimit: { requestsPerSecond: 20, burst: 20 } })).toEqual([]);
    });

    it('sends a 429 burst with Retry-After, then behaves (MiniMax: HTTP 200 with base_resp 1002)', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      emulator.setFaults('vidu', { rateLimitBurst: { count: 2, retryAfterSeconds: 3 } });
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await emulator.handle(viduTts(emulator));
        statuses.push(response.status);
        if (response.status === 429) expect(response.headers.get('retry-after')).toBe('3');
      }
      expect(statuses).toEqual([429, 429, 404]);

      emulator.setFaults('minimax', { rateLimitBurst: { count: 1 } });
      const minimax = await emulator.handle(
        new Request(`${emulator.vendorBaseUrl('minimax')}/v1/get_voice`, {
          method: 'POST',
          headers: { authorization: `Bearer ${emulator.keys.minimax}`, 'content-type': 'application/json' },
          body: JSON.stringify({ voice_type: 'all' }),
        }),
      );
      expect(minimax.status).toBe(200);
      expect(await minimax.json()).toMatchObject({ base_resp: { status_code: 1002 } });
      expect(minimax.headers.get('retry-after')).toBeNull();
    });

    it('sends a burst of server errors without doing the work, then behaves', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      emulator.setFaults('vidu', { errorBurst: { count: 2, status: 502 } });
      const clone = () =>
        emulator.handle(
          new Request(`${emulator.vendorBaseUrl('vidu')}/ent/v2/audio-clone`, {
            method: 'POST',
            headers: { authorization: `Token ${emulator.keys.vidu}`, 'content-type': 'application/json' },
            body: JSON.stringify({ audio_url: emulator.sampleUrl('narrator', 'mp3'), voice_id: 'vx-burst-test', text: 'Hello there.' }),
          }),
        );
      const statuses = [(await clone()).status, (await clone()).status, (await clone()).status];
      expect(statuses).toEqual([502, 502, 200]);
      expect(emulator.calls.entries().map((entry) => entry.fault)).toEqual(['status-502', 'status-502', undefined]);
      // Only the answered clone was done, and billed once.
      expect(emulator.calls.billable()).toHaveLength(1);
      emulator.setFaults('vidu', { errorBurst: { count: 1 } });
      expect((await emulator.handle(viduTts(emulator))).status).toBe(503);
      expect(() => emulator.setFaults('vidu', { errorBurst: { count: 1, status: 200 } })).toThrow(/errorBurst must be/);
    });

    it('stalls: does the work and bills it, but answers only once the client has given up', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      const clone = (signal?: AbortSignal) =>
        emulator.handle(
          new Request(`${emulator.vendorBaseUrl('vidu')}/ent/v2/audio-clone`, {
            method: 'POST',
            headers: { authorization: `Token ${emulator.keys.vidu}`, 'content-type': 'application/json' },
            body: JSON.stringify({ audio_url: emulator.sampleUrl('narrator', 'mp3'), voice_id: 'vx-stall-test', text: 'Hello there.' }),
            ...(signal ? { signal } : {}),
          }),
        );
      emulator.setFaults('vidu', { stallRate: 1 });
      const client = new AbortController();
      let answered = false;
      const stalled = clone(client.signal).then((response) => {
        answered = true;
        return response;
      });
      // Faults are read when a request arrives: the next ones are answered at once.
      emulator.clearFaults('vidu');
      // The clone is done while its answer is held back: a second clone with its id is a duplicate.
      let duplicate = 0;
      for (let attempt = 0; attempt < 100 && duplicate !== 409; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        duplicate = (await clone()).status;
      }
      expect(duplicate).toBe(409);
      expect(answered).toBe(false);
      client.abort();
      expect((await stalled).status).toBe(200);
      expect(emulator.calls.entries().filter((entry) => entry.fault === 'stall')).toEqual([
        expect.objectContaining({ path: '/ent/v2/audio-clone', billable: { kind: 'clone', key: 'vx-stall-test' } }),
      ]);
    });

    it('cuts JSON bodies in half', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      emulator.setFaults('vidu', { malformedJsonRate: 1 });
      const response = await emulator.handle(viduTts(emulator));
      expect(response.status).toBe(200);
      await expect(response.clone().json()).rejects.toThrow();
      expect((await response.text()).length).toBeGreaterThan(0);
    });

    it('waits the configured latency before answering', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      emulator.setFaults('vidu', { latencyMs: [60, 80] });
      const started = performance.now();
      await emulator.handle(viduTts(emulator));
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    });

    it('cuts downloads of a vendor\'s audio short after the configured bytes', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      const vidu = (path: string, body: unknown) =>
        emulator.handle(
          new Request(`${emulator.vendorBaseUrl('vidu')}${path}`, {
            method: 'POST',
            headers: { authorization: `Token ${emulator.keys.vidu}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
        );
      const clone = await vidu('/ent/v2/audio-clone', { audio_url: emulator.sampleUrl('narrator', 'mp3'), voice_id: 'vx-truncation-test', text: 'Hello there.' });
      expect(clone.status).toBe(200);
      const speech = (await (await vidu('/ent/v2/audio-tts', { text: 'A line to download.', voice_setting_voice_id: 'vx-truncation-test' })).json()) as { file_url: string };
      const whole = new Uint8Array(await (await emulator.handle(new Request(speech.file_url))).arrayBuffer());
      expect(whole.length).toBeGreaterThan(1000);

      emulator.setFaults('vidu', { truncateDownloadsAt: 500 });
      const cut = await emulator.handle(new Request(speech.file_url));
      expect(cut.headers.get('content-length')).toBe(String(whole.length));
      await expect(cut.arrayBuffer()).rejects.toThrow(/connection reset/);
    });

    it('repeats the same faults for the same seed', async () => {
      const run = async () => {
        const emulator = createEmulator({ audio: 'tone', seed: 42 });
        emulator.setFaults('vidu', { errorRates: { '500': 0.5 } });
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 20; attempt++) statuses.push((await emulator.handle(viduTts(emulator))).status);
        return statuses;
      };
      const first = await run();
      expect(first).toContain(500);
      expect(first).toContain(404);
      expect(await run()).toEqual(first);
    });

    it('are forgotten on reset, with the call log and the clock', async () => {
      const emulator = createEmulator({ audio: 'tone' });
      emulator.setFaults('vidu', { errorRates: { '500': 1 } });
      emulator.clock.advance(1_000_000);
      await emulator.handle(viduTts(emulator));
      const reset = await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/reset`, { method: 'POST' }));
      expect(reset.status).toBe(204);
      expect(emulator.calls.entries()).toEqual([]);
      expect(emulator.faults('vidu')).toEqual({});
      expect(Math.abs(emulator.clock.now() - Date.now())).toBeLessThan(1000);
      expect((await emulator.handle(viduTts(emulator))).status).toBe(404);
    });
  });

  it('lists calls and duplicates over HTTP, and clears them', async () => {
    const emulator = createEmulator({ audio: 'tone' });
    await emulator.handle(viduTts(emulator, 'wrong-key'));
    const listed = (await (await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/calls`))).json()) as { calls: unknown[]; duplicates: unknown[] };
    expect(listed.calls).toEqual([expect.objectContaining({ vendor: 'vidu', method: 'GET', path: '/ent/v2/tasks/unknown-task/creations', status: 401 })]);
    expect(listed.duplicates).toEqual([]);
    await emulator.handle(new Request(`${emulator.baseUrl}/__emulator/calls`, { method: 'DELETE' }));
    expect(emulator.calls.entries()).toEqual([]);
  });
});
