import { UsageError } from '../errors/usage-error.js';
import { canonicalJson } from '../identity/canonical-json.js';
import { countCharacters, renderKey, voiceFingerprint } from '../identity/fingerprint.js';
import { sha256Hex } from '../identity/sha256.js';
import type { Lockfile, LockedRender } from '../lockfile/lockfile-types.js';
import type { ResolvedLine, ResolvedManifest } from '../manifest/manifest-types.js';
import type { JsonValue, ProviderCapabilities, VoiceCheck } from '../providers/provider-v1.js';
import { matchesAddress } from './address.js';
import { estimateCost, type CostEstimate } from './estimate-cost.js';
import type {
  AssemblyAction,
  LineAction,
  Plan,
  PlannedAssemblyChange,
  PlannedChange,
  PlannedLineChange,
  PlannedVoiceChange,
  PlanSummary,
  VoiceAction,
} from './plan-types.js';

/** What the planner needs to know about the world, gathered beforehand by `@voxform/core/node`. */
export interface Observations {
  /** Now, as an ISO time: voices whose `expiresAt` is not after it are replaced. */
  now: string;
  /** Digest of each voice's sample (sha256 of the file's bytes, or of the URL), and of its prompt sample. */
  samples: Record<string, { sampleDigest: string; promptDigest?: string }>;
  /**
   * The state of each output file the lockfile records, keyed by its path: `unchanged` when its size
   * and mtime (or, when they differ or with `--verify`, its hash) match the lockfile.
   */
  outputs: Record<string, 'unchanged' | 'modified' | 'missing'>;
  /** Render keys whose audio is in `.voxform/cache`. */
  cached: ReadonlySet<string>;
  /** Whether ffmpeg is on PATH (only looked for when the manifest has books): books are built with it. */
  ffmpeg?: boolean;
  /** With `--refresh`: whether each recorded voice still exists at its vendor, by the vendor's clock. */
  remoteVoices?: Record<string, VoiceCheck>;
}

export interface PlanOptions {
  /** Only these addresses (and the voices their lines need); `*` matches within one segment. */
  targets?: string[];
  /** Re-render these lines / replace these voices even though nothing changed. */
  replace?: string[];
  /** Delete outputs and voices the manifest no longer has. */
  prune?: boolean;
}

export interface CreatePlanInput {
  manifest: ResolvedManifest;
  lockfile: Lockfile;
  observations: Observations;
  capabilities: (provider: string) => ProviderCapabilities;
  options?: PlanOptions;
}

/** Identity of every voice and line of a manifest, as the planner and the applier compute it. */
export interface ManifestIdentity {
  voices: Record<string, { fingerprint: string; sampleDigest: string }>;
  lines: Record<string, LineIdentity>;
  assemblies: Record<string, { key: string; parts: Array<{ address: string; key: string }> }>;
}

/** Bumped when the way chapters are assembled changes the audio, so every chapter is rebuilt once. */
export const ASSEMBLY_FORMAT_VERSION = 1;

export interface LineIdentity {
  key: string;
  textSha256: string;
  optionsSha256: string;
  /** Digest of the lexicon entries the line uses, when it uses any. */
  lexiconSha256?: string;
  voiceFingerprint: string;
  /** Characters billed: the text's, or for a split line the sum of its pieces'. */
  characters: number;
  /** A split line's pieces, each with the render key it is cached under (the key the piece would have as a line of its own). */
  pieces?: Array<{ text: string; key: string; characters: number }>;
}

