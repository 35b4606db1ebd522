import { createHash } from 'node:crypto';

import type { VendorContext } from '../vendor.js';

/*
 * Rules MiniMax, Vidu and SoundClone share (VENDORS.md §6): the same voice_id rules, clone-sample
 * limits and parameter ranges. Each returns a problem sentence, or undefined when the value is fine.
 */

/** 8–256 characters, starts with a letter, letters/digits/`-`/`_`, does not end in `-` or `_`. */
export function voiceIdProblem(voiceId: unknown): string | undefined {
  if (typeof voiceId !== 'string' || voiceId === '') return 'voice_id is required';
  if (voiceId.length < 8 || voiceId.length > 256) return `voice_id must be 8-256 characters, got ${voiceId.length}`;
  if (!/^[A-Za-z]/.test(voiceId)) return 'voice_id must start with an English letter';
  if (!/^[A-Za-z0-9_-]+$/.test(voiceId)) return 'voice_id may contain only letters, digits, - and _';
  if (/[-_]$/.test(voiceId)) return 'voice_id must not end with - or _';
  return undefined;
}

export interface SampleLimits {
  formats: string[];
  minDurationMs?: number;
  maxDurationMs?: number;
  /** `maxDurationMs` itself is refused (prompt samples must be shorter than 8 s). */
  maxDurationExclusive?: boolean;
  maxBytes?: number;
}

/** Clone sources: mp3/m4a/wav, 10 s – 5 min, at most 20 MB. */
export const cloneSampleLimits: SampleLimits = { formats: ['mp3', 'm4a', 'wav'], minDurationMs: 10_000, maxDurationMs: 300_000, maxBytes: 20 * 1024 * 1024 };
/** Prompt samples: mp3/m4a/wav, shorter than 8 s, at most 20 MB. */
export const promptSampleLimits: SampleLimits = { formats: ['mp3', 'm4a', 'wav'], maxDurationMs: 8_000, maxDurationExclusive: true, maxBytes: 20 * 1024 * 1024 };

export function sampleProblem(
  probe: { format?: string; durationMs?: number },
  bytes: number,
  limits: SampleLimits,
): string | undefined {
  if (!probe.format || !limits.formats.includes(probe.format)) return `audio format must be one of ${limits.formats.join(', ')}${probe.format ? `, got ${probe.format}` : ' (not recognised)'}`;
  if (limits.maxBytes !== undefined && bytes > limits.maxBytes) return `audio must be at most ${limits.maxBytes} bytes, got ${bytes}`;
  if (probe.durationMs === undefined) return 'audio duration could not be read';
  if (limits.minDurationMs !== undefined && probe.durationMs < limits.minDurationMs) return `audio must be at least ${limits.minDurationMs / 1000} s long, got ${(probe.durationMs / 1000).toFixed(1)} s`;
  if (limits.maxDurationMs !== undefined) {
    const tooLong = limits.maxDurationExclusive ? probe.durationMs >= limits.maxDurationMs : probe.durationMs > limits.maxDurationMs;
    const limit = `${limits.maxDurationExclusive ? 'shorter than' : 'at most'} ${limits.maxDurationMs / 1000} s`;
    if (tooLong) return `audio must be ${limit} long, got ${(probe.durationMs / 1000).toFixed(1)} s`;
  }
  return undefined;
}

