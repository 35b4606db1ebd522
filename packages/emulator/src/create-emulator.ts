import { parseBuffer } from 'music-metadata';
import { createAudioMaker, type EmulatorAudioFormat } from './audio-maker.js';
import { CallLog, type CallEntry } from './call-log.js';
import { EmulatorClock } from './emulator-clock.js';
import { faultSettingsProblems, seededRandom, type FaultSettings } from './fault-settings.js';
import { FileStore } from './file-store.js';
import { json, vendorIds, type EmulatorKeys, type TaskTiming, type VendorContext, type VendorId, type VendorModule } from './vendor.js';
import { vendorFactories } from './vendors/index.js';

export interface EmulatorOptions {
  /** Origin the emulator is reached at; URLs it hands out (downloads, samples) start with it. */
  baseUrl?: string;
  /** Credentials it accepts; each defaults to `<vendor>-emulator-key` (Kling: access/secret key pair too). */
  keys?: Partial<Omit<EmulatorKeys, 'kling'>> & { kling?: Partial<EmulatorKeys['kling']> };
  /** `speech` (default): real speech from the local synthesiser; `tone`: a cheap sine for load tests. */
  audio?: 'speech' | 'tone';
  /** How long tasks stay queued and processing (default 100 ms and 300 ms). */
  timing?: Partial<TaskTiming>;
  /** Seed of the fault dice, so a faulty run can be repeated exactly. */
  seed?: number;
}

export interface Emulator {
  readonly baseUrl: string;
  readonly keys: EmulatorKeys;
  readonly clock: EmulatorClock;
  readonly calls: CallLog;
  /** Where a vendor lives on the emulator (`<baseUrl>/minimax`): the `baseUrl` for a manifest. */
  vendorBaseUrl(vendor: VendorId): string;
  /** A built-in speech sample anyone can fetch (`<baseUrl>/files/samples/<name>.<format>`), about 20 s long. */
  sampleUrl(name: string, format?: EmulatorAudioFormat): string;
  setFaults(vendor: VendorId, settings: FaultSettings): void;
  clearFaults(vendor?: VendorId): void;
  faults(vendor: VendorId): FaultSettings;
  /**
   * Answers one request: `/<vendor>/…` (the vendor APIs), `/files/…` (downloads) or `/__emulator/…`
   * (control). `vendor` routes a request that arrives on a vendor's real host instead.
   */
  handle(request: Request, options?: { vendor?: VendorId; pathPrefix?: string; drop?: () => void }): Promise<Response>;
  /** Forgets every voice, task, file, fault and call, and puts the clock back. */
  reset(): void;
}

/** The longest a stalled answer is held when the client never gives up. */
const maxStallMs = 600_000;