export function identifyManifest(manifest: ResolvedManifest, samples: Observations['samples']): ManifestIdentity {
  const voices: ManifestIdentity['voices'] = {};
  for (const voice of Object.values(manifest.voices)) {
    const digests = samples[voice.name];
    if (!digests) throw new Error(`no sample digest observed for voice '${voice.name}'`);
    const fingerprint = voiceFingerprint({
      provider: voice.provider,
      sampleDigest: digests.sampleDigest,
      ...(voice.prompt ? { prompt: { sampleDigest: digests.promptDigest ?? '', text: voice.prompt.text } } : {}),
      ...(voice.language ? { language: voice.language } : {}),
      options: voice.options,
    });
    voices[voice.name] = { fingerprint, sampleDigest: digests.sampleDigest };
  }
  const lines: ManifestIdentity['lines'] = {};
  // Most lines share their options: hash each distinct set once.
  const optionDigests = new Map<string, string>();
  const optionsDigest = (options: Record<string, JsonValue>) => {
    const canonical = canonicalJson(options);
    let digest = optionDigests.get(canonical);
    if (digest === undefined) optionDigests.set(canonical, (digest = sha256Hex(canonical)));
    return digest;
  };
  for (const line of manifest.lines) {
    const voiceFingerprint = voices[line.voice]!.fingerprint;
    const pieces = line.pieces?.map((text) => ({
      text,
      key: renderKey({ voiceFingerprint, text, options: line.options, format: line.format, ...(line.lexicon ? { lexicon: line.lexicon } : {}) }),
      characters: countCharacters(text),
    }));
    lines[line.address] = {
      key: renderKey({ voiceFingerprint, text: line.text, options: line.options, format: line.format, ...(line.lexicon ? { lexicon: line.lexicon } : {}), ...(line.pieces ? { pieces: line.pieces } : {}) }),
      textSha256: sha256Hex(line.text),
      optionsSha256: optionsDigest(line.options),
      ...(line.lexicon ? { lexiconSha256: sha256Hex(canonicalJson(line.lexicon)) } : {}),
      voiceFingerprint,
      // What the vendor bills: the text as sent (after the lexicon where the vendor has no dictionary), piece by piece when split.
      characters: pieces ? pieces.reduce((sum, piece) => sum + piece.characters, 0) : countCharacters(line.spokenText ?? line.text),
      ...(pieces ? { pieces } : {}),
    };
  }
  const assemblies: ManifestIdentity['assemblies'] = {};
  for (const assembly of manifest.assemblies) {
    const parts = assembly.parts.map((part) => ({ address: part.address, key: lines[part.address]!.key }));
    assemblies[assembly.address] = {
      parts,
      key: sha256Hex(
        canonicalJson({
          parts: assembly.parts.map((part, index) => [parts[index]!.key, part.gapBeforeMs]),
          loudness: assembly.loudness ?? null,
          format: assembly.format,
          assemblyFormatVersion: ASSEMBLY_FORMAT_VERSION,
        }),
      ),
    };
  }
  for (const book of manifest.books) {
    const parts = book.chapters.map((chapter) => ({ address: chapter, key: assemblies[chapter]!.key }));
    assemblies[book.address] = {
      parts,
      key: sha256Hex(canonicalJson({ book: parts.map((part) => [part.address, part.key]), title: book.title, bitrate: book.bitrate, bookFormatVersion: ASSEMBLY_FORMAT_VERSION })),
    };
  }
  return { voices, lines, assemblies };
}

/**
 * Compares the manifest with the lockfile and the observed world, and lists what `apply` must do, each
 * change with its reason and the characters it will bill. Pure and deterministic.
 */
