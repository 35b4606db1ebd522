/**
 * The provider contract, version 1.
 *
 * A provider is the adapter between voxform's engine and one speech vendor (or the offline `local`
 * synthesiser). The split of responsibilities:
 *
 * - The **engine** owns everything that is the same for every vendor: retries, per-provider queues and
 *   rate limits, polling cadence, the write-ahead lockfile entries, downloads, hashing, the cache.
 * - The **adapter** only maps voxform's requests onto the vendor's wire format and the vendor's answers
 *   back onto the results below. It never touches the file system of the project, the lockfile or the
 *   plan, and imports only this file, `http/` and `errors/`.
 *
 * Methods are prefixed `do` so they are never confused with the user-facing `plan()` / `apply()`.
 * Everything here is browser-safe: no Node built-ins.
 */

/** Any value that survives a round trip through JSON and YAML; what adapters may persist. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON Schema (draft 2020-12) object. */
export type JsonSchema = { [key: string]: unknown };

/** Audio container voxform can write. */
export type AudioFormat = 'wav' | 'mp3';

/** What a provider can do and within which limits. Read by validation, plan and the engine. */
export interface ProviderCapabilities {
  /**
   * The vendor keeps a cloned voice that later lines refer to by id (MiniMax, Vidu, SoundClone, Kling).
   * `false` when there is nothing to keep: the sample travels with every line (AI Voice Clone Free) or
   * the voice is only a few measured settings (local). Voices of such providers still get a lockfile
   * entry (their fingerprint and `data`), but never a `remoteId`.
   */
  persistentVoices: boolean;
  /**
   * voxform chooses the vendor's voice id (MiniMax, Vidu). Creating such a voice can be retried, and a
   * create interrupted by a crash is settled by looking the id up instead of cloning again.
   */
  clientChosenVoiceIds: boolean;
  /**
   * The provider can speak arbitrary text with a cloned voice. `false` for Kling, whose custom voices
   * are only usable for video generation: validation rejects lines on such voices.
   */
  synthesis: boolean;
  /** Longest text (in Unicode code points) one synthesis call accepts. */
  maxTextLength: number;
  /** Rules for the reference sample. Checked at validate/plan time, from the file itself. */
  sample: {
    /** Where a sample may come from: a local file (uploaded), an http(s) URL the vendor fetches, or both. */
    sources: Array<'file' | 'url'>;
    /** Accepted containers, as lower-case file extensions (`wav`, `mp3`, `m4a`…). */
    formats: string[];
    /** Shortest accepted duration in milliseconds; absent = no lower bound. */
    minDurationMs?: number;
    /** Longest accepted duration in milliseconds; absent = no upper bound. */
    maxDurationMs?: number;
    /** Largest accepted file in bytes; absent = no limit. */
    maxBytes?: number;
    /**
     * Limits of the optional prompt sample (`voices.<name>.prompt`); absent when the provider takes no
     * prompt, in which case a manifest that gives one is refused.
     */
    prompt?: { formats: string[]; maxDurationMs?: number; maxBytes?: number };
  };
  /**
   * How long the vendor keeps a voice that no line uses, in milliseconds (MiniMax and Vidu: 168 h). The
   * lockfile records `expiresAt` from it, pushed forward by every use. Absent: voices are permanent.
   */
  unusedVoiceLifetimeMs?: number;
  /** Formats the provider can return. The first one is the default when the manifest names none. */
  outputFormats: [AudioFormat, ...AudioFormat[]];
  /**
   * Rendering costs nothing (the offline `local` provider). Interrupted work of a free provider is
   * simply done again; of any other it is never resubmitted without the user's say (`--replace`),
   * because the vendor may already have billed it.
   */
  free?: boolean;
  /**
   * The vendor takes a pronunciation dictionary beside the text (MiniMax `pronunciation_dict`, Vidu
   * `pronunciation_dict_tone`): the engine then sends the text as written and the lexicon entries it
   * uses in `SynthesizeRequest.lexicon`. Without it, the engine applies the lexicon to the text itself.
   */
  pronunciationDictionary?: boolean;
  /** Concurrent requests when the manifest sets no `concurrency` (the vendor's documented limit). */
  defaultConcurrency: number;
  /** Requests per minute when the manifest sets no `requestsPerMinute`; absent = unlimited. */
  defaultRequestsPerMinute?: number;
  /**
   * Name of the environment variable conventionally holding the API key (`MINIMAX_API_KEY`), used in
   * messages and by `voxform init`. Absent: the provider needs no key.
   */
  apiKeyEnv?: string;
}

