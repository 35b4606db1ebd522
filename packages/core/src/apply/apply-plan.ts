import { createHash } from 'node:crypto';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { parseFile } from 'music-metadata';
import { buildBook } from '../node/build-book.js';
import path from 'node:path';
import pLimit from 'p-limit';
import type { Dispatcher } from 'undici';
import { ApiCallError } from '../errors/api-call-error.js';
import { UsageError } from '../errors/usage-error.js';
import { joinMp3 } from '../audio/join-mp3.js';
import { joinWav } from '../audio/join-wav.js';
import { createAdaptiveLimiter, type AdaptiveLimiter } from '../http/adaptive-limiter.js';
import { createPoolFetch } from '../http/node/create-pool-fetch.js';
import { sha256Hex } from '../identity/sha256.js';
import type { LockedAssembly, LockedRender, LockedVoice, PendingEntry } from '../lockfile/lockfile-types.js';
import { identifyManifest, type LineIdentity, type ManifestIdentity } from '../plan/create-plan.js';
import type { Plan, PlannedAssemblyChange, PlannedLineChange, PlannedVoiceChange } from '../plan/plan-types.js';
import { assembleWav } from '../audio/assemble-wav.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type {
  CreateVoiceRequest,
  ProviderCallContext,
  ProviderSettings,
  ProviderV1,
  SynthesizeRequest,
  SynthesizeResult,
  VoiceRecord,
} from '../providers/provider-v1.js';
import { cacheFromFile, restoreAudio, storeAudio, type StoredAudio } from '../node/audio-store.js';
import { hashFile, sampleDigests, sampleInput, type LoadedProject } from '../node/load-project.js';
import { LockfileStore } from '../node/lockfile-store.js';
import { isSnapshotTempName } from '../node/lockfile-snapshot.js';
import { cacheKeysOf } from '../node/observe-project.js';
import { createOutputGuard, type OutputGuard } from '../node/output-guard.js';
import { acquireStateLock } from '../node/state-lock.js';
import { isTempFileName, removeLeftoverFiles, tempFileBeside } from '../node/temp-file.js';
import { emptyApplySummary, type ApplyEvent, type ApplySummary } from './apply-events.js';

export interface ApplyOptions {
  project: LoadedProject;
  plan: Plan;
  providers: ProviderRegistry;
  /** Where `${ENV}` references are looked up; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Changes in flight at once across all providers (default 10). */
  parallelism?: number;
  /** Stop scheduling after the first failure. */
  failFast?: boolean;
  onEvent?: (event: ApplyEvent) => void;
  /** First Ctrl-C: start nothing new; what runs finishes and is recorded. */
  stopSignal?: AbortSignal;
  /** Second Ctrl-C: abort what runs; task ids already recorded stay in `pending` for the next apply. */
  abortSignal?: AbortSignal;
  now?: () => Date;
  /** Names the command in the state lock, for the message another apply shows. */
  command?: string;
  /**
   * An undici dispatcher (`createNodeDispatcher()`): the providers' HTTP clients and the audio downloads
   * send through it, with undici's `request` API (`createPoolFetch`). Absent: the global `fetch`.
   */
  dispatcher?: object;
  /** Largest audio file accepted for a line or a voice preview, in bytes. Default 1 GiB (`DEFAULT_MAX_DOWNLOAD_BYTES`). */
  maxDownloadBytes?: number;
  /**
   * The least time from a change to the full write of voices.lock that takes it to disk (default 5 s).
   * Whatever a billable call needs on disk is appended before the call regardless; what was finished
   * since the last full write is settled from the cache by the next apply after a crash.
   */
  checkpointMs?: number;
}

interface VoiceState {
  record: VoiceRecord;
  fingerprint: string;
}

class SkippedError extends Error {}
/** Pending work with nothing to look it up by: the vendor may or may not have accepted (and billed) it. */
class UnknownOutcomeError extends Error {
  /** The address that `voxform apply --replace` takes to send the work anyway. */
  readonly replaceAddress: string;
  constructor(message: string, replaceAddress: string, options?: ErrorOptions) {
    super(message, options);
    this.replaceAddress = replaceAddress;
  }
}
/** A change held back by pending work an earlier apply left unsettled: its failure is listed already. */
class UnsettledError extends Error {}

/**
 * Carries out a plan: voices first (each before the lines that need it), everything else at once
 * within per-provider and global limits. Billable calls are preceded by a write-ahead `pending` entry;
 * finished work is recorded as it lands. One failure never stops the others (unless `failFast`).
 */