/** Resolves when `signal` aborts (the client went away) or after `ms`. */
function untilAborted(signal: AbortSignal, ms: number): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const samplePath = /^\/files\/samples\/([A-Za-z0-9_-]{1,64})\.(wav|mp3)$/;
// About 20 seconds read aloud: inside every vendor's sample limits (SoundClone wants 15–60 s of speech).
const sampleText =
  'The lighthouse stood at the edge of the world, and every night its keeper climbed the narrow stairs to light the lamp. ' +
  'Ships passed far out at sea, their crews grateful for the steady beam. In the morning the keeper wrote in his journal, ' +
  'noting the wind, the weather, and the boats that had come and gone in the dark.';

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const baseUrl = (options.baseUrl ?? 'http://emulator.voxform.test').replace(/\/+$/, '');
  const keys: EmulatorKeys = {
    minimax: options.keys?.minimax ?? 'minimax-emulator-key',
    vidu: options.keys?.vidu ?? 'vidu-emulator-key',
    soundclone: options.keys?.soundclone ?? 'soundclone-emulator-key',
    aivoiceclonefree: options.keys?.aivoiceclonefree ?? 'aivoiceclonefree-emulator-key',
    kling: {
      apiKey: options.keys?.kling?.apiKey ?? 'kling-emulator-key',
      accessKey: options.keys?.kling?.accessKey ?? 'kling-emulator-access-key',
      secretKey: options.keys?.kling?.secretKey ?? 'kling-emulator-secret-key',
    },
  };
  const timing: TaskTiming = { queuedMs: options.timing?.queuedMs ?? 100, processingMs: options.timing?.processingMs ?? 300 };
  const clock = new EmulatorClock();
  const calls = new CallLog();
  const files = new FileStore();
  const audio = createAudioMaker(options.audio ?? 'speech');
  const faultSettings = new Map<VendorId, FaultSettings>();
  let random = seededRandom(options.seed ?? 1);

  const fileUrl = (id: string) => `${baseUrl}/files/${id}`;
  const sampleUrl = (name: string, format: EmulatorAudioFormat = 'wav') => `${baseUrl}/files/samples/${name}.${format}`;

  const readOwnFile = async (path: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined> => {
    const sample = samplePath.exec(path);
    if (sample) {
      const format = sample[2] as EmulatorAudioFormat;
      return { bytes: await audio.render(sampleText, { voiceSeed: sample[1]!, format }), contentType: format === 'mp3' ? 'audio/mpeg' : 'audio/wav' };
    }
    const id = /^\/files\/([^/]+)$/.exec(path)?.[1];
    const file = id ? files.get(decodeURIComponent(id), clock.now()) : undefined;
    return file ? { bytes: file.bytes, contentType: file.contentType } : undefined;
  };

  const contextFor = (vendor: VendorId): VendorContext => ({
    vendor,
    clock,
    keys,
    timing,
    files,
    fileUrl,
    publish(bytes, publishOptions) {
      const expiresAt = publishOptions.lifetimeMs === undefined ? undefined : clock.now() + publishOptions.lifetimeMs;
      return fileUrl(files.put({ bytes, contentType: publishOptions.contentType, vendor, ...(expiresAt !== undefined ? { expiresAt } : {}) }));
    },
    audio,
    faults: () => faultSettings.get(vendor) ?? {},
    async fetchSample(url) {
      if (url.startsWith(`${baseUrl}/files/`)) {
        const own = await readOwnFile(new URL(url).pathname);
        if (!own) throw new Error(`sample URL ${url} answered HTTP 404`);
        return own;
      }
      let response: Response;
      try {
        response = await globalThis.fetch(url, { signal: AbortSignal.timeout(15_000) });
      } catch (error) {
        throw new Error(`sample URL ${url} could not be fetched (${(error as Error).message})`);
      }
      if (!response.ok) throw new Error(`sample URL ${url} answered HTTP ${response.status}`);
      return { bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? 'application/octet-stream' };
    },
    async probeAudio(bytes) {
      try {
        const metadata = await parseBuffer(bytes, undefined, { duration: true, skipCovers: true });
        const container = (metadata.format.container ?? '').toLowerCase();
        const format = container.includes('wave') ? 'wav' : container.includes('mpeg') ? 'mp3' : container.includes('m4a') || container.includes('mp4') || container.includes('isom')
          ? 'm4a' : container.includes('ogg') ? 'ogg' : container.includes('flac') ? 'flac' : undefined;
        const duration = metadata.format.duration;
        return { ...(format ? { format } : {}), ...(duration !== undefined ? { durationMs: Math.round(duration * 1000) } : {}) };
      } catch {
        return {};
      }
    },
    taskPhase(createdAt) {
      const elapsed = clock.now() - createdAt;
      if (elapsed < timing.queuedMs) return 'queued';
      if (faultSettings.get(vendor)?.stuckTasks || elapsed < timing.queuedMs + timing.processingMs) return 'processing';
      return 'done';
    },
  });
  const modules = Object.fromEntries(vendorIds.map((vendor) => [vendor, vendorFactories[vendor](contextFor(vendor))])) as Record<VendorId, VendorModule>;

  const serveFile = async (path: string, vendorOfFile: VendorId | undefined): Promise<Response> => {
    const file = await readOwnFile(path);
    if (!file) return json({ error: 'file not found or expired' }, 404);
    const cut = vendorOfFile ? faultSettings.get(vendorOfFile)?.truncateDownloadsAt : undefined;
    if (cut === undefined || cut >= file.bytes.length) {
      return new Response(new Uint8Array(file.bytes), { headers: { 'content-type': file.contentType, 'content-length': String(file.bytes.length) } });
    }
    // Announces the whole length, sends part of it, then fails: a download cut short. The failure waits
    // for the next read, so the part already queued is sent first (an error discards queued chunks).
    const partial = file.bytes.subarray(0, cut);
    let sent = partial.length === 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(new Error('connection reset by the emulator (truncateDownloadsAt)'));
        else controller.enqueue(partial);
        sent = true;
      },
    });
    return new Response(body, { headers: { 'content-type': file.contentType, 'content-length': String(file.bytes.length) } });
  };

  // One token bucket per rateLimit setting object: new settings start a full bucket.
  const buckets = new WeakMap<NonNullable<FaultSettings['rateLimit']>, { tokens: number; at: number }>();
  /** Takes a token; 0 when there was one, else the seconds until there will be. */
  const takeToken = (limit: NonNullable<FaultSettings['rateLimit']>): number => {
    const capacity = limit.burst ?? Math.max(1, limit.requestsPerSecond);
    const now = performance.now();
    const bucket = buckets.get(limit) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * limit.requestsPerSecond);
    bucket.at = now;
    buckets.set(limit, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / limit.requestsPerSecond;
  };

  const handleVendor = async (vendor: VendorId, arriving: Request, url: URL, path: string, drop?: () => void): Promise<Response> => {
    const entry: CallEntry = { vendor, method: arriving.method, path, status: 0, time: clock.now() };
    // The faults in force when the request arrives apply to it, whatever is set while it is served.
    const settings = faultSettings.get(vendor) ?? {};
    // A vendor that has received a request carries it out even if the client goes away meanwhile (a
    // killed apply): take the whole body in before any injected latency.
    const body = arriving.method === 'GET' || arriving.method === 'HEAD' ? undefined : await arriving.arrayBuffer();
    const request = new Request(arriving.url, { method: arriving.method, headers: arriving.headers, ...(body ? { body } : {}) });
    // Judged on arrival, as a vendor does; answered after the latency like any other answer.
    const rateLimitWaitSeconds = settings.rateLimit ? takeToken(settings.rateLimit) : 0;
    try {
      const latency = settings.latencyMs;
      const delay = Array.isArray(latency) ? latency[0] + random() * (latency[1] - latency[0]) : (latency ?? 0);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (settings.dropRate && random() < settings.dropRate) {
        entry.fault = 'drop';
        drop?.();
        return Response.error();
      }
      if (rateLimitWaitSeconds > 0) {
        entry.fault = 'rate-limit';
        return finish(modules[vendor].faultResponse(429, { retryAfterSeconds: Math.ceil(rateLimitWaitSeconds) }));
      }
      if (settings.rateLimitBurst && settings.rateLimitBurst.count > 0) {
        settings.rateLimitBurst.count--;
        entry.fault = 'rate-limit';
        return finish(modules[vendor].faultResponse(429, { ...(settings.rateLimitBurst.retryAfterSeconds !== undefined ? { retryAfterSeconds: settings.rateLimitBurst.retryAfterSeconds } : {}) }));
      }
      if (settings.errorBurst && settings.errorBurst.count > 0) {
        settings.errorBurst.count--;
        const status = settings.errorBurst.status ?? 503;
        entry.fault = `status-${status}`;
        return finish(modules[vendor].faultResponse(status, {}));
      }
      for (const [status, rate] of Object.entries(settings.errorRates ?? {})) {
        if (random() < rate) {
          entry.fault = `status-${status}`;
          return finish(modules[vendor].faultResponse(Number(status), {}));
        }
      }
      const response = await modules[vendor].handle({
        request,
        url,
        path,
        bill: (kind, key) => {
          entry.billable = { kind, key };
        },
      });
      if (settings.malformedJsonRate && random() < settings.malformedJsonRate) {
        entry.fault = 'malformed-json';
        const text = await response.text();
        return finish(new Response(text.slice(0, Math.max(1, Math.floor(text.length / 2))), { status: 200, headers: { 'content-type': 'application/json' } }));
      }
      if (settings.stallRate && random() < settings.stallRate) {
        // The work is done (and billed); the answer waits until the client stops waiting for it.
        entry.fault = 'stall';
        await untilAborted(arriving.signal, maxStallMs);
      }
      return finish(response);
    } finally {
      calls.add(entry);
    }

    function finish(response: Response): Response {
      entry.status = response.status;
      // The vendor's clock, as real servers send it: lets clients tell an expired voice from a deleted one.
      const headers = new Headers(response.headers);
      headers.set('date', new Date(clock.now()).toUTCString());
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }
  };

  const handleControl = async (request: Request, path: string): Promise<Response> => {
    const method = request.method;
    if (path === '/__emulator' && method === 'GET') {
      return json({ baseUrl, now: new Date(clock.now()).toISOString(), vendors: Object.fromEntries(vendorIds.map((vendor) => [vendor, `${baseUrl}/${vendor}`])), keys, sample: sampleUrl('narrator') });
    }
    if (path === '/__emulator/calls' && method === 'GET') return json({ calls: calls.entries(), duplicates: calls.duplicates() });
    if (path === '/__emulator/calls' && method === 'DELETE') {
      calls.clear();
      return new Response(null, { status: 204 });
    }
    if (path === '/__emulator/faults' && method === 'GET') return json(Object.fromEntries(faultSettings));
    if (path === '/__emulator/faults' && method === 'DELETE') {
      faultSettings.clear();
      return new Response(null, { status: 204 });
    }
    const faultVendor = /^\/__emulator\/faults\/([a-z]+)$/.exec(path)?.[1] as VendorId | undefined;
    if (faultVendor) {
      if (!vendorIds.includes(faultVendor)) return json({ error: `unknown vendor '${faultVendor}' (known: ${vendorIds.join(', ')})` }, 404);
      if (method === 'DELETE') {
        faultSettings.delete(faultVendor);
        return new Response(null, { status: 204 });
      }
      if (method === 'PUT') {
        const settings = await request.json().catch(() => undefined);
        const problems = faultSettingsProblems(settings);
        if (problems.length > 0) return json({ error: 'invalid fault settings', problems }, 400);
        faultSettings.set(faultVendor, settings as FaultSettings);
        return json(settings);
      }
    }
    if (path === '/__emulator/clock' && method === 'POST') {
      const body = (await request.json().catch(() => ({}))) as { advanceMs?: unknown };
      if (typeof body.advanceMs !== 'number' || !Number.isFinite(body.advanceMs) || body.advanceMs < 0) {
        return json({ error: 'send { "advanceMs": <milliseconds >= 0> }' }, 400);
      }
      return json({ now: new Date(clock.advance(body.advanceMs)).toISOString() });
    }
    if (path === '/__emulator/files' && method === 'POST') {
      const bytes = new Uint8Array(await request.arrayBuffer());
      if (bytes.length === 0) return json({ error: 'send the file as the request body' }, 400);
      const id = files.put({ bytes, contentType: request.headers.get('content-type') ?? 'application/octet-stream' });
      return json({ id, url: fileUrl(id) }, 201);
    }
    if (path === '/__emulator/reset' && method === 'POST') {
      emulator.reset();
      return new Response(null, { status: 204 });
    }
    return json({ error: `no control endpoint ${method} ${path}` }, 404);
  };

  const emulator: Emulator = {
    baseUrl,
    keys,
    clock,
    calls,
    vendorBaseUrl: (vendor) => `${baseUrl}/${vendor}`,
    sampleUrl,
    setFaults(vendor, settings) {
      const problems = faultSettingsProblems(settings);
      if (problems.length > 0) throw new TypeError(`Invalid fault settings for ${vendor}: ${problems.join('; ')}`);
      faultSettings.set(vendor, structuredClone(settings));
    },
    clearFaults(vendor) {
      if (vendor) faultSettings.delete(vendor);
      else faultSettings.clear();
    },
    faults: (vendor) => faultSettings.get(vendor) ?? {},
    async handle(request, handleOptions = {}) {
      const url = new URL(request.url);
      if (handleOptions.vendor) {
        const prefix = handleOptions.pathPrefix ?? '';
        return handleVendor(handleOptions.vendor, request, url, url.pathname.slice(prefix.length) || '/', handleOptions.drop);
      }
      const path = url.pathname;
      if (path === '/__emulator' || path.startsWith('/__emulator/')) return handleControl(request, path);
      if (path.startsWith('/files/') && request.method === 'GET') {
        const id = /^\/files\/([^/]+)$/.exec(path)?.[1];
        const vendorOfFile = id ? files.get(decodeURIComponent(id), clock.now())?.vendor : undefined;
        return serveFile(path, vendorOfFile);
      }
      const vendor = path.split('/')[1] as VendorId;
      if (vendorIds.includes(vendor)) {
        return handleVendor(vendor, request, url, path.slice(vendor.length + 1) || '/', handleOptions.drop);
      }
      return json({ error: `nothing at ${path}: the vendors are at ${vendorIds.map((id) => `/${id}`).join(', ')}; control at /__emulator` }, 404);
    },
    reset() {
      clock.reset();
      calls.clear();
      files.clear();
      faultSettings.clear();
      random = seededRandom(options.seed ?? 1);
      for (const module of Object.values(modules)) module.reset();
    },
  };
  return emulator;
}
