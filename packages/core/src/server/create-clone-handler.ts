import { createHash, randomBytes } from 'node:crypto';
import { parseBuffer } from 'music-metadata';
import { suggestedVoiceId } from '../apply/apply-plan.js';
import type { CloneTask, CloneTaskStatus, CloneVoice, CreateCloneTaskInput } from '../clone/clone-task.js';
import { UsageError } from '../errors/usage-error.js';
import { createAdaptiveLimiter, type AdaptiveLimiter } from '../http/adaptive-limiter.js';
import { redact } from '../http/redact.js';
import { voiceFingerprint, normalizeText, countCharacters } from '../identity/fingerprint.js';
import { optionProblems, sampleLimitProblems, sampleSourceProblem, textProblem } from '../manifest/provider-rules.js';
import { sampleInput, type LoadedProject } from '../node/load-project.js';
import { createNodeDispatcher } from '../http/node/create-node-dispatcher.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { CreateVoiceRequest, JsonValue, ProviderSettings, ProviderV1, SampleInput } from '../providers/provider-v1.js';
import { validateWithSchema } from '../validation/schema-validator.js';
import { schemaProblems } from '../yaml/schema-diagnostics.js';
import { formatPath } from '../yaml/yaml-source.js';
import { audioResponse } from './audio-response.js';
import { createMemoryTaskStore, type CloneTaskStore, type StoredCloneTask } from './clone-task-store.js';
import { fetchSample, type SampleUrlPolicy } from './fetch-sample.js';
import { readBody } from './read-body.js';
import { Refusal } from './refusal.js';
import { runCloneTask } from './run-clone-task.js';

/** What a request wants to do, handed to `authorize`. */
export interface CloneAccess {
  action: 'create' | 'read' | 'cancel' | 'list-voices';
  /** The task concerned, for `read` and `cancel`. */
  taskId?: string;
}

/**
 * What `authorize` answers: `true` or `{ owner }` lets the request through (a task created with an
 * owner can then only be read and cancelled by requests authorised as the same owner, others get 403);
 * `false`, `null` or `undefined` answers 401 (who is asking is not known); `'forbidden'` answers 403.
 */
export type AuthorizeResult = boolean | { owner?: string } | 'forbidden' | null | undefined;

/** A provider's settings on the server: its key and address, plus how hard the server may use it. */
export type CloneProviderSettings = ProviderSettings & {
  /** Calls in flight at once (default: the provider's documented limit). */
  concurrency?: number;
  /** Calls per minute (default: the provider's documented limit, if any). */
  requestsPerMinute?: number;
};

export interface CloneHandlerLimits {
  /** Largest sample, uploaded or downloaded from a sample URL, in bytes: 413 above. Default 20 MB. */
  maxSampleBytes?: number;
  /** Longest text in Unicode code points: 400 above (the provider's own limit applies too). Default 5000. */
  maxTextLength?: number;
  /** Largest JSON body, in bytes: 413 above. Default 64 KiB. */
  maxJsonBytes?: number;
  /** Largest audio accepted from a vendor, in bytes. Default 100 MB. */
  maxAudioBytes?: number;
  /**
   * Tasks one owner (from `authorize`) may have running at once in this process: 429 above. Each is a
   * paid vendor call holding its sample in memory. Default 4.
   */
  maxActiveTasksPerOwner?: number;
  /** Tasks running at once in this process, whoever created them: 429 above. Default 32. */
  maxActiveTasks?: number;
}

/** What the handler reports, for logs. Messages are redacted: no API key ever appears in one. */
export type CloneHandlerEvent =
  | { type: 'task-create'; id: string; provider: string }
  | { type: 'task-end'; id: string; provider: string; status: CloneTaskStatus; error?: string }
  | { type: 'request-refused'; method: string; path: string; status: number; message: string }
  | { type: 'handler-error'; method: string; path: string; message: string };