export async function applyPlan(options: ApplyOptions): Promise<ApplySummary> {
  const started = Date.now();
  const { project, plan } = options;
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const emit = options.onEvent ?? (() => {});
  const { paths } = project;
  // Every request goes through the pool with undici's request API: less CPU per line than the global fetch.
  const poolFetch = options.dispatcher ? await createPoolFetch(options.dispatcher as Dispatcher) : undefined;
  /** How audio is downloaded: the size limit, and the pool's fetch. */
  const download = { ...(options.maxDownloadBytes === undefined ? {} : { maxBytes: options.maxDownloadBytes }), ...(poolFetch ? { fetch: poolFetch } : {}) };

  const lock = await acquireStateLock(paths.stateDir, options.command ?? 'apply');
  if (lock.staleRemoved) emit({ type: 'stale-lock-removed', holder: lock.staleRemoved });
  const store = new LockfileStore(paths.lockfileFile, project.lockfile, {
    snapshotDir: paths.stateDir,
    ...(options.checkpointMs === undefined ? {} : { checkpointMs: options.checkpointMs }),
  });
  const summary: ApplySummary = emptyApplySummary();
  const stop = new AbortController();
  const abort = new AbortController();
  const onStop = () => {
    if (stop.signal.aborted) return;
    summary.interrupted = true;
    stop.abort();
    emit({ type: 'interrupt', level: 1, message: 'Stopping: nothing new starts; running work finishes and is recorded. Interrupt again to abort it.' });
  };
  const onAbort = () => {
    onStop();
    abort.abort();
    emit({ type: 'interrupt', level: 2, message: 'Aborting running work; accepted vendor tasks stay recorded and the next apply resumes them.' });
  };
  options.stopSignal?.addEventListener('abort', onStop);
  options.abortSignal?.addEventListener('abort', onAbort);
  // A signal aborted before the call never fires 'abort' again.
  if (options.abortSignal?.aborted) onAbort();
  else if (options.stopSignal?.aborted) onStop();

  try {
    const lockfileNow = await readFile(paths.lockfileFile, 'utf8').catch(() => '');
    if (sha256Hex(lockfileNow) !== project.digests.lockfile) {
      throw new UsageError(`${paths.display(paths.lockfileFile)} changed since it was read (another apply, or a git operation): run the command again.`);
    }
    const identity = identifyManifest(project.manifest, sampleDigests(project));
    // Every write and delete goes through it: nothing lands outside the output folder.
    const guard = createOutputGuard({ projectDir: paths.dir, outputDir: project.manifest.output.dir });
    // Before this apply writes anything, so that none of its own temp files can be taken for a leftover.
    const cacheNames = await removeLeftoverTempFiles(project, plan, guard);
    const billable = billableProviders(plan, store.state.pending);
    // One adaptive limiter per provider: its queue orders the billable calls, and the adapter's HTTP
    // client reports every rate-limit answer to it, halving the concurrency on repeated ones.
    const limiters = new Map<string, AdaptiveLimiter>();
    for (const id of billable) {
      if (!options.providers.has(id)) continue;
      const capabilities = options.providers.describe(id).capabilities;
      const settings = project.manifest.providers[id] ?? {};
      const requestsPerMinute = settings.requestsPerMinute ?? capabilities.defaultRequestsPerMinute;
      limiters.set(
        id,
        createAdaptiveLimiter({
          provider: id,
          concurrency: settings.concurrency ?? capabilities.defaultConcurrency,
          ...(requestsPerMinute ? { requestsPerMinute } : {}),
          onChange: (event) => emit(event),
        }),
      );
    }
    const instances = createProviders(project, options.providers, billable, env, limiters, poolFetch);
    const providerOf = (id: string) => instances.get(id) ?? options.providers.describe(id);
    const limiterOf = (id: string) => limiters.get(id)!;
    const limit = pLimit(options.parallelism ?? 10);

    const contextFor = (entry: PendingEntry, script?: string): ProviderCallContext => ({
      signal: abort.signal,
      recordTask: async (task) => {
        let pending: PendingEntry | undefined;
        store.update((lockfile) => {
          pending = lockfile.pending.find((item) => item.address === entry.address && item.key === entry.key);
          if (pending) pending.task = { ...pending.task, ...task };
        });
        if (pending) await store.writeAhead(pending);
      },
      reportStatus: (status) => {
        if (script) emit({ type: 'line-status', address: entry.address, script, status });
      },
    });

    /** Writes the pending entry, waits until it is on disk, runs the billable call, then clears the entry. */
    const writeAhead = async <TResult>(entry: PendingEntry, call: (entry: PendingEntry) => Promise<TResult>): Promise<TResult> => {
      // Free work has nothing to protect: redoing it after a crash costs nothing, so no write waits for it.
      if (providerOf(entry.provider).capabilities.free) return call(entry);
      store.update((lockfile) => {
        lockfile.pending = lockfile.pending.filter((item) => item.address !== entry.address);
        lockfile.pending.push(entry);
      });
      await store.writeAhead(entry);
      try {
        return await call(entry);
      } catch (error) {
        // The vendor answered with an error and no task of it was recorded: nothing to resume, so the
        // entry would only be dropped by the next apply. Voices with client-chosen ids keep theirs:
        // the next apply looks the id up in case the vendor created the voice after all. Work the
        // vendor may have accepted without saying so (no answer, a server error, an unreadable success)
        // keeps its entry too, so that the next apply does not pay for it again on its own; so does work
        // aborted (a second Ctrl-C) while its request may have been on its way, as a kill -9 would leave it.
        const lookUp = entry.kind === 'voice' && providerOf(entry.provider).capabilities.clientChosenVoiceIds;
        const outcomeUnknown = (ApiCallError.isInstance(error) && error.mayHaveBeenAccepted) || abort.signal.aborted;
        let kept = false;
        store.update((lockfile) => {
          const pending = lockfile.pending.find((item) => item.address === entry.address && item.key === entry.key);
          if (pending && !pending.task && !lookUp && !outcomeUnknown) clearPending(lockfile, entry.address);
          kept = pending !== undefined && !pending.task && !lookUp && outcomeUnknown;
        });
        if (kept) {
          const why = ApiCallError.isInstance(error)
            ? errorMessage(error)
            : `interrupted while ${providerOf(entry.provider).displayName} was being asked for it: it may already have been billed.`;
          const replaceAddress = pieceOf(entry.address)?.lineAddress ?? entry.address;
          throw new UnknownOutcomeError(
            `${why} It stays recorded in voices.lock, so voxform will not send it again on its own: once you have checked, run \`voxform apply --replace ${replaceAddress}\` to ${entry.kind === 'voice' ? 'create the voice' : 'render it'} anyway.`,
            replaceAddress,
            { cause: error },
          );
        }
        throw error;
      }
    };
    const clearPending = (lockfile: typeof store.state, address: string) => {
      lockfile.pending = lockfile.pending.filter((item) => item.address !== address);
    };
    /**
     * Audio that could not be stored: says why (a full or read-only disk, a download that broke off) and
     * what to do, and whether the vendor's work is recorded so the next apply fetches it without paying.
     */
    const storeFailure = (error: unknown, address: string, outputFile: string): unknown => {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      const recorded = store.state.pending.some((entry) => entry.address === address && entry.task !== undefined);
      const fetchAgain = recorded ? ' The vendor\'s work is recorded in voices.lock: the next apply downloads it again, without paying for it again.' : '';
      const folder = paths.display(path.dirname(outputFile)) || '.';
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        return new Error(`cannot write the audio into ${folder}: the disk is full (${code}). Free some space on it, then run \`voxform apply\` again.${fetchAgain}`, { cause: error });
      }
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        return new Error(`cannot write the audio into ${folder} (${code}: ${errorMessage(error)}). Make it writable, then run \`voxform apply\` again.${fetchAgain}`, { cause: error });
      }
      if (ApiCallError.isInstance(error) && error.isRetryable) {
        return new Error(`${error.message} Run \`voxform apply\` again.${fetchAgain}`, { cause: error });
      }
      return error;
    };
    /** Stores a line's audio (output file and cache), describing a failure with {@link storeFailure}. */
    const storeLineAudio = async (address: string, options: Parameters<typeof storeAudio>[0]): Promise<StoredAudio> => {
      try {
        return await storeAudio(options);
      } catch (error) {
        throw storeFailure(error, address, options.outputFile);
      }
    };

    const voiceRequest = (name: string, fingerprint: string, voiceId: string): CreateVoiceRequest => {
      const voice = project.manifest.voices[name]!;
      const samples = project.samples[name]!;
      return {
        name,
        fingerprint,
        sample: sampleInput(samples.sample),
        ...(voice.prompt && samples.prompt ? { prompt: { sample: sampleInput(samples.prompt), text: voice.prompt.text } } : {}),
        ...(voice.language ? { language: voice.language } : {}),
        options: voice.options,
        suggestedVoiceId: voiceId,
      };
    };
    /** The client-chosen id for a new voice: fresh when it replaces one of the same fingerprint (vendors never reuse ids). */
    const newVoiceId = (name: string, fingerprint: string): string => {
      const base = suggestedVoiceId(name, fingerprint);
      const previous = store.state.voices[name];
      const reused = previous !== undefined && (previous.fingerprint === fingerprint || previous.remoteId?.startsWith(base) === true);
      return reused ? `${base}-r${Math.floor(now().getTime() / 1000).toString(36)}` : base;
    };
    /** The voice id a pending create recorded before its call, or the one it would have had. */
    const recordedVoiceId = (entry: PendingEntry, name: string): string => {
      const recorded = entry.task?.data?.voiceId;
      return typeof recorded === 'string' ? recorded : suggestedVoiceId(name, entry.key);
    };
    const recordVoice = async (name: string, fingerprint: string, record: VoiceRecord) => {
      const provider = providerOf(project.manifest.voices[name]!.provider);
      const preview = record.preview ? await savePreview(name, record.preview) : undefined;
      const createdAt = now().toISOString();
      const lifetime = provider.capabilities.unusedVoiceLifetimeMs;
      const expiresAt = record.expiresAt ?? (lifetime ? new Date(now().getTime() + lifetime).toISOString() : undefined);
      const locked: LockedVoice = {
        provider: provider.id,
        fingerprint,
        sampleSha256: identity.voices[name]!.sampleDigest,
        ...(record.remoteId ? { remoteId: record.remoteId } : {}),
        createdAt,
        ...(expiresAt ? { expiresAt } : {}),
        ...(preview ? { preview } : {}),
        ...(record.data ? { data: record.data } : {}),
      };
      store.update((lockfile) => {
        lockfile.voices[name] = locked;
        clearPending(lockfile, `voice.${name}`);
      });
      // On disk before any line uses it: a crash must not forget a voice that was paid for, and the
      // next apply resumes the lines' vendor tasks with it. A few per apply, so written whole.
      await store.flush();
    };
    /** Saves a voice's preview beside the outputs; a preview that cannot be had is only a warning, never a failed voice. */
    const savePreview = async (name: string, preview: NonNullable<VoiceRecord['preview']>): Promise<LockedVoice['preview']> => {
      const file = `${project.manifest.output.dir === '.' ? '' : `${project.manifest.output.dir}/`}voices/${name}.${preview.format}`;
      try {
        const outputFile = await guard.prepareWrite(path.resolve(paths.dir, file));
        const stored = await storeAudio({ source: preview.audio, format: preview.format, outputFile, signal: abort.signal, ...download });
        return { file, sha256: stored.sha256, bytes: stored.bytes };
      } catch (error) {
        emit({ type: 'voice-preview-skipped', address: `voice.${name}`, reason: errorMessage(error) });
        return undefined;
      }
    };
    const synthesizeRequest = (line: (typeof project.manifest.lines)[number], voice: VoiceState): SynthesizeRequest => {
      const definition = project.manifest.voices[line.voice]!;
      const nativeLexicon = line.lexicon && providerOf(definition.provider).capabilities.pronunciationDictionary;
      return {
        text: line.spokenText ?? line.text,
        ...(nativeLexicon ? { lexicon: line.lexicon } : {}),
        voice: {
          name: line.voice,
          fingerprint: voice.fingerprint,
          ...voice.record,
          ...(definition.language ? { language: definition.language } : {}),
          options: definition.options,
          sample: sampleInput(project.samples[line.voice]!.sample),
        },
        options: line.options,
        format: line.format,
      };
    };
    const cacheFileOf = (key: string, format: string) => {
      // Keys come from the plan (possibly a plan file): only a digest may name a cache file.
      if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`'${key}' is not a render key: the plan file is damaged; make a new one with voxform plan --out`);
      return path.join(paths.cacheDir, `${key}.${format}`);
    };
    /** The hashes voices.lock records for each render key (one per rendering of it): what its cache entry may hold. */
    const recordedSha256 = new Map<string, Set<string>>();
    const addRecordedHash = (render: LockedRender) => {
      const hashes = recordedSha256.get(render.key) ?? new Set<string>();
      hashes.add(render.sha256);
      recordedSha256.set(render.key, hashes);
    };
    for (const render of Object.values(store.state.renders)) addRecordedHash(render);
    const recordRender = (line: (typeof project.manifest.lines)[number], lineIdentity: ManifestIdentity['lines'][string], stored: StoredAudio, fromAddress?: string) => {
      const render: LockedRender = {
        key: lineIdentity.key,
        voice: line.voice,
        voiceFingerprint: lineIdentity.voiceFingerprint,
        textSha256: lineIdentity.textSha256,
        optionsSha256: lineIdentity.optionsSha256,
        ...(lineIdentity.lexiconSha256 ? { lexiconSha256: lineIdentity.lexiconSha256 } : {}),
        format: line.format,
        file: line.file,
        sha256: stored.sha256,
        bytes: stored.bytes,
        durationMs: stored.durationMs,
        chars: lineIdentity.characters,
        ...(lineIdentity.pieces ? { pieces: lineIdentity.pieces.length } : {}),
        mtimeMs: stored.mtimeMs,
        renderedAt: now().toISOString(),
      };
      store.update((lockfile) => {
        lockfile.renders[line.address] = render;
        if (fromAddress && fromAddress !== line.address) delete lockfile.renders[fromAddress];
        clearPending(lockfile, line.address);
      });
      addRecordedHash(render);
    };
    const touchVoice = (name: string, change: SynthesizeResult['voice']) => {
      const provider = providerOf(project.manifest.voices[name]!.provider);
      const lifetime = provider.capabilities.unusedVoiceLifetimeMs;
      // Only a vendor-kept voice has a use to record (it keeps the voice alive); anything else is churn.
      if (!provider.capabilities.persistentVoices) return;
      store.update((lockfile) => {
        const voice = lockfile.voices[name];
        if (!voice) return;
        voice.lastUsedAt = now().toISOString();
        if (change?.expiresAt === null) delete voice.expiresAt;
        else if (change?.expiresAt) voice.expiresAt = change.expiresAt;
        else if (lifetime) voice.expiresAt = new Date(now().getTime() + lifetime).toISOString();
      });
    };
    const linesByAddress = new Map(project.manifest.lines.map((line) => [line.address, line]));
    /** Stores a piece's audio in the cache under the piece's own key, and ends its write-ahead entry. */
    const storePiece = async (address: string, line: (typeof project.manifest.lines)[number], piece: NonNullable<LineIdentity['pieces']>[number], result: SynthesizeResult) => {
      if (result.format !== line.format) {
        throw new Error(`${providerOf(manifestProvider(line.voice)).displayName} returned ${result.format} audio where ${line.format} was asked: this is a bug in the provider`);
      }
      await storeLineAudio(address, { source: result.audio, format: line.format, outputFile: cacheFileOf(piece.key, line.format), signal: abort.signal, ...download });
      store.update((lockfile) => clearPending(lockfile, address));
    };
    const manifestProvider = (voice: string) => project.manifest.voices[voice]!.provider;
    /**
     * Renders a line too long for one call: each piece is billable work of its own (its own write-ahead
     * entry, `<address>#<n>`, and its own cache entry, so a piece is never paid for twice), then the
     * pieces are joined into the line's output. Returns the pieces' audio, in order.
     */
    const renderInPieces = async (change: PlannedLineChange, line: (typeof project.manifest.lines)[number], lineIdentity: LineIdentity, voice: VoiceState): Promise<Buffer[]> => {
      const provider = providerOf(change.provider);
      const pieces = lineIdentity.pieces!;
      // Settled, not raced: when one piece fails the others still finish and are recorded before the line fails.
      const results = await Promise.allSettled(
        pieces.map(async (piece, index) => {
          const address = `${change.address}#${index + 1}`;
          const unsettledReason = unsettled.get(address);
          if (unsettledReason) throw new UnsettledError(unsettledReason);
          const pieceFile = cacheFileOf(piece.key, line.format);
          if (change.forced || !(await isFile(pieceFile))) {
            await limiterOf(change.provider).run(async () => {
              if (stop.signal.aborted) throw new SkippedError('interrupted');
              const entry: PendingEntry = { kind: 'line', address, key: piece.key, provider: change.provider, startedAt: now().toISOString() };
              const context: ProviderCallContext = {
                ...contextFor(entry),
                reportStatus: (status) => emit({ type: 'line-status', address: change.address, script: change.script, status: `piece ${index + 1}/${pieces.length} ${status}` }),
              };
              const result = await writeAhead(entry, () => provider.doSynthesize({ ...synthesizeRequest(line, voice), text: piece.text }, context));
              await storePiece(address, line, piece, result);
              touchVoice(change.voice, result.voice);
              summary.characters += result.billedCharacters ?? piece.characters;
            });
          }
          return readFile(pieceFile);
        }),
      );
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      return results.map((result) => (result as PromiseFulfilledResult<Buffer>).value);
    };

    // 1. Settle what an interrupted apply left pending, before anything could be paid for twice.
    const settledVoices = new Set<string>();
    // Work that could not be settled now (the vendor did not answer): its pending entry stays, and
    // nothing is submitted for it in this run — submitting could pay twice.
    const unsettled = new Map<string, string>();
    for (const entry of [...store.state.pending]) {
      const provider = providerOf(entry.provider);
      // Whether the vendor was asked about this work: if it says it has none, sending it is safe.
      let lookedUp = false;
      try {
        if (entry.kind === 'voice') {
          const name = entry.address.slice('voice.'.length);
          const voiceIdentity = identity.voices[name];
          // A client-chosen voice id can be looked up even when the crash came before a task was recorded.
          const task = entry.task ?? (provider.capabilities.clientChosenVoiceIds ? {} : undefined);
          if (voiceIdentity?.fingerprint === entry.key && provider.doResumeVoice && task) {
            lookedUp = true;
            const record = await provider.doResumeVoice(voiceRequest(name, entry.key, recordedVoiceId(entry, name)), task, contextFor(entry));
            if (record) {
              await recordVoice(name, entry.key, record);
              settledVoices.add(name);
              emit({ type: 'pending-settle', address: entry.address, outcome: 'resumed' });
              continue;
            }
          }
        } else if (pieceOf(entry.address)) {
          // A piece of a split line: done once its audio is in the cache, else resumed like a line.
          const { lineAddress, index } = pieceOf(entry.address)!;
          const line = linesByAddress.get(lineAddress);
          const piece = identity.lines[lineAddress]?.pieces?.[index];
          if (line && piece?.key === entry.key) {
            const pieceFile = cacheFileOf(piece.key, line.format);
            if (await isFile(pieceFile)) {
              store.update((lockfile) => clearPending(lockfile, entry.address));
              emit({ type: 'pending-settle', address: entry.address, outcome: 'cached' });
              continue;
            }
            const voice = voiceStateFromLock(line.voice);
            if (provider.doResumeSynthesis && entry.task && voice) {
              lookedUp = true;
              const result = await provider.doResumeSynthesis({ ...synthesizeRequest(line, voice), text: piece.text }, entry.task, contextFor(entry, line.script));
              if (result) {
                await storePiece(entry.address, line, piece, result);
                touchVoice(line.voice, result.voice);
                emit({ type: 'pending-settle', address: entry.address, outcome: 'resumed' });
                continue;
              }
            }
          }
        } else {
          const line = linesByAddress.get(entry.address);
          // Killed after the audio was stored but before it was recorded: the work is done and paid for
          // once; the plan restores it from the cache for free. Nothing to ask the vendor, nothing to replace.
          if (line && (await isFile(cacheFileOf(entry.key, line.format)))) {
            store.update((lockfile) => clearPending(lockfile, entry.address));
            emit({ type: 'pending-settle', address: entry.address, outcome: 'cached' });
            continue;
          }
          if (line && identity.lines[line.address]?.key === entry.key && provider.doResumeSynthesis && entry.task) {
            const voice = voiceStateFromLock(line.voice);
            lookedUp = voice !== undefined;
            const result = voice ? await provider.doResumeSynthesis(synthesizeRequest(line, voice), entry.task, contextFor(entry, line.script)) : undefined;
            if (result) {
              const stored = await storeLineAudio(entry.address, {
                source: result.audio,
                format: line.format,
                outputFile: await guard.prepareWrite(path.resolve(paths.dir, line.file)),
                cacheFile: cacheFileOf(entry.key, line.format),
                signal: abort.signal,
                ...download,
              });
              recordRender(line, identity.lines[line.address]!, stored);
              touchVoice(line.voice, result.voice);
              emit({ type: 'pending-settle', address: entry.address, outcome: 'resumed' });
              continue;
            }
          }
        }
        // Nothing to look up. If this very work is still wanted from a vendor that bills, it may already
        // have been paid for: only the user may decide to pay again (--replace).
        const piece = pieceOf(entry.address);
        const stillWanted =
          entry.kind === 'voice'
            ? identity.voices[entry.address.slice('voice.'.length)]?.fingerprint === entry.key
            : piece
              ? identity.lines[piece.lineAddress]?.pieces?.[piece.index]?.key === entry.key
              : identity.lines[entry.address]?.key === entry.key;
        const forced = plan.changes.some((change) => change.address === (piece?.lineAddress ?? entry.address) && change.forced);
        // A voice kept by no vendor (AI Voice Clone Free) costs nothing to "create" again.
        const costs = !provider.capabilities.free && (entry.kind === 'line' || provider.capabilities.persistentVoices);
        if (stillWanted && costs && !forced && !lookedUp) {
          const replaceAddress = piece?.lineAddress ?? entry.address;
          throw new UnknownOutcomeError(
            `an earlier apply never learnt whether ${provider.displayName} accepted ${entry.address} (started ${entry.startedAt}: interrupted, or no readable answer), and the vendor gave nothing to look it up by; ` +
              `it may already have been billed, so voxform will not send it again on its own. Check your ${provider.displayName} account, then run \`voxform apply --replace ${replaceAddress}\` to ${entry.kind === 'voice' ? 'create the voice' : 'render it'} anyway`,
            replaceAddress,
          );
        }
        store.update((lockfile) => clearPending(lockfile, entry.address));
        emit({ type: 'pending-settle', address: entry.address, outcome: 'dropped' });
      } catch (error) {
        const message =
          error instanceof UnknownOutcomeError
            ? error.message
            : `unfinished work from an earlier apply could not be settled (${errorMessage(error)}); it stays recorded and nothing new is sent for it: run apply again`;
        unsettled.set(entry.address, message);
        summary.failures.push({ address: entry.address, provider: entry.provider, message, ...(error instanceof UnknownOutcomeError ? { replaceAddress: error.replaceAddress } : {}) });
        emit({ type: 'pending-settle', address: entry.address, outcome: 'unsettled' });
      }
    }
    await store.flush();

    function voiceStateFromLock(name: string): VoiceState | undefined {
      const locked = store.state.voices[name];
      if (!locked || locked.fingerprint !== identity.voices[name]?.fingerprint) return undefined;
      return {
        fingerprint: locked.fingerprint,
        record: { ...(locked.remoteId ? { remoteId: locked.remoteId } : {}), ...(locked.expiresAt ? { expiresAt: locked.expiresAt } : {}), ...(locked.data ? { data: locked.data } : {}) },
      };
    }

    const voiceChanges = plan.changes.filter((change): change is PlannedVoiceChange => change.kind === 'voice');
    const lineChanges = plan.changes.filter((change): change is PlannedLineChange => change.kind === 'line');
    const scripts = new Map<string, number>();
    for (const change of lineChanges) scripts.set(change.script, (scripts.get(change.script) ?? 0) + 1);
    emit({ type: 'apply-start', voices: voiceChanges.length, scripts: [...scripts].map(([script, lines]) => ({ script, lines })) });

    // 2. Before any output is written, put into the cache the audio of every restore and move.
    // The cache as listed before settling, which may have added to it: what is not listed is looked for.
    const cached = cacheKeysOf(cacheNames);
    for (const change of lineChanges) {
      if ((change.action !== 'restore' && change.action !== 'move') || cached.has(change.key)) continue;
      const line = linesByAddress.get(change.address)!;
      if (await isFile(cacheFileOf(change.key, line.format))) continue;
      const sources = [change.from, ...Object.values(store.state.renders).filter((render) => render.key === change.key).map((render) => render.file)];
      for (const source of sources) {
        if (!source) continue;
        const file = path.resolve(paths.dir, source);
        const expected = Object.values(store.state.renders).find((render) => render.file === source && render.key === change.key)?.sha256;
        if (expected && (await hashFile(file).catch(() => undefined)) === expected) {
          await cacheFromFile(file, cacheFileOf(change.key, line.format));
          cached.add(change.key);
          break;
        }
      }
    }

    const fail = (address: string, provider: string, error: unknown) => {
      // A temporary failure that outlasted the retries: the remedy is to try again later.
      const temporary = ApiCallError.isInstance(error) && error.isRetryable && !errorMessage(error).includes('voxform apply');
      const message = temporary ? `${errorMessage(error)} Run \`voxform apply\` again to retry it.` : errorMessage(error);
      summary.failures.push({ address, provider, message, ...(error instanceof UnknownOutcomeError ? { replaceAddress: error.replaceAddress } : {}) });
      if (options.failFast) onStop();
      // Nothing billable may start once voices.lock cannot record it; the error ends the apply below.
      if (store.failure) stop.abort();
      return message;
    };

    // 3. Voices, each once, before the lines that need them.
    const voiceReady = new Map<string, Promise<VoiceState>>();
    for (const change of voiceChanges) {
      if (change.action === 'delete') continue;
      voiceReady.set(
        change.voice,
        limiterOf(change.provider).run(async () => {
          if (settledVoices.has(change.voice)) {
            // Created by an earlier apply and resumed at the vendor above: this change is done.
            summary.voices.done++;
            emit({ type: 'voice-start', address: change.address, action: change.action, provider: change.provider });
            emit({ type: 'voice-end', address: change.address, action: change.action, provider: change.provider });
            return voiceStateFromLock(change.voice)!;
          }
          const unsettledReason = unsettled.get(change.address);
          if (unsettledReason) {
            // Listed among the failures when it was settled; counted and ended here, as its change.
            summary.voices.failed++;
            emit({ type: 'voice-start', address: change.address, action: change.action, provider: change.provider });
            emit({ type: 'voice-end', address: change.address, action: change.action, provider: change.provider, error: unsettledReason });
            throw new SkippedError(`voice ${change.voice} has unsettled work from an earlier apply`);
          }
          if (stop.signal.aborted) throw new SkippedError('interrupted');
          emit({ type: 'voice-start', address: change.address, action: change.action, provider: change.provider });
          try {
            const fingerprint = change.fingerprint!;
            const provider = providerOf(change.provider);
            const voiceId = newVoiceId(change.voice, fingerprint);
            const entry: PendingEntry = {
              kind: 'voice',
              address: change.address,
              key: fingerprint,
              provider: change.provider,
              startedAt: now().toISOString(),
              // Written before the call, so a crash mid-create is settled by looking this id up.
              ...(provider.capabilities.clientChosenVoiceIds ? { task: { data: { voiceId } } } : {}),
            };
            const record = await writeAhead(entry, () => provider.doCreateVoice(voiceRequest(change.voice, fingerprint, voiceId), contextFor(entry)));
            await recordVoice(change.voice, fingerprint, record);
            summary.voices.done++;
            emit({ type: 'voice-end', address: change.address, action: change.action, provider: change.provider });
            return { fingerprint, record };
          } catch (error) {
            summary.voices.failed++;
            emit({ type: 'voice-end', address: change.address, action: change.action, provider: change.provider, error: fail(change.address, change.provider, error) });
            throw new SkippedError(`voice ${change.voice} could not be created`);
          }
        }) as Promise<VoiceState>,
      );
      voiceReady.get(change.voice)!.catch(() => {}); // awaited by its lines; a failure is reported there
    }
    const voiceFor = async (name: string): Promise<VoiceState> => {
      const pendingVoice = voiceReady.get(name);
      if (pendingVoice) return pendingVoice;
      const locked = voiceStateFromLock(name);
      if (!locked) throw new SkippedError(`voice ${name} is not created: run apply without --target`);
      return locked;
    };

    /** The audio of a recorded line: from the cache, else from its output file if that still holds it. */
    const lineAudio = async (address: string, key: string): Promise<Buffer> => {
      const render = store.state.renders[address];
      if (!render || render.key !== key) {
        throw new SkippedError(`not assembled: ${address} is not rendered (it failed or was skipped); run \`voxform apply\` again once it is`);
      }
      const cached = await readFile(cacheFileOf(key, render.format)).catch(() => undefined);
      if (cached) return cached;
      const output = await readFile(path.resolve(paths.dir, render.file)).catch(() => undefined);
      if (output && createHash('sha256').update(output).digest('hex') === render.sha256) return output;
      throw new Error(`the audio of ${address} is in neither .voxform/cache nor ${render.file}: run \`voxform apply --replace ${address}\` to render it again`);
    };
    const assembliesByAddress = new Map(project.manifest.assemblies.map((assembly) => [assembly.address, assembly]));
    /** Builds (or deletes) one chapter file and records it; returns its measured loudness when a target was applied. */
    const runAssembly = async (change: PlannedAssemblyChange): Promise<number | undefined> => {
      const locked = store.state.assemblies?.[change.address];
      if (change.action === 'delete') {
        if (!manifestFiles.has(change.file)) await rm(await guard.checkRemove(path.resolve(paths.dir, change.file)), { force: true });
        store.update((lockfile) => {
          delete lockfile.assemblies?.[change.address];
          if (lockfile.assemblies && Object.keys(lockfile.assemblies).length === 0) delete lockfile.assemblies;
        });
        return undefined;
      }
      const book = booksByAddress.get(change.address);
      if (book) return runBook(change, book, locked);
      const assembly = assembliesByAddress.get(change.address)!;
      const assemblyIdentity = identity.assemblies[change.address]!;
      const parts = [];
      for (const [index, part] of assemblyIdentity.parts.entries()) {
        parts.push({ name: part.address, wav: await lineAudio(part.address, part.key), gapBeforeMs: assembly.parts[index]!.gapBeforeMs });
      }
      const outputFile = await guard.prepareWrite(path.resolve(paths.dir, assembly.file));
      const built = assembleWav(parts, assembly.loudness);
      const stored = await storeAudio({ source: { type: 'bytes', bytes: built.wav }, format: assembly.format, outputFile, signal: abort.signal, ...download });
      if (locked && locked.file !== assembly.file && !manifestFiles.has(locked.file)) {
        await rm(await guard.checkRemove(path.resolve(paths.dir, locked.file)), { force: true });
      }
      store.update((lockfile) => {
        lockfile.assemblies ??= {};
        lockfile.assemblies[change.address] = {
          key: assemblyIdentity.key,
          file: assembly.file,
          format: assembly.format,
          sha256: stored.sha256,
          bytes: stored.bytes,
          durationMs: stored.durationMs,
          parts: assemblyIdentity.parts.map((part) => ({ ...part, sha256: store.state.renders[part.address]!.sha256 })),
          ...(built.loudness ? { loudness: built.loudness } : {}),
          mtimeMs: stored.mtimeMs,
          builtAt: now().toISOString(),
        };
      });
      return built.loudness?.integrated;
    };

    const booksByAddress = new Map(project.manifest.books.map((book) => [book.address, book]));
    /** Builds a book (M4B with chapter markers) from its chapter files with ffmpeg, and records it. */
    const runBook = async (change: PlannedAssemblyChange, book: (typeof project.manifest.books)[number], locked: LockedAssembly | undefined): Promise<undefined> => {
      const chapters: Array<{ title: string; file: string; durationMs: number; key: string; sha256: string }> = [];
      for (const chapter of book.chapters) {
        const recorded = store.state.assemblies?.[chapter];
        const file = recorded && path.resolve(paths.dir, recorded.file);
        const intact = file && (await readFile(file).then((bytes) => createHash('sha256').update(bytes).digest('hex') === recorded.sha256, () => false));
        if (!recorded || recorded.key !== identity.assemblies[chapter]!.key || !intact) {
          throw new SkippedError(`not built: chapter ${chapter} is not assembled (or its file changed); run \`voxform apply\` again once it is`);
        }
        chapters.push({ title: chapter, file: file!, durationMs: recorded.durationMs, key: recorded.key, sha256: recorded.sha256 });
      }
      const outputFile = await guard.prepareWrite(path.resolve(paths.dir, book.file));
      const temp = tempFileBeside(outputFile);
      try {
        await buildBook({ title: book.title, chapters, outputFile: temp, bitrate: book.bitrate, signal: abort.signal });
        const bytes = await readFile(temp);
        const durationMs = Math.round(((await parseFile(temp, { duration: true })).format.duration ?? 0) * 1000);
        await rename(temp, outputFile);
        const { mtimeMs } = await stat(outputFile);
        if (locked && locked.file !== book.file && !manifestFiles.has(locked.file)) await rm(await guard.checkRemove(path.resolve(paths.dir, locked.file)), { force: true });
        store.update((lockfile) => {
          lockfile.assemblies ??= {};
          lockfile.assemblies[change.address] = {
            key: identity.assemblies[change.address]!.key,
            file: book.file,
            format: 'm4b',
            sha256: createHash('sha256').update(bytes).digest('hex'),
            bytes: bytes.length,
            durationMs,
            parts: chapters.map((chapter) => ({ address: chapter.title, key: chapter.key, sha256: chapter.sha256 })),
            mtimeMs,
            builtAt: now().toISOString(),
          };
        });
        return undefined;
      } finally {
        await rm(temp, { force: true });
      }
    };

    // 4. Lines, all at once within the limits.
    const manifestFiles = new Set([...project.manifest.lines.map((line) => line.file), ...project.manifest.assemblies.map((assembly) => assembly.file)]);
    const runLine = async (change: PlannedLineChange) => {
      if (change.action === 'delete') {
        // The file may now belong to a line of the manifest (same path, new address): keep it.
        if (!manifestFiles.has(change.file)) await rm(await guard.checkRemove(path.resolve(paths.dir, change.file)), { force: true });
        store.update((lockfile) => {
          delete lockfile.renders[change.address];
        });
        return;
      }
      const unsettledReason = unsettled.get(change.address);
      if (unsettledReason) throw new UnsettledError(unsettledReason);
      const line = linesByAddress.get(change.address)!;
      const lineIdentity = identity.lines[change.address]!;
      // Checked before anything is paid for: a line that cannot be written is not rendered.
      const outputFile = await guard.prepareWrite(path.resolve(paths.dir, line.file));
      const cacheFile = cacheFileOf(change.key, line.format);
      // One stat, not a listing of the cache: the listing grows with the book and this runs per line.
      // A forced re-render (--replace) means new audio: the cached one is what the user wants replaced.
      if (change.action === 'restore' || change.action === 'move' || (!change.forced && (await isFile(cacheFile)))) {
        const recorded = recordedSha256.get(change.key);
        const stored = await restoreAudio({ cacheFile, outputFile, format: line.format, signal: abort.signal, ...(recorded ? { recordedSha256: recorded } : {}) }).catch((error: unknown) => {
          throw storeFailure(error, change.address, outputFile);
        });
        recordRender(line, lineIdentity, stored, change.fromAddress);
        if (change.action === 'move' && change.from && !manifestFiles.has(change.from)) {
          await rm(await guard.checkRemove(path.resolve(paths.dir, change.from)), { force: true });
        }
        return;
      }
      const voice = await voiceFor(change.voice);
      const provider = providerOf(change.provider);
      if (lineIdentity.pieces) {
        const pieces = await renderInPieces(change, line, lineIdentity, voice);
        const joined = line.format === 'wav' ? joinWav(pieces).wav : joinMp3(pieces);
        const stored = await storeLineAudio(change.address, { source: { type: 'bytes', bytes: joined }, format: line.format, outputFile, cacheFile, signal: abort.signal });
        recordRender(line, lineIdentity, stored);
        summary.lines.rendered++;
        return;
      }
      await limiterOf(change.provider).run(async () => {
        if (stop.signal.aborted) throw new SkippedError('interrupted');
        const entry: PendingEntry = { kind: 'line', address: change.address, key: change.key, provider: change.provider, startedAt: now().toISOString() };
        const context = contextFor(entry, change.script);
        const result = await writeAhead(entry, () => provider.doSynthesize(synthesizeRequest(line, voice), context));
        if (result.format !== line.format) {
          throw new Error(`${provider.displayName} returned ${result.format} audio where ${line.format} was asked: this is a bug in the provider`);
        }
        const stored = await storeLineAudio(change.address, { source: result.audio, format: line.format, outputFile, cacheFile, signal: abort.signal, ...download });
        recordRender(line, lineIdentity, stored);
        touchVoice(change.voice, result.voice);
        summary.lines.rendered++;
        summary.characters += result.billedCharacters ?? lineIdentity.characters;
      });
    };

    await Promise.all(
      lineChanges.map((change) =>
        limit(async () => {
          if (stop.signal.aborted) {
            summary.lines.skipped++;
            emit({ type: 'line-end', address: change.address, script: change.script, action: change.action, provider: change.provider, characters: 0, skipped: 'interrupted' });
            return;
          }
          emit({ type: 'line-start', address: change.address, script: change.script, action: change.action, provider: change.provider });
          try {
            await runLine(change);
            summary.lines.done++;
            emit({ type: 'line-end', address: change.address, script: change.script, action: change.action, provider: change.provider, characters: change.characters });
          } catch (error) {
            if (error instanceof SkippedError) {
              summary.lines.skipped++;
              emit({ type: 'line-end', address: change.address, script: change.script, action: change.action, provider: change.provider, characters: 0, skipped: error.message });
              return;
            }
            if (error instanceof UnsettledError) {
              // Not skipped: it waits for the user (see its failure, listed when it was settled).
              summary.lines.failed++;
              emit({ type: 'line-end', address: change.address, script: change.script, action: change.action, provider: change.provider, characters: 0, error: error.message });
              return;
            }
            summary.lines.failed++;
            const message = fail(change.address, change.provider, error);
            emit({ type: 'line-end', address: change.address, script: change.script, action: change.action, provider: change.provider, characters: 0, error: message });
          }
        }),
      ),
    );
    // Voices no line waited for still have to finish (or fail) before the end.
    await Promise.allSettled(voiceReady.values());

    // 5. Chapters, from their lines' audio, one at a time (each holds a whole chapter in memory).
    const assemblyChanges = plan.changes.filter((change): change is PlannedAssemblyChange => change.kind === 'assembly');
    for (const change of assemblyChanges) {
      if (stop.signal.aborted) {
        summary.assemblies.skipped++;
        emit({ type: 'assembly-end', address: change.address, file: change.file, skipped: 'interrupted' });
        continue;
      }
      emit({ type: 'assembly-start', address: change.address, file: change.file });
      try {
        const integrated = await runAssembly(change);
        summary.assemblies.done++;
        if (change.action === 'delete') summary.assemblies.deleted++;
        emit({ type: 'assembly-end', address: change.address, file: change.file, ...(integrated !== undefined ? { integrated } : {}) });
      } catch (error) {
        if (error instanceof SkippedError) {
          summary.assemblies.skipped++;
          summary.failures.push({ address: change.address, provider: 'voxform', message: error.message });
          emit({ type: 'assembly-end', address: change.address, file: change.file, skipped: error.message });
          continue;
        }
        summary.assemblies.failed++;
        emit({ type: 'assembly-end', address: change.address, file: change.file, error: fail(change.address, 'voxform', error) });
      }
    }

    for (const change of voiceChanges) {
      if (change.action !== 'delete') continue;
      emit({ type: 'voice-start', address: change.address, action: change.action, provider: change.provider });
      try {
        const locked = store.state.voices[change.voice];
        const provider = providerOf(change.provider);
        if (locked?.remoteId && provider.doDeleteVoice) {
          await provider.doDeleteVoice({ remoteId: locked.remoteId, ...(locked.data ? { data: locked.data } : {}) }, contextFor({ kind: 'voice', address: change.address, key: locked.fingerprint, provider: change.provider, startedAt: now().toISOString() }));
        }
        store.update((lockfile) => {
          delete lockfile.voices[change.voice];
        });
        summary.voices.done++;
        emit({ type: 'voice-end', address: change.address, action: change.action, provider: change.provider });
      } catch (error) {
        summary.voices.failed++;
        emit({ type: 'voice-end', address: change.address, action: change.action, provider: change.provider, error: fail(change.address, change.provider, error) });
      }
    }
  } finally {
    options.stopSignal?.removeEventListener('abort', onStop);
    options.abortSignal?.removeEventListener('abort', onAbort);
    try {
      await store.close();
    } finally {
      await lock.release();
    }
  }
  summary.durationMs = Date.now() - started;
  emit({ type: 'apply-end', summary });
  return summary;
}