export function createPlan(input: CreatePlanInput): Plan {
  const { manifest, lockfile, observations } = input;
  const options = input.options ?? {};
  const identity = identifyManifest(manifest, observations.samples);
  const replace = options.replace ?? [];
  const isForced = (address: string) => replace.some((pattern) => matchesAddress(pattern, address));
  checkAddressesExist([...(options.targets ?? []), ...replace], manifest, lockfile);

  const awaitsReplace = unsettledWork(lockfile, observations, input.capabilities);
  const waitNote = (provider: string, address: string) =>
    `; an interrupted apply may already have paid for it, so apply leaves it: check your ${provider} account, then run voxform apply --replace ${address}`;

  const voiceChanges = new Map<string, PlannedVoiceChange>();
  for (const voice of Object.values(manifest.voices)) {
    const { fingerprint, sampleDigest } = identity.voices[voice.name]!;
    const locked = lockfile.voices[voice.name];
    const address = `voice.${voice.name}`;
    let action: VoiceAction | undefined;
    let reason = '';
    if (!locked) {
      [action, reason] = ['create', 'new voice'];
    } else if (locked.fingerprint !== fingerprint) {
      action = 'replace';
      reason =
        locked.provider !== voice.provider
          ? `provider changed from ${locked.provider}`
          : locked.sampleSha256 !== undefined && locked.sampleSha256 !== sampleDigest
            ? 'sample changed'
            : 'voice settings changed (prompt, language or options)';
    } else if (isForced(address)) {
      [action, reason] = ['replace', 'replacement requested'];
    } else if (locked.expiresAt !== undefined && locked.expiresAt <= laterOf(observations.now, observations.remoteVoices?.[voice.name]?.vendorTime)) {
      // By our clock or the vendor's (`--refresh`), whichever is later: the vendor deletes by its own.
      [action, reason] = ['replace', `voice expired ${locked.expiresAt.slice(0, 10)}`];
    } else if (observations.remoteVoices?.[voice.name]?.status === 'missing') {
      [action, reason] = ['replace', `voice ${locked.remoteId ?? voice.name} no longer exists at ${voice.provider}`];
    }
    if (action) {
      const waits = !isForced(address) && awaitsReplace.has(`${address}\n${fingerprint}`);
      voiceChanges.set(voice.name, {
        kind: 'voice', address, action, reason: waits ? reason + waitNote(voice.provider, address) : reason, provider: voice.provider, characters: 0, voice: voice.name, fingerprint,
        ...(isForced(address) ? { forced: true as const } : {}),
        ...(waits ? { awaitsReplace: true as const } : {}),
      });
    }
  }

  const manifestAddresses = new Set(manifest.lines.map((line) => line.address));
  // Renders the manifest no longer has; a line with the same audio can take one over (a move).
  const orphansByKey = new Map<string, Array<[string, LockedRender]>>();
  for (const [address, render] of Object.entries(lockfile.renders)) {
    if (manifestAddresses.has(address)) continue;
    const list = orphansByKey.get(render.key) ?? [];
    list.push([address, render]);
    orphansByKey.set(render.key, list);
  }
  // Audio obtainable for free: in the cache, or in an output file that still holds it.
  const available = new Set(observations.cached);
  for (const render of Object.values(lockfile.renders)) {
    if (observations.outputs[render.file] === 'unchanged') available.add(render.key);
  }

  const lineChanges: PlannedLineChange[] = [];
  for (const line of manifest.lines) {
    const lineIdentity = identity.lines[line.address]!;
    const locked = lockfile.renders[line.address];
    const forced = isForced(line.address);
    // A split line's pieces already in the cache are joined from there, unless --replace asks for new audio.
    const cachedPieces = lineIdentity.pieces && !forced ? lineIdentity.pieces.filter((piece) => observations.cached.has(piece.key)) : [];
    // Work an interrupted apply may have been billed for is not sent again (nor counted) without --replace.
    const waitingPieces = lineIdentity.pieces && !forced ? lineIdentity.pieces.filter((piece, index) => awaitsReplace.has(`${line.address}#${index + 1}\n${piece.key}`)) : [];
    const waits = forced ? false : lineIdentity.pieces ? waitingPieces.length > 0 : awaitsReplace.has(`${line.address}\n${lineIdentity.key}`);
    const billedCharacters =
      waits && !lineIdentity.pieces ? 0 : lineIdentity.characters - [...cachedPieces, ...waitingPieces].reduce((sum, piece) => sum + piece.characters, 0);
    const provider = manifest.voices[line.voice]!.provider;
    const change = (action: LineAction, reason: string, extra: Partial<PlannedLineChange> = {}) => {
      const renders = action === 'render' || action === 'rerender';
      lineChanges.push({
        kind: 'line',
        address: line.address,
        action,
        reason: renders && waits ? reason + waitNote(provider, line.address) : reason,
        provider,
        characters: renders ? billedCharacters : 0,
        script: line.script,
        voice: line.voice,
        key: lineIdentity.key,
        file: line.file,
        ...(lineIdentity.pieces ? { pieces: lineIdentity.pieces.length } : {}),
        ...(renders && cachedPieces.length > 0 ? { piecesCached: cachedPieces.length } : {}),
        ...(renders && waits ? { awaitsReplace: true as const } : {}),
        ...extra,
      });
    };

    if (forced) {
      change('rerender', 'replacement requested', { forced: true });
      continue;
    }
    if (locked && locked.key === lineIdentity.key) {
      if (locked.file === line.file) {
        const state = observations.outputs[line.file];
        if (state === 'unchanged') continue;
        const what = state === 'modified' ? 'output modified' : 'output missing';
        if (available.has(lineIdentity.key)) change('restore', `${what}; audio in cache`);
        else change('rerender', `${what} and not in cache`);
      } else if (observations.outputs[locked.file] === 'unchanged') {
        change('move', `path changed from ${locked.file}`, { from: locked.file });
      } else if (available.has(lineIdentity.key)) {
        change('restore', `path changed from ${locked.file}; audio in cache`);
      } else {
        change('rerender', `path changed and ${locked.file} is gone`);
      }
      continue;
    }
    if (locked) {
      const reason = changedParts(locked, line, lineIdentity);
      if (available.has(lineIdentity.key)) change('restore', `${reason}; this version's audio is in cache`);
      else change('rerender', reason);
      continue;
    }
    const orphan = orphansByKey.get(lineIdentity.key)?.shift();
    if (orphan && observations.outputs[orphan[1].file] === 'unchanged') {
      change('move', `same audio as ${orphan[0]} (${orphan[1].file})`, { from: orphan[1].file, fromAddress: orphan[0] });
    } else if (available.has(lineIdentity.key)) {
      change('restore', 'new line; audio in cache');
    } else {
      change('render', 'new line');
    }
  }

  const assemblyChanges: PlannedAssemblyChange[] = [];
  const lockedAssemblies = lockfile.assemblies ?? {};
  // New audio under an unchanged render key: a line rendered again on --replace, now or since the chapter was built.
  const renderedAgain = new Set(lineChanges.filter((change) => change.forced).map((change) => change.address));
  const newAudio = (part: { address: string; sha256?: string }) =>
    renderedAgain.has(part.address) || (part.sha256 !== undefined && lockfile.renders[part.address] !== undefined && lockfile.renders[part.address]!.sha256 !== part.sha256);
  for (const assembly of manifest.assemblies) {
    const { key, parts } = identity.assemblies[assembly.address]!;
    const locked = lockedAssemblies[assembly.address];
    const change = (action: AssemblyAction, reason: string) =>
      assemblyChanges.push({
        kind: 'assembly', address: assembly.address, action, reason, provider: 'voxform', characters: 0, script: assembly.script, key, file: assembly.file,
        ...(isForced(assembly.address) ? { forced: true as const } : {}),
      });
    if (!locked) change('assemble', 'new chapter');
    else if (isForced(assembly.address)) change('reassemble', 'replacement requested');
    else if (locked.key !== key) change('reassemble', assemblyChangedParts(locked.parts, parts));
    else if (locked.parts.some(newAudio)) change('reassemble', `${locked.parts.filter(newAudio).map((part) => part.address).join(', ')} rendered again`);
    else if (locked.file !== assembly.file) change('reassemble', `path changed from ${locked.file}`);
    else if (observations.outputs[assembly.file] !== 'unchanged') change('reassemble', observations.outputs[assembly.file] === 'modified' ? 'output modified' : 'output missing');
  }

  // Books, from their chapters: only where ffmpeg can build them; else the summary says so.
  const rebuiltChapters = new Set(assemblyChanges.map((change) => change.address));
  const unbuiltBooks = observations.ffmpeg === false ? manifest.books.length : 0;
  for (const book of observations.ffmpeg === false ? [] : manifest.books) {
    const { key, parts } = identity.assemblies[book.address]!;
    const locked = lockedAssemblies[book.address];
    const change = (action: AssemblyAction, reason: string) =>
      assemblyChanges.push({
        kind: 'assembly', address: book.address, action, reason, provider: 'voxform', characters: 0, script: book.name, key, file: book.file,
        ...(isForced(book.address) ? { forced: true as const } : {}),
      });
    const rebuilt = book.chapters.filter((chapter) => rebuiltChapters.has(chapter));
    if (!locked) change('assemble', 'new book');
    else if (isForced(book.address)) change('reassemble', 'replacement requested');
    else if (locked.key !== key) change('reassemble', assemblyChangedParts(locked.parts, parts));
    else if (locked.file !== book.file) change('reassemble', `path changed from ${locked.file}`);
    else if (observations.outputs[book.file] !== 'unchanged') change('reassemble', observations.outputs[book.file] === 'modified' ? 'output modified' : 'output missing');
    else if (rebuilt.length > 0) change('reassemble', `${rebuilt.join(', ')} reassembled`);
  }

  const deletions: PlannedChange[] = [];
  if (options.prune) {
    const movedAway = new Set(lineChanges.flatMap((change) => (change.fromAddress ? [change.fromAddress] : [])));
    for (const [address, render] of Object.entries(lockfile.renders)) {
      if (manifestAddresses.has(address) || movedAway.has(address)) continue;
      const provider = lockfile.voices[render.voice]?.provider ?? 'unknown';
      deletions.push({
        kind: 'line', address, action: 'delete', reason: 'not in the manifest', provider, characters: 0,
        script: address.split('/')[0]!, voice: render.voice, key: render.key, file: render.file,
      });
    }
    const assembled = new Set([...manifest.assemblies.map((assembly) => assembly.address), ...manifest.books.map((book) => book.address)]);
    for (const [address, assembly] of Object.entries(lockedAssemblies)) {
      if (assembled.has(address)) continue;
      deletions.push({ kind: 'assembly', address, action: 'delete', reason: 'no longer assembled', provider: 'voxform', characters: 0, script: address, key: assembly.key, file: assembly.file });
    }
    for (const [name, voice] of Object.entries(lockfile.voices)) {
      if (name in manifest.voices) continue;
      deletions.push({ kind: 'voice', address: `voice.${name}`, action: 'delete', reason: 'not in the manifest', provider: voice.provider, characters: 0, voice: name });
    }
  }

  let changes: PlannedChange[] = [
    ...voiceChanges.values(),
    ...deletions.filter((change) => change.kind === 'voice'),
    ...withDeletionsByScript(
      manifest.lines.map((line) => line.script),
      lineChanges,
      deletions.filter((change): change is PlannedLineChange => change.kind === 'line'),
    ),
    ...assemblyChanges,
    ...deletions.filter((change) => change.kind === 'assembly'),
  ];
  if (options.targets && options.targets.length > 0) {
    const targets = options.targets;
    const selected = changes.filter((change) => targets.some((pattern) => matchesAddress(pattern, change.address)));
    // A targeted line still needs its voice.
    const neededVoices = new Set(selected.flatMap((change) => (change.kind === 'line' && change.action !== 'delete' ? [change.voice] : [])));
    changes = changes.filter(
      (change) => selected.includes(change) || (change.kind === 'voice' && change.action !== 'delete' && neededVoices.has(change.voice)),
    );
  }

  const orphans = Object.keys(lockfile.renders).filter((address) => !manifestAddresses.has(address)).length;
  const cost = estimateCost({ changes, pricing: (provider) => manifest.providers[provider]?.pricing, capabilities: input.capabilities });
  const summary = summarize(changes, options.prune ? 0 : orphans, cost);
  if (unbuiltBooks > 0) {
    summary.text += ` ${unbuiltBooks === 1 ? '1 book is' : `${unbuiltBooks} books are`} not built: ffmpeg is not installed (apt install ffmpeg, brew install ffmpeg, or ffmpeg.org); the chapter files are.`;
  }
  return { changes, summary };
}

