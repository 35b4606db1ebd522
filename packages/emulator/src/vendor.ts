import type { AudioMaker } from './audio-maker.js';
import type { EmulatorClock } from './emulator-clock.js';
import type { FaultSettings } from './fault-settings.js';
import type { FileStore } from './file-store.js';

export const vendorIds = ['minimax', 'vidu', 'soundclone', 'aivoiceclonefree', 'kling'] as const;
export type VendorId = (typeof vendorIds)[number];

/** Credentials the emulator accepts. */
export interface EmulatorKeys {
  minimax: string;
  vidu: string;
  soundclone: string;
  aivoiceclonefree: string;
  /** Kling takes either a static API key or an HS256 JWT signed with the secret key, `iss` = access key. */
  kling: { apiKey: string; accessKey: string; secretKey: string };
}

export interface TaskTiming {
  /** How long a new task stays queued. */
  queuedMs: number;
  /** How long it then processes before it is done. */
  processingMs: number;
}

/** One request as a vendor module sees it. */
export interface VendorRequest {
  request: Request;
  url: URL;
  /** The path after the vendor's prefix, without the query string: `/v1/voice_clone`. */
  path: string;
  /** Marks the request as billable work the vendor accepted (recorded in the call log). */
  bill(kind: 'clone' | 'synthesis' | 'upload', key: string): void;
}

/** What the emulator shares with every vendor module. */
export interface VendorContext {
  vendor: VendorId;
  clock: EmulatorClock;
  keys: EmulatorKeys;
  timing: TaskTiming;
  files: FileStore;
  /** The download URL of a file in `files`. */
  fileUrl(id: string): string;
  /**
   * Stores audio (or any bytes) this vendor hands out and returns its download URL; after `lifetimeMs`
   * (emulator clock) the URL answers 404, as the vendors' URLs expire. Download faults of this vendor apply.
   */
  publish(bytes: Uint8Array, options: { contentType: string; lifetimeMs?: number }): string;
  audio: AudioMaker;
  /** This vendor's current fault settings (stuckTasks, voicesVanish… are for modules to honour). */
  faults(): FaultSettings;
  /** Fetches a sample URL (the emulator's own files directly, anything else with fetch). Throws with a reason. */
  fetchSample(url: string): Promise<{ bytes: Uint8Array; contentType: string }>;
  /** Container and duration of audio bytes, when recognisable. */
  probeAudio(bytes: Uint8Array): Promise<{ format?: 'mp3' | 'wav' | 'm4a' | 'ogg' | 'flac'; durationMs?: number }>;
  /** Where a task created at `createdAt` (clock ms) is now; never `done` while stuckTasks is set. */
  taskPhase(createdAt: number): 'queued' | 'processing' | 'done';
}

export interface VendorModule {
  handle(request: VendorRequest): Promise<Response>;
  /**
   * The vendor's own answer for an injected fault status: its rate-limit shape for 429 (MiniMax: HTTP
   * 200 with base_resp 1002), its error body for 4xx/5xx.
   */
  faultResponse(status: number, options: { retryAfterSeconds?: number }): Response;
  /** Forget every voice, task and upload. */
  reset(): void;
}

export type VendorFactory = (context: VendorContext) => VendorModule;

/** A JSON response with the given status and headers. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