export interface CloneHandlerSettings {
  /** The providers offered, by manifest id. Each one that needs a key must get it in `settings`. */
  providers: ProviderRegistry;
  /** Per provider id: `apiKey` (from the environment; never sent to clients), `baseUrl`, limits. */
  settings?: Record<string, CloneProviderSettings>;
  /** Decides who may create, read and cancel tasks; see {@link AuthorizeResult}. Called before anything else. */
  authorize: (request: Request, access: CloneAccess) => AuthorizeResult | Promise<AuthorizeResult>;
  /** Where tasks and audio are kept. Default: {@link createMemoryTaskStore} (one process). */
  store?: CloneTaskStore;
  limits?: CloneHandlerLimits;
  /** The path the handler is mounted at (`/api/voxform`); requests outside it answer 404. Default ''. */
  basePath?: string;
  /** Which sample URLs may be downloaded; by default none on private, loopback or link-local addresses. */
  sampleUrls?: SampleUrlPolicy;
  /** A loaded voxform project: `GET /voices` lists its voices, and a task may name one instead of a sample. */
  project?: LoadedProject;
  onEvent?: (event: CloneHandlerEvent) => void;
  /** How often a running task looks in the store for a cancel made through another server instance, in ms. Default 1000. */
  cancelCheckIntervalMs?: number;
  now?: () => Date;
}

/** A Web-standard `(Request) => Promise<Response>` handler, plus `close()` to abort running tasks and free connections. */
export interface CloneHandler {
  (request: Request): Promise<Response>;
  close(): Promise<void>;
}

const taskIdPattern = /^[A-Za-z0-9_-]{22}$/;
const audioContentTypes = { mp3: 'audio/mpeg', wav: 'audio/wav' } as const;

/** The JSON body of `POST /tasks` (a multipart body carries the same fields, `sample` being a file). */
const createTaskSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: { type: 'string' },
    provider: { type: 'string' },
    sampleUrl: { type: 'string' },
    voice: { type: 'string' },
    language: { type: 'string' },
    voiceOptions: { type: 'object' },
    options: { type: 'object' },
  },
};

type TaskFields = Omit<CreateCloneTaskInput, 'sample'>;

/**
 * The server half of `@voxform/react`: a Web-standard handler (Next.js route handlers, Hono, or Node
 * through an adapter) that clones a voice from a sample and speaks a text with it, on the same
 * provider adapters as `voxform apply`. Routes, under `basePath`:
 *
 * - `POST /tasks` — multipart (`sample` file) or JSON (`sampleUrl`, or `voice` of the project), with
 *   `text`, `provider`, `language`, `voiceOptions`, `options` → 202 `{ id }`. Validated with the
 *   provider's schemas and rules, in the words of `voxform validate` (400); 413 past the size limits.
 * - `GET /tasks/:id` → the task; `DELETE /tasks/:id` cancels it (and deletes its voice at the vendor
 *   where the provider can); `GET /tasks/:id/audio` → the audio, with range support.
 * - `GET /voices` → the project's voices.
 *
 * API keys stay in `settings`: no answer, task error or event carries one. Task ids are 128 random bits.
 */