/**
 * `address\nkey` of the pending work apply will not send again on its own (see its settling of pending
 * entries): started by an interrupted apply at a vendor that bills, with no task id and no voice id of
 * voxform's choosing to look it up by, and no audio in the cache.
 */
function unsettledWork(lockfile: Lockfile, observations: Observations, capabilitiesOf: (provider: string) => ProviderCapabilities): Set<string> {
  const work = new Set<string>();
  for (const entry of lockfile.pending) {
    if (entry.task || observations.cached.has(entry.key)) continue;
    let capabilities: ProviderCapabilities;
    try {
      capabilities = capabilitiesOf(entry.provider);
    } catch {
      continue; // a provider this voxform does not know: nothing of the manifest's can be waiting for it
    }
    if (capabilities.free) continue;
    if (entry.kind === 'voice' && (capabilities.clientChosenVoiceIds || !capabilities.persistentVoices)) continue;
    work.add(`${entry.address}\n${entry.key}`);
  }
  return work;
}

/**
 * The line changes with each deleted line after its script's other changes (scripts in manifest order,
 * then those the manifest no longer has), by address: the plan then reads one block per script.
 */
function withDeletionsByScript(scripts: Iterable<string>, lineChanges: PlannedLineChange[], lineDeletions: PlannedLineChange[]): PlannedLineChange[] {
  if (lineDeletions.length === 0) return lineChanges;
  const byScript = new Map<string, PlannedLineChange[]>();
  for (const script of scripts) byScript.set(script, []);
  const add = (change: PlannedLineChange) => {
    const list = byScript.get(change.script);
    if (list) list.push(change);
    else byScript.set(change.script, [change]);
  };
  lineChanges.forEach(add);
  [...lineDeletions].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)).forEach(add);
  return [...byScript.values()].flat();
}