/** A number within [min, max] (inclusive), or undefined when absent. */
export function rangeProblem(name: string, value: unknown, min: number, max: number, options: { integer?: boolean; exclusiveMin?: boolean } = {}): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a number`;
  if (options.integer && !Number.isInteger(value)) return `${name} must be an integer`;
  if ((options.exclusiveMin ? value <= min : value < min) || value > max) return `${name} must be in ${options.exclusiveMin ? '(' : '['}${min}, ${max}], got ${value}`;
  return undefined;
}

/** Characters as the vendors count them: Unicode code points. */
export function characterCount(text: string): number {
  return [...text].length;
}

/*
 * Helpers the asynchronous-task vendors (SoundClone, AI Voice Clone Free, Kling) share: digests for
 * billing keys and voice seeds, URL checks, and a task's phase that stays put once it is observed.
 */

/** SHA-256 of text or bytes, as lowercase hex. */
export function sha256Hex(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}

/** An absolute http(s) URL, or a problem sentence naming the field. */
export function httpUrlProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return `${name} is required`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} must be an absolute http(s) URL, got '${value}'`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${name} must be an http(s) URL, got '${url.protocol}'`;
  return undefined;
}

/** The lowercased extension of a URL's last path segment (`mp3`), or undefined when it has none. */
export function urlExtension(value: string): string | undefined {
  try {
    const last = new URL(value).pathname.split('/').pop() ?? '';
    const dot = last.lastIndexOf('.');
    return dot > 0 ? last.slice(dot + 1).toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** The timing record of one asynchronous task; `observeTask` fills in the optional fields. */
export interface TaskTimes {
  createdAt: number;
  /** When the task finished, fixed the first time it is seen done. */
  finishedAt?: number;
  /** The latest time it was seen unfinished (a task held by stuckTasks cannot have finished before). */
  unfinishedSeenAt?: number;
}

/**
 * Where a task is now and since when (emulator clock ms). Once seen done it stays done, even if
 * stuckTasks is switched on afterwards; a task never seen done finished at its scheduled time, or just
 * after it was last seen unfinished if that is later (tasks released from stuckTasks).
 */
export function observeTask(context: Pick<VendorContext, 'taskPhase' | 'clock' | 'timing'>, task: TaskTimes): { phase: 'queued' | 'processing' | 'done'; since: number } {
  if (task.finishedAt !== undefined) return { phase: 'done', since: task.finishedAt };
  const phase = context.taskPhase(task.createdAt);
  if (phase === 'done') {
    task.finishedAt = Math.max(task.createdAt + context.timing.queuedMs + context.timing.processingMs, task.unfinishedSeenAt ?? 0);
    return { phase, since: task.finishedAt };
  }
  task.unfinishedSeenAt = context.clock.now();
  return { phase, since: phase === 'queued' ? task.createdAt : task.createdAt + context.timing.queuedMs };
}

/**
 * Values of `language_boost` (MiniMax §5.4; the same list as SoundClone's, VENDORS.md §2): the 40 languages
 * plus `auto`.
 */
export const languageBoostValues: readonly string[] = [
  'Chinese', 'Chinese,Yue', 'English', 'Arabic', 'Russian', 'Spanish', 'French', 'Portuguese', 'German', 'Turkish',
  'Dutch', 'Ukrainian', 'Vietnamese', 'Indonesian', 'Japanese', 'Italian', 'Korean', 'Thai', 'Polish', 'Romanian',
  'Greek', 'Czech', 'Finnish', 'Hindi', 'Bulgarian', 'Danish', 'Hebrew', 'Malay', 'Persian', 'Slovak', 'Swedish',
  'Croatian', 'Filipino', 'Hungarian', 'Norwegian', 'Slovenian', 'Catalan', 'Nynorsk', 'Tamil', 'Afrikaans', 'auto',
];

const pauseMarker = /<#([^#<>]*)#>/g;

/**
 * `<#x#>` pause markers: x seconds from 0.01 to 99.99 with at most two decimals, only between speakable
 * text (not first, not last), never two in a row.
 */
export function pauseMarkerProblem(text: string): string | undefined {
  const markers = [...text.matchAll(pauseMarker)];
  let previousEnd = 0;
  for (const [index, marker] of markers.entries()) {
    const value = marker[1]!;
    if (!/^\d{1,2}(\.\d{1,2})?$/.test(value) || Number(value) < 0.01) {
      return `pause marker ${marker[0]} must hold seconds from 0.01 to 99.99 with at most two decimals`;
    }
    const before = text.slice(previousEnd, marker.index);
    if (before.trim() === '') {
      return index === 0 ? `pause marker ${marker[0]} must follow speakable text` : `pause markers must not follow each other (${marker[0]})`;
    }
    previousEnd = marker.index + marker[0].length;
  }
  if (markers.length > 0 && text.slice(previousEnd).trim() === '') return 'a pause marker must be followed by speakable text';
  return undefined;
}

/** The text with pause markers replaced by spaces: what the audio maker reads aloud. */
export function speakableText(text: string): string {
  return text.replace(pauseMarker, ' ');
}