export function createCloneHandler(settings: CloneHandlerSettings): CloneHandler {
  const registry = settings.providers;
  const store = settings.store ?? createMemoryTaskStore();
  const basePath = (settings.basePath ?? '').replace(/\/+$/, '');
  const now = settings.now ?? (() => new Date());
  const emit = settings.onEvent ?? (() => {});
  const limits = {
    maxSampleBytes: settings.limits?.maxSampleBytes ?? 20_000_000,
    maxTextLength: settings.limits?.maxTextLength ?? 5000,
    maxJsonBytes: settings.limits?.maxJsonBytes ?? 65_536,
    maxAudioBytes: settings.limits?.maxAudioBytes ?? 100_000_000,
    maxActiveTasksPerOwner: settings.limits?.maxActiveTasksPerOwner ?? 4,
    maxActiveTasks: settings.limits?.maxActiveTasks ?? 32,
  };
  const providerSettings = settings.settings ?? {};

  const missingKeys = registry
    .ids()
    .filter((id) => registry.describe(id).capabilities.apiKeyEnv && !providerSettings[id]?.apiKey)
    .map((id) => `${id} needs an API key: pass settings.${id}.apiKey (e.g. process.env.${registry.describe(id).capabilities.apiKeyEnv}), or leave ${id} out of providers`);
  if (missingKeys.length > 0) throw new UsageError(`createCloneHandler:\n  ${missingKeys.join('\n  ')}`);

  // Every key, and the halves of a Kling `access:secret` pair, is removed from whatever leaves the server.
  const secrets = Object.values(providerSettings)
    .flatMap((entry) => (typeof entry.apiKey === 'string' ? [entry.apiKey, ...entry.apiKey.split(':').filter((part) => part.length >= 8)] : []))
    .filter((secret) => secret.length > 0);
  const clean = (text: string) => redact(text, secrets);

  // One connection pool for every vendor call; undici loads on first use.
  const dispatcher = createNodeDispatcher();
  const instances = new Map<string, Promise<{ provider: ProviderV1; limiter: AdaptiveLimiter; dispatcher: object }>>();
  const instanceOf = (id: string) => {
    let instance = instances.get(id);
    if (!instance) {
      const { concurrency, requestsPerMinute, ...rest } = providerSettings[id] ?? {};
      const capabilities = registry.describe(id).capabilities;
      const perMinute = requestsPerMinute ?? capabilities.defaultRequestsPerMinute;
      const limiter = createAdaptiveLimiter({ provider: id, concurrency: concurrency ?? capabilities.defaultConcurrency, ...(perMinute ? { requestsPerMinute: perMinute } : {}) });
      instance = dispatcher.then((pool) => ({ provider: registry.create(id, { ...rest, limiter, dispatcher: pool }), limiter, dispatcher: pool }));
      instances.set(id, instance);
    }
    return instance;
  };
  const running = new Map<string, AbortController>();
  /** Owners of the tasks taken on and not yet ended, counted from before their body is read. */
  const active: Array<string | undefined> = [];

  /** Counts a task against the limits before its body is read; the returned function lets it go. */
  function reserveTask(owner: string | undefined): () => void {
    const retry = { headers: { 'retry-after': '10' } };
    if (active.length >= limits.maxActiveTasks) {
      throw new Refusal(429, `this server is running ${active.length} tasks, its limit: try again when one has finished`, retry);
    }
    if (owner !== undefined && active.filter((other) => other === owner).length >= limits.maxActiveTasksPerOwner) {
      throw new Refusal(429, `you have ${limits.maxActiveTasksPerOwner} tasks running, the most this server runs for one user: wait for one to finish, or cancel one, then try again`, retry);
    }
    active.push(owner);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active.splice(active.indexOf(owner), 1);
    };
  }

  async function authorizeRequest(request: Request, access: CloneAccess): Promise<{ owner?: string }> {
    const result = await settings.authorize(request, access);
    if (result === 'forbidden') throw new Refusal(403, 'this request is not allowed to do that');
    if (result === true) return {};
    if (result && typeof result === 'object') return result.owner === undefined ? {} : { owner: result.owner };
    throw new Refusal(401, 'this request carries no authorisation the server accepts: sign in, then try again');
  }

  async function taskFor(request: Request, id: string, action: CloneAccess['action']): Promise<StoredCloneTask> {
    const caller = await authorizeRequest(request, { action, taskId: id });
    const task = taskIdPattern.test(id) ? await store.get(id) : undefined;
    if (!task) throw new Refusal(404, `no task ${id} here: it never existed, or it finished too long ago and was forgotten`);
    if (task.owner !== undefined && task.owner !== caller.owner) throw new Refusal(403, `task ${id} belongs to someone else`);
    return task;
  }

  async function createTask(request: Request): Promise<Response> {
    const caller = await authorizeRequest(request, { action: 'create' });
    const release = reserveTask(caller.owner);
    try {
      return await acceptTask(request, caller, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  async function acceptTask(request: Request, caller: { owner?: string }, release: () => void): Promise<Response> {
    const { fields, upload } = await readTaskRequest(request);
    const plan = checkTask(fields, upload);
    const sample = await acquireSample(plan, fields, upload);

    const id = randomBytes(16).toString('base64url');
    const createdAt = now().toISOString();
    const fingerprint = voiceFingerprint({
      provider: plan.provider.id,
      sampleDigest: sample.digest,
      ...(sample.prompt ? { prompt: { sampleDigest: sample.prompt.digest, text: sample.prompt.text } } : {}),
      ...(plan.language ? { language: plan.language } : {}),
      options: plan.voiceOptions,
    });
    const voice: CreateVoiceRequest = {
      name: plan.voiceName,
      fingerprint,
      sample: sample.input,
      ...(sample.prompt ? { prompt: { sample: sample.prompt.input, text: sample.prompt.text } } : {}),
      ...(plan.language ? { language: plan.language } : {}),
      options: plan.voiceOptions,
      // Every task clones its own voice: vendors refuse a voice id twice, and a cancel deletes only its own.
      suggestedVoiceId: suggestedVoiceId(plan.voiceName, createHash('sha256').update(`${fingerprint}:${id}`).digest('hex')),
    };
    const instance = await instanceOf(plan.provider.id);
    await store.insert({ id, status: 'pending', provider: plan.provider.id, createdAt, updatedAt: createdAt, ...(caller.owner !== undefined ? { owner: caller.owner } : {}) });
    emit({ type: 'task-create', id, provider: plan.provider.id });
    startTask(id, plan, voice, instance, release);
    return json(202, { id }, { location: `${basePath}/tasks/${id}` });
  }

  function startTask(id: string, plan: TaskPlan, voice: CreateVoiceRequest, instance: Awaited<ReturnType<typeof instanceOf>>, release: () => void): void {
    const controller = new AbortController();
    running.set(id, controller);
    const { provider, limiter } = instance;
    // A cancel made through another instance reaches this one through the store.
    const watch = setInterval(() => {
      void store
        .get(id)
        .then((task) => {
          if (task?.status === 'cancelled') controller.abort(new Error('cancelled'));
        })
        .catch(() => {});
    }, settings.cancelCheckIntervalMs ?? 1000);
    watch.unref?.();
    void runCloneTask(
      { taskId: id, provider, limiter, voice, text: plan.text, options: plan.lineOptions, format: provider.capabilities.outputFormats[0], audioUrl: `${basePath}/tasks/${id}/audio` },
      { store, signal: controller.signal, secrets, dispatcher: instance.dispatcher, maxAudioBytes: limits.maxAudioBytes, now },
    )
      .then((task) => {
        if (task) emit({ type: 'task-end', id, provider: task.provider, status: task.status, ...(task.error ? { error: clean(task.error) } : {}) });
      })
      .finally(() => {
        clearInterval(watch);
        running.delete(id);
        release();
      });
  }

  async function readTaskRequest(request: Request): Promise<{ fields: Record<string, unknown>; upload?: File }> {
    const contentType = (request.headers.get('content-type') ?? '').toLowerCase();
    if (contentType.startsWith('multipart/form-data')) {
      // Room for the text fields and the multipart framing around the sample.
      const body = await readBody(request, limits.maxSampleBytes + 262_144, 'the upload');
      let form: FormData;
      try {
        form = await new Response(body, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
      } catch (error) {
        throw new Refusal(400, `the multipart body could not be read (${(error as Error).message}): send it as a browser's FormData does`);
      }
      const fields: Record<string, unknown> = {};
      let upload: File | undefined;
      const problems: Array<{ path: string; message: string }> = [];
      for (const [name, value] of form.entries()) {
        if (name === 'sample') {
          if (typeof value === 'string') problems.push({ path: 'sample', message: 'must be a file (the recording to clone)' });
          else upload = value;
        } else if (typeof value !== 'string') {
          problems.push({ path: name, message: 'must be a text field, not a file' });
        } else if (name === 'voiceOptions' || name === 'options') {
          try {
            fields[name] = JSON.parse(value);
          } catch {
            problems.push({ path: name, message: 'must be a JSON object' });
          }
        } else {
          fields[name] = value;
        }
      }
      if (problems.length > 0) throw Refusal.ofProblems(problems);
      if (upload && upload.size > limits.maxSampleBytes) throw new Refusal(413, `the sample is larger than the ${limits.maxSampleBytes}-byte limit of this server: trim or compress the recording`);
      return { fields, ...(upload ? { upload } : {}) };
    }
    if (contentType.startsWith('application/json')) {
      const body = await readBody(request, limits.maxJsonBytes, 'the JSON body');
      try {
        const fields = JSON.parse(new TextDecoder().decode(body)) as unknown;
        if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Error('not an object');
        return { fields: fields as Record<string, unknown> };
      } catch {
        throw new Refusal(400, 'the body is not a JSON object: send { "text": …, "provider": …, "sampleUrl": … }');
      }
    }
    throw new Refusal(415, 'send the task as multipart/form-data (with a sample file) or as application/json (with a sampleUrl or a voice)');
  }

  interface TaskPlan {
    provider: ProviderV1;
    voiceName: string;
    text: string;
    language?: string;
    voiceOptions: Record<string, JsonValue>;
    lineOptions: Record<string, JsonValue>;
    projectVoice?: string;
  }

  /** Every problem with the request at once, before anything is downloaded or spent. */
  function checkTask(raw: Record<string, unknown>, upload: File | undefined): TaskPlan {
    const { valid, errors } = validateWithSchema(createTaskSchema, raw);
    if (!valid) {
      throw Refusal.ofProblems(schemaProblems(errors, raw).map((problem) => ({ path: formatPath(problem.path), message: problem.message.replace(/^unknown property/, 'unknown field') })));
    }
    const fields = raw as TaskFields;
    const problems: Array<{ path: string; message: string }> = [];
    const sources = [upload ? 'sample' : undefined, fields.sampleUrl !== undefined ? 'sampleUrl' : undefined, fields.voice !== undefined ? 'voice' : undefined].filter(Boolean);
    if (sources.length !== 1) {
      problems.push({ path: sources.length === 0 ? 'sample' : sources.join(', '), message: 'give exactly one of: sample (a file to upload), sampleUrl (an http(s) URL) or voice (a voice of the project)' });
    }

    let providerId = fields.provider;
    let projectVoice: LoadedProject['manifest']['voices'][string] | undefined;
    if (fields.voice !== undefined) {
      const voices = settings.project?.manifest.voices;
      // Own names only: 'constructor' or '__proto__' are not voices.
      projectVoice = voices && Object.hasOwn(voices, fields.voice) ? voices[fields.voice] : undefined;
      if (!settings.project) problems.push({ path: 'voice', message: 'this server has no project: upload a sample or give a sampleUrl' });
      else if (!projectVoice) {
        problems.push({ path: 'voice', message: `unknown voice '${fields.voice}' (declared voices: ${Object.keys(settings.project.manifest.voices).join(', ') || 'none'})` });
      } else {
        if (providerId !== undefined && providerId !== projectVoice.provider) {
          problems.push({ path: 'provider', message: `voice '${fields.voice}' is on ${projectVoice.provider}: leave provider out, or make it ${projectVoice.provider}` });
        }
        providerId = projectVoice.provider;
        if (fields.voiceOptions !== undefined) problems.push({ path: 'voiceOptions', message: `voice '${fields.voice}' takes its options from the project: leave voiceOptions out` });
      }
    }
    const known = registry.ids().join(', ');
    if (providerId === undefined) {
      if (!projectVoice) problems.push({ path: 'provider', message: `missing required property 'provider' (known providers: ${known})` });
      throw Refusal.ofProblems(problems);
    }
    if (!registry.has(providerId)) {
      problems.push({ path: 'provider', message: `unknown provider '${providerId}' (known providers: ${known})` });
      throw Refusal.ofProblems(problems);
    }
    const provider = registry.describe(providerId);
    if (!provider.capabilities.synthesis) {
      problems.push({ path: 'provider', message: `${provider.displayName} cannot speak text with a cloned voice: choose another provider` });
    }
    const text = normalizeText(fields.text);
    const problemWithText = textProblem(provider, text);
    if (problemWithText) problems.push({ path: 'text', message: problemWithText });
    else if (countCharacters(text) > limits.maxTextLength) {
      problems.push({ path: 'text', message: `text is ${countCharacters(text)} characters; this server takes at most ${limits.maxTextLength}: shorten it` });
    }
    const voiceOptions = (projectVoice ? projectVoice.options : (fields.voiceOptions ?? {})) as Record<string, JsonValue>;
    const lineOptions = (fields.options ?? {}) as Record<string, JsonValue>;
    const issues = [...optionProblems(provider, 'voice', voiceOptions, ['voiceOptions']), ...optionProblems(provider, 'line', lineOptions, ['options'])];
    if (!projectVoice) problems.push(...issues.map((problem) => ({ path: formatPath(problem.path), message: problem.message })));
    else problems.push(...issues.filter((problem) => problem.path[0] === 'options').map((problem) => ({ path: formatPath(problem.path), message: problem.message })));
    if (upload) {
      const sourceProblem = sampleSourceProblem(provider, 'file');
      if (sourceProblem) problems.push({ path: 'sample', message: sourceProblem.replace(/host the file and give its URL$/, 'host the file and give its URL as sampleUrl') });
    }
    if (problems.length > 0) throw Refusal.ofProblems(problems);
    const language = projectVoice?.language ?? fields.language;
    return {
      provider,
      voiceName: fields.voice ?? 'task',
      text,
      ...(language ? { language } : {}),
      voiceOptions,
      lineOptions,
      ...(fields.voice !== undefined ? { projectVoice: fields.voice } : {}),
    };
  }

  interface AcquiredSample {
    input: SampleInput;
    digest: string;
    prompt?: { input: SampleInput; digest: string; text: string };
  }

  async function acquireSample(plan: TaskPlan, fields: Record<string, unknown>, upload: File | undefined): Promise<AcquiredSample> {
    if (plan.projectVoice !== undefined) {
      const project = settings.project!;
      const probed = project.samples[plan.projectVoice]!;
      const promptText = project.manifest.voices[plan.projectVoice]!.prompt?.text;
      return {
        input: sampleInput(probed.sample),
        digest: probed.sample.digest,
        ...(probed.prompt && promptText ? { prompt: { input: sampleInput(probed.prompt), digest: probed.prompt.digest, text: promptText } } : {}),
      };
    }
    const capabilities = plan.provider.capabilities;
    let bytes: Uint8Array;
    let location: string;
    let path: 'sample' | 'sampleUrl';
    const sampleUrl = fields.sampleUrl as string | undefined;
    if (upload) {
      bytes = new Uint8Array(await upload.arrayBuffer());
      location = (upload.name.split(/[\\/]/).pop() ?? '').replace(/[^\w.-]+/g, '_') || 'sample';
      path = 'sample';
    } else {
      const fetched = await fetchSample(sampleUrl!, { ...settings.sampleUrls, maxBytes: limits.maxSampleBytes });
      bytes = fetched.bytes;
      location = sampleUrl!;
      path = 'sampleUrl';
    }
    const probed = await probeAudio(bytes);
    if (!probed.format) {
      throw Refusal.ofProblems([{ path, message: `${location} is not readable audio (${probed.reason ?? 'no audio container recognised'}): use a WAV, MP3 or M4A file` }]);
    }
    const facts = { location, format: probed.format, bytes: bytes.byteLength, ...(probed.durationMs !== undefined ? { durationMs: probed.durationMs } : {}) };
    const limitProblems = sampleLimitProblems(facts, capabilities);
    if (limitProblems.length > 0) throw Refusal.ofProblems(limitProblems.map((message) => ({ path, message })));
    // A provider that fetches samples itself gets the URL; one that takes uploads gets the bytes checked here.
    const asUrl = sampleUrl !== undefined && !capabilities.sample.sources.includes('file');
    const input: SampleInput = {
      source: asUrl ? 'url' : 'file',
      location: upload ? withExtension(location, probed.format) : sampleUrl!,
      format: probed.format,
      bytes: bytes.byteLength,
      ...(probed.durationMs !== undefined ? { durationMs: probed.durationMs } : {}),
      read: async () => bytes,
    };
    return { input, digest: createHash('sha256').update(bytes).digest('hex') };
  }

  async function listVoices(request: Request): Promise<Response> {
    await authorizeRequest(request, { action: 'list-voices' });
    if (!settings.project) throw new Refusal(404, 'this server lists no voices: it was created without a project (createCloneHandler({ project }))');
    const voices: CloneVoice[] = Object.values(settings.project.manifest.voices)
      .filter((voice) => registry.has(voice.provider) && registry.describe(voice.provider).capabilities.synthesis)
      .map((voice) => ({ name: voice.name, provider: voice.provider, ...(voice.language ? { language: voice.language } : {}) }));
    return json(200, { voices });
  }

  async function route(request: Request, path: string): Promise<Response> {
    const method = request.method.toUpperCase();
    if (path === '/tasks') {
      if (method !== 'POST') throw new Refusal(405, `${method} /tasks is not a route: POST a new task`, { headers: { allow: 'POST' } });
      return createTask(request);
    }
    if (path === '/voices') {
      if (method !== 'GET') throw new Refusal(405, `${method} /voices is not a route: GET the voices`, { headers: { allow: 'GET' } });
      return listVoices(request);
    }
    const match = /^\/tasks\/([^/]+)(\/audio)?$/.exec(path);
    if (match) {
      // Ids are base64url, never percent-encoded: anything else is simply no task (404, after authorize).
      const id = match[1]!;
      if (match[2]) {
        if (method !== 'GET' && method !== 'HEAD') throw new Refusal(405, `${method} is not allowed on a task's audio: GET it`, { headers: { allow: 'GET, HEAD' } });
        const task = await taskFor(request, id, 'read');
        if (task.status !== 'completed' || !task.audioFormat) throw new Refusal(409, `task ${id} is ${task.status}: its audio is there once it is completed`);
        const audio = await store.getAudio(id);
        if (!audio) throw new Refusal(404, `the audio of task ${id} is no longer kept`);
        return audioResponse(request, audio, audioContentTypes[task.audioFormat], {
          'cache-control': 'private, max-age=3600',
          'content-disposition': `inline; filename="voxform-${id}.${task.audioFormat}"`,
          'x-content-type-options': 'nosniff',
        });
      }
      if (method === 'GET') return json(200, publicTask(await taskFor(request, id, 'read')));
      if (method === 'DELETE') {
        const task = await taskFor(request, id, 'cancel');
        const after = (await store.dispatch(task.id, { type: 'cancel', at: now().toISOString() })) ?? task;
        running.get(task.id)?.abort(new Error('cancelled'));
        return json(200, publicTask(after));
      }
      throw new Refusal(405, `${method} is not allowed on a task: GET it or DELETE it to cancel`, { headers: { allow: 'GET, DELETE' } });
    }
    throw new Refusal(404, `no route ${method} ${basePath}${path}: the routes are POST /tasks, GET|DELETE /tasks/:id, GET /tasks/:id/audio, GET /voices`);
  }

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    let path = url.pathname;
    try {
      if (basePath) {
        if (path !== basePath && !path.startsWith(`${basePath}/`)) throw new Refusal(404, `${path} is outside ${basePath}, where this handler is mounted`);
        path = path.slice(basePath.length) || '/';
      }
      return await route(request, path);
    } catch (error) {
      if (error instanceof Refusal) {
        const message = clean(error.message);
        emit({ type: 'request-refused', method, path: url.pathname, status: error.status, message });
        return json(error.status, { error: { message, ...(error.problems.length > 0 ? { problems: error.problems.map((problem) => ({ path: problem.path, message: clean(problem.message) })) } : {}) } }, error.headers);
      }
      emit({ type: 'handler-error', method, path: url.pathname, message: clean(error instanceof Error ? (error.stack ?? error.message) : String(error)) });
      return json(500, { error: { message: 'the server failed to handle this request; the failure is in its log' } });
    }
  };

  return Object.assign(handler, {
    async close() {
      for (const controller of running.values()) controller.abort(new Error('the handler is closing'));
      await (await dispatcher).close();
    },
  });
}

/** The task as clients see it: nothing about owners or vendor voices. */
function publicTask(task: StoredCloneTask): CloneTask {
  const { owner: _owner, voice: _voice, audioFormat: _audioFormat, ...rest } = task;
  return rest;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
  });
}

async function probeAudio(bytes: Uint8Array): Promise<{ format?: string; durationMs?: number; reason?: string }> {
  try {
    const metadata = await parseBuffer(bytes, undefined, { duration: true, skipCovers: true });
    const container = (metadata.format.container ?? '').toLowerCase();
    const format = container.includes('wave')
      ? 'wav'
      : container.includes('mpeg')
        ? 'mp3'
        : container.includes('m4a') || container.includes('mp4') || container.includes('isom')
          ? 'm4a'
          : container.includes('ogg')
            ? 'ogg'
            : container.includes('flac')
              ? 'flac'
              : container.includes('aac') || container.includes('adts')
                ? 'aac'
                : undefined;
    const duration = metadata.format.duration;
    return { ...(format ? { format } : {}), ...(duration !== undefined ? { durationMs: Math.round(duration * 1000) } : {}) };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}

function withExtension(name: string, format: string): string {
  return name.toLowerCase().endsWith(`.${format}`) ? name : `${name}.${format}`;
}