function laterOf(now: string, vendorTime: string | undefined): string {
  return vendorTime !== undefined && new Date(vendorTime).toISOString() > now ? new Date(vendorTime).toISOString() : now;
}

function changedParts(locked: LockedRender, line: ResolvedLine, identity: ManifestIdentity['lines'][string]): string {
  const parts: string[] = [];
  if (locked.textSha256 !== identity.textSha256) parts.push('text changed');
  if (locked.voice !== line.voice) parts.push(`voice changed from ${locked.voice}`);
  else if (locked.voiceFingerprint !== identity.voiceFingerprint) parts.push(`voice ${line.voice} changed`);
  if (locked.optionsSha256 !== identity.optionsSha256) parts.push('options changed');
  if (locked.lexiconSha256 !== identity.lexiconSha256) parts.push('lexicon changed');
  if (locked.format !== line.format) parts.push(`format changed from ${locked.format}`);
  return parts.length > 0 ? parts.join(', ') : 'renderer version changed';
}

function assemblyChangedParts(locked: Array<{ address: string; key: string }>, current: Array<{ address: string; key: string }>): string {
  const before = new Map(locked.map((part) => [part.address, part.key]));
  const now = new Set(current.map((part) => part.address));
  const changed = current.filter((part) => before.has(part.address) && before.get(part.address) !== part.key).map((part) => part.address);
  const added = current.filter((part) => !before.has(part.address)).map((part) => part.address);
  const removed = locked.filter((part) => !now.has(part.address)).map((part) => part.address);
  const list = (addresses: string[]) => (addresses.length > 3 ? `${addresses.slice(0, 3).join(', ')} and ${addresses.length - 3} more` : addresses.join(', '));
  const reasons: string[] = [];
  if (changed.length > 0) reasons.push(`${list(changed)} changed`);
  if (added.length > 0) reasons.push(`${list(added)} added`);
  if (removed.length > 0) reasons.push(`${list(removed)} removed`);
  return reasons.length > 0 ? reasons.join(', ') : 'lines reordered, or gaps, loudness or the assembly version changed';
}

