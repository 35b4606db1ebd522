import type { AudioFormat, JsonValue, TaskRecord } from '../providers/provider-v1.js';

/** `voices.lock`: what was produced, described field by field in schemas/voices-lock.schema.json. */
export interface Lockfile {
  lockfileVersion: 1;
  voices: Record<string, LockedVoice>;
  renders: Record<string, LockedRender>;
  /** Absent (or empty) when nothing is assembled. */
  assemblies?: Record<string, LockedAssembly>;
  pending: PendingEntry[];
}

export interface LockedAssembly {
  key: string;
  file: string;
  /** `m4b` for a book. */
  format: AudioFormat | 'm4b';
  sha256: string;
  bytes: number;
  durationMs: number;
  /** Each line joined: its render key, and the sha256 of the audio used (the same key can be rendered again: `--replace`). */
  parts: Array<{ address: string; key: string; sha256?: string }>;
  loudness?: { target: number; truePeakLimit: number; sourceIntegrated?: number; integrated: number; truePeak: number; gainDb: number };
  mtimeMs?: number;
  builtAt?: string;
}

export interface LockedVoice {
  provider: string;
  fingerprint: string;
  sampleSha256?: string;
  remoteId?: string;
  createdAt: string;
  lastUsedAt?: string;
  expiresAt?: string;
  data?: Record<string, JsonValue>;
  preview?: { file: string; sha256: string; bytes: number };
}

export interface LockedRender {
  key: string;
  voice: string;
  voiceFingerprint: string;
  textSha256: string;
  optionsSha256: string;
  /** sha256 of the canonical JSON of the lexicon entries the line used; absent when it used none. */
  lexiconSha256?: string;
  format: AudioFormat;
  file: string;
  sha256: string;
  bytes: number;
  durationMs: number;
  chars: number;
  /** How many calls the text was rendered in, when more than one. */
  pieces?: number;
  mtimeMs?: number;
  renderedAt?: string;
}

/** Billable work started and not yet finished (the write-ahead entry). */
export interface PendingEntry {
  kind: 'voice' | 'line';
  /** `voice.<name>`, a line address, or `<line address>#<n>` for the n-th piece of a split line. */
  address: string;
  /** The voice fingerprint or render key being produced. */
  key: string;
  provider: string;
  startedAt: string;
  task?: TaskRecord;
}

export function emptyLockfile(): Lockfile {
  return { lockfileVersion: 1, voices: {}, renders: {}, pending: [] };
}