/**
 * Removes the temp files an apply killed mid-write (kill -9, a power cut) left, and nothing else: the
 * {@link tempFileBeside} names in every folder outputs of the manifest or the plan are in (a killed
 * `--replace` leaves one beside an output the next plan leaves alone) and in the cache, the one of
 * voices.lock beside it, and write-file-atomic's of the lockfile snapshot. Holding the state lock, this
 * apply is the only one writing such files. One listing per folder; returns the names of the cache's files.
 */
async function removeLeftoverTempFiles(project: LoadedProject, plan: Plan, guard: OutputGuard): Promise<string[]> {
  const { paths, manifest } = project;
  // Relative folders first: a book has thousands of lines in a few folders.
  const relativeFolders = new Set<string>();
  const addFolderOf = (file: string) => relativeFolders.add(path.dirname(file));
  for (const item of [...manifest.lines, ...manifest.assemblies, ...manifest.books]) addFolderOf(item.file);
  for (const change of plan.changes) {
    if (change.kind === 'voice') addFolderOf(path.join(manifest.output.dir, 'voices', change.voice)); // its preview
    else addFolderOf(change.file);
    if (change.kind === 'line' && change.from) addFolderOf(change.from);
  }
  const audioFolders = new Set([paths.cacheDir, ...[...relativeFolders].map((folder) => path.resolve(paths.dir, folder))]);
  const lockfileName = path.basename(paths.lockfileFile);
  const pickers = new Map<string, (name: string) => boolean>();
  for (const folder of audioFolders) pickers.set(folder, (name) => isTempFileName(name));
  if (!audioFolders.has(paths.dir)) pickers.set(paths.dir, (name) => isTempFileName(name, lockfileName));
  if (!audioFolders.has(paths.stateDir)) pickers.set(paths.stateDir, isSnapshotTempName);
  const limit = pLimit(16);
  let cacheNames: string[] = [];
  await Promise.all(
    [...pickers].map(([folder, isLeftover]) =>
      limit(async () => {
        // Output folders through the guard: a folder that is a link out of the output folder is not cleaned.
        const names = await removeLeftoverFiles(folder, isLeftover, folder === paths.cacheDir ? undefined : (file) => guard.checkRemove(file));
        if (folder === paths.cacheDir) cacheNames = names;
      }),
    ),
  );
  return cacheNames;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** A deterministic vendor-safe voice id: `vx-<name>-<12 hex of the fingerprint>`. */
export function suggestedVoiceId(name: string, fingerprint: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'voice';
  return `vx-${slug}-${fingerprint.slice(0, 12)}`;
}

function billableProviders(plan: Plan, pending: PendingEntry[]): Set<string> {
  const providers = new Set(pending.map((entry) => entry.provider));
  for (const change of plan.changes) {
    if (change.kind === 'voice' && change.action !== 'delete') providers.add(change.provider);
    if (change.kind === 'line' && (change.action === 'render' || change.action === 'rerender')) providers.add(change.provider);
    if (change.action === 'delete') providers.add(change.provider);
  }
  return providers;
}

/** Instantiates the providers that will be called, with their keys; a missing key fails before anything is spent. */
function createProviders(
  project: LoadedProject,
  registry: ProviderRegistry,
  ids: Set<string>,
  env: Record<string, string | undefined>,
  limiters: Map<string, AdaptiveLimiter>,
  poolFetch: typeof fetch | undefined,
): Map<string, ProviderV1> {
  const instances = new Map<string, ProviderV1>();
  const missing: string[] = [];
  for (const id of ids) {
    if (!registry.has(id)) continue;
    const described = registry.describe(id);
    const manifestSettings = project.manifest.providers[id] ?? {};
    const variable = manifestSettings.apiKeyEnv ?? described.capabilities.apiKeyEnv;
    const apiKey = variable ? env[variable] : undefined;
    if (described.capabilities.apiKeyEnv && !apiKey) {
      missing.push(`${id} needs an API key in $${variable}: export ${variable}=… (or name another variable with providers.${id}.apiKey: \${MY_VARIABLE})`);
      continue;
    }
    const limiter = limiters.get(id);
    const settings: ProviderSettings = {
      ...(apiKey ? { apiKey } : {}),
      ...(manifestSettings.baseUrl ? { baseUrl: manifestSettings.baseUrl } : {}),
      ...(manifestSettings.region ? { region: manifestSettings.region } : {}),
      ...(manifestSettings.options ? { options: manifestSettings.options } : {}),
      ...(limiter ? { limiter } : {}),
      ...(poolFetch ? { fetch: poolFetch } : {}),
    };
    instances.set(id, registry.create(id, settings));
  }
  if (missing.length > 0) throw new UsageError(`Nothing was done:\n  ${missing.join('\n  ')}`);
  return instances;
}

/** `chapter-07/0001#3` → the line's address and the piece's 0-based index; undefined for anything else. */
function pieceOf(address: string): { lineAddress: string; index: number } | undefined {
  const match = /^(.+)#([1-9][0-9]*)$/.exec(address);
  return match ? { lineAddress: match[1]!, index: Number(match[2]) - 1 } : undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