function checkAddressesExist(patterns: string[], manifest: ResolvedManifest, lockfile: Lockfile) {
  if (patterns.length === 0) return;
  const addresses = [
    ...Object.keys(manifest.voices).map((name) => `voice.${name}`),
    ...Object.keys(lockfile.voices).map((name) => `voice.${name}`),
    ...manifest.lines.map((line) => line.address),
    ...manifest.assemblies.map((assembly) => assembly.address),
    ...manifest.books.map((book) => book.address),
    ...Object.keys(lockfile.assemblies ?? {}),
    ...Object.keys(lockfile.renders),
  ];
  for (const pattern of patterns) {
    if (!addresses.some((address) => matchesAddress(pattern, address))) {
      throw new UsageError(
        `'${pattern}' matches no voice or line. Addresses look like voice.narrator, chapter-01/0003 or chapter-01/* (see \`voxform show\`).`,
      );
    }
  }
}

const numberFormat = new Intl.NumberFormat('en-US');

export function summarize(changes: PlannedChange[], orphans: number, cost: CostEstimate): PlanSummary {
  const voices: Record<VoiceAction, number> = { create: 0, replace: 0, delete: 0 };
  const lines: Record<LineAction, number> = { render: 0, rerender: 0, restore: 0, move: 0, delete: 0 };
  const assemblies: Record<AssemblyAction, number> = { assemble: 0, reassemble: 0, delete: 0 };
  const byProvider: Record<string, number> = {};
  let total = 0;
  for (const change of changes) {
    if (change.kind === 'voice') voices[change.action]++;
    else if (change.kind === 'assembly') assemblies[change.action]++;
    else lines[change.action]++;
    if (change.characters > 0) {
      byProvider[change.provider] = (byProvider[change.provider] ?? 0) + change.characters;
      total += change.characters;
    }
  }
  const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  let text: string;
  if (changes.length === 0) {
    text = 'No changes. Voices and audio are up to date.';
  } else {
    const voiceParts = [`${plural(voices.create, 'voice')} to create`];
    if (voices.replace > 0) voiceParts.push(`${voices.replace} to replace`);
    if (voices.delete > 0) voiceParts.push(`${voices.delete} to delete`);
    const toRender = lines.render + lines.rerender;
    const providers = Object.entries(byProvider)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([provider, characters]) => `${provider} ${numberFormat.format(characters)}`)
      .join(', ');
    const characters = `${numberFormat.format(total)} character${total === 1 ? '' : 's'}${providers ? `: ${providers}` : ''}`;
    text =
      `Plan: ${voiceParts.join(', ')}, ${plural(toRender, 'line')} to render (${characters}), ` +
      `${lines.restore} to restore, ${lines.move} to move, ${lines.delete} to delete`;
    const building = changes.filter((change) => change.kind === 'assembly' && change.action !== 'delete');
    const books = building.filter((change) => change.address.startsWith('book.')).length;
    const chapters = building.length - books;
    if (building.length > 0 || assemblies.delete > 0) {
      const what = [chapters > 0 || books === 0 ? plural(chapters, 'chapter') : '', books > 0 ? plural(books, 'book') : ''].filter(Boolean).join(' and ');
      text += `, ${what} to assemble${assemblies.delete > 0 ? ` (${assemblies.delete} to delete)` : ''}`;
    }
    text += '.';
  }
  if (orphans > 0) text += ` ${plural(orphans, 'rendered line')} no longer in the manifest (kept; --prune deletes them).`;
  return { voices, lines, assemblies, characters: { total, byProvider }, cost, orphans, text };
}