/** A reference sample as the engine hands it to an adapter. */
export interface SampleInput {
  /** `file`: a local file the adapter uploads; `url`: an http(s) URL the vendor can fetch itself. */
  source: 'file' | 'url';
  /** Absolute path of the file, or the URL. */
  location: string;
  /** Lower-case container format (`wav`, `mp3`, `m4a`), when known. */
  format?: string;
  /** Duration in milliseconds, probed from the file, when known. */
  durationMs?: number;
  /** Size in bytes, when known. */
  bytes?: number;
  /** Reads the whole file. Only for `file` samples; lazy so that a voice that already exists costs no read. */
  read(): Promise<Uint8Array>;
}

/** Everything that shapes a cloned voice. Two requests with the same fingerprint describe the same voice. */
export interface CreateVoiceRequest {
  /** The voice's name in the manifest (`narrator`). */
  name: string;
  /** sha256 (hex) of everything below; see DESIGN §3. */
  fingerprint: string;
  sample: SampleInput;
  /** An optional short prompt sample with its transcript, for vendors that take one. */
  prompt?: { sample: SampleInput; text: string };
  /** Language of the voice as the manifest gives it (`English`), when given. */
  language?: string;
  /** Vendor options for creating the voice, already validated against `voiceOptionsSchema`. */
  options: Record<string, JsonValue>;
  /**
   * The id to give the voice, for providers with `clientChosenVoiceIds`: `vx-<name>-<12 hex of the
   * fingerprint>`, plus `-r<base36 time>` when it replaces a voice of the same fingerprint (vendors
   * refuse to reuse an id, even of an expired voice). Made of `[a-z0-9-]`, 8–64 characters, starting
   * with a letter and ending with a letter or digit. The engine records it in the write-ahead entry
   * before the call, so a crashed create is settled by looking this id up. Adapters must use it as is.
   */
  suggestedVoiceId: string;
}

/** What the lockfile keeps about a created voice. */
export interface VoiceRecord {
  /** The vendor's id for the voice (voice_id, modelId…). Absent for providers without persistent voices. */
  remoteId?: string;
  /** ISO time at which the vendor will delete the voice if unused; absent when permanent or unknown. */
  expiresAt?: string;
  /** Provider facts needed later (file ids, measured settings…). Must never contain a secret. */
  data?: Record<string, JsonValue>;
  /**
   * A sample of the new voice the vendor made (MiniMax's and Vidu's demo_audio, SoundClone's preview,
   * Kling's trial audio). The engine saves it as `<output.dir>/voices/<name>.<format>` and records it.
   */
  preview?: { audio: AudioSource; format: AudioFormat };
}

/** A voice as the engine hands it to `doSynthesize`: the manifest's description plus what was recorded. */
export interface VoiceReference extends VoiceRecord {
  name: string;
  fingerprint: string;
  language?: string;
  /** Voice options from the manifest (needed by providers without persistent voices). */
  options: Record<string, JsonValue>;
  /** The sample, for providers without persistent voices that send it with every line. */
  sample: SampleInput;
}

export interface SynthesizeRequest {
  /** The text to speak: Unicode NFC, trimmed, at most `maxTextLength` code points. */
  text: string;
  voice: VoiceReference;
  /** Line options, already validated against `lineOptionsSchema`. */
  options: Record<string, JsonValue>;
  /** The format the engine wants back; one of `capabilities.outputFormats`. */
  format: AudioFormat;
  /**
   * Only for providers with `capabilities.pronunciationDictionary`: the manifest's lexicon entries that
   * occur in `text` (word → what to say), to send as the vendor's dictionary after any the line options
   * give. Absent when the line uses none.
   */
  lexicon?: Record<string, string>;
}

/** Where the rendered audio is. The engine downloads, hashes and checks it; adapters never write files. */
export type AudioSource =
  | { type: 'bytes'; bytes: Uint8Array }
  | { type: 'stream'; stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> }
  | {
      type: 'url';
      url: string;
      /** Headers the download needs (for example an Authorization header). Never persisted or logged. */
      headers?: Record<string, string>;
    };

export interface SynthesizeResult {
  audio: AudioSource;
  /** The container of the audio actually returned. */
  format: AudioFormat;
  /** Characters the vendor billed, when it says; the engine otherwise assumes the text's length. */
  billedCharacters?: number;
  /**
   * What this use changed about the voice, when the vendor's rule is not "unused for
   * `unusedVoiceLifetimeMs`": `expiresAt: null` = the voice is now permanent (SoundClone's modelId after
   * its first use), a time = its new expiry.
   */
  voice?: { expiresAt?: string | null };
}

/**
 * Facts about billable work the vendor has accepted, recorded in the lockfile's `pending` list before
 * the adapter goes on waiting. After a crash the engine hands them back to `doResumeVoice` /
 * `doResumeSynthesis`, which continue the work instead of paying for it again.
 */
export interface TaskRecord {
  /** The vendor's task id, when it gave one. */
  taskId?: string;
  /** Any other resume facts (an uploaded file id, a client-chosen id…). Never a secret. */
  data?: Record<string, JsonValue>;
}

/** What `doCheckVoice` found out. */
export interface VoiceCheck {
  /** `unknown` when the vendor has no way to look a voice up (Vidu): only `vendorTime` is learnt. */
  status: 'exists' | 'missing' | 'unknown';
  /**
   * The vendor's own clock when it answered (ISO time, e.g. from the HTTP `Date` header), so the plan
   * can tell a voice that expired (missing after its `expiresAt`) from one deleted early.
   */
  vendorTime?: string;
}

/** Handed to every `do*` call by the engine. */
export interface ProviderCallContext {
  /** Aborted on the second Ctrl-C or a fatal error: stop waiting, the task record is already saved. */
  signal: AbortSignal;
  /**
   * Persist `task` in the write-ahead entry of this piece of work. Call it as soon as the vendor has
   * accepted billable work and before waiting for it; it resolves once the record is on disk.
   */
  recordTask(task: TaskRecord): Promise<void>;
  /** Report a vendor task status (`queueing`, `processing`…) for progress display. */
  reportStatus(status: string): void;
}

export interface ProviderV1 {
  /** Literal version tag, so the engine can refuse a provider written against another contract. */
  readonly specificationVersion: 'v1';
  /** The name used in manifests (`minimax`, `local`): lower-case letters, digits and dashes. */
  readonly id: string;
  /** Human name for messages (`MiniMax`). */
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities;
  /** JSON Schema (draft 2020-12) of `voices.<name>.options` for this provider. */
  readonly voiceOptionsSchema: JsonSchema;
  /** JSON Schema (draft 2020-12) of a line's `options` for this provider. */
  readonly lineOptionsSchema: JsonSchema;
  /**
   * JSON Schema of `providers.<id>.options`: settings only this vendor has (MiniMax's `groupId`…).
   * Absent: the provider takes none, and a manifest that gives some is refused.
   */
  readonly settingsSchema?: JsonSchema;

  /** Clone a voice. Billable at most vendors: called once per fingerprint, after a write-ahead entry. */
  doCreateVoice(request: CreateVoiceRequest, context: ProviderCallContext): Promise<VoiceRecord>;

  /** Speak one line with a voice created earlier. Billable: called after a write-ahead entry. */
  doSynthesize(request: SynthesizeRequest, context: ProviderCallContext): Promise<SynthesizeResult>;

  /** Whether a recorded voice still exists at the vendor (`plan --refresh`). */
  doCheckVoice?(voice: VoiceRecord, context: ProviderCallContext): Promise<VoiceCheck>;

  /** Delete a voice at the vendor (`apply --prune`). */
  doDeleteVoice?(voice: VoiceRecord, context: ProviderCallContext): Promise<void>;

  /**
   * Settle a voice creation that was interrupted after its write-ahead entry. Returns the voice when
   * the vendor has it (finishing the wait if needed), or `undefined` when the vendor provably never
   * accepted the request, in which case the engine creates it normally.
   */
  doResumeVoice?(
    request: CreateVoiceRequest,
    task: TaskRecord,
    context: ProviderCallContext,
  ): Promise<VoiceRecord | undefined>;

  /** Like `doResumeVoice`, for a line: continue the recorded task, or `undefined` if it never started. */
  doResumeSynthesis?(
    request: SynthesizeRequest,
    task: TaskRecord,
    context: ProviderCallContext,
  ): Promise<SynthesizeResult | undefined>;
}

/**
 * Settings a provider is created with: the manifest's `providers.<id>` block, with `${ENV}` references
 * resolved. `apiKey` is absent when validating or planning without spending; adapters must not require
 * it before a `do*` call.
 */
export interface ProviderSettings {
  apiKey?: string;
  /** An explicit base URL (the emulator, a proxy); wins over `region`. */
  baseUrl?: string;
  /** `global` (default) or `cn`: which of the vendor's documented hosts to use, where it has several. */
  region?: 'global' | 'cn';
  /** `providers.<id>.options`, validated against `settingsSchema`. */
  options?: Record<string, JsonValue>;
  /**
   * The engine's adaptive limiter for this provider. Adapters pass it to `createHttpClient({ limiter })`
   * so every rate-limit answer (even one retried inside the client) slows the provider down.
   */
  limiter?: { reportRateLimit(): void; reportSuccess(): void };
  /** An undici dispatcher (connection pool) from the engine; adapters pass it to `createHttpClient`. */
  dispatcher?: object;
  /**
   * The `fetch` the adapter's HTTP clients call, from the engine: `voxform apply` gives one that sends
   * through its connection pool with undici's cheaper `request` API (`createPoolFetch`). Adapters pass it
   * to `createHttpClient`; absent, the clients call the global `fetch` (with `dispatcher`, when given).
   */
  fetch?: typeof fetch;
  [setting: string]: JsonValue | ProviderSettings['limiter'] | object | undefined;
}

export type ProviderFactory = (settings: ProviderSettings) => ProviderV1;
