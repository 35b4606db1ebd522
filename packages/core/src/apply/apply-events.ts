import type { LineAction, VoiceAction } from '../plan/plan-types.js';

/**
 * Progress of an apply, as typed events (noun-action). Core only emits them: the CLI draws them with
 * listr2, the React hooks turn them into state.
 */
export type ApplyEvent =
  | {
      type: 'apply-start';
      voices: number;
      /** Lines to produce per script, in manifest order. */
      scripts: Array<{ script: string; lines: number }>;
    }
  | {
      /** The state lock of an apply whose process is gone was removed before this one started. */
      type: 'stale-lock-removed';
      holder: { pid: number; host: string; startedAt: string; command: string };
    }
  /**
   * Work an interrupted apply left pending: `resumed` at the vendor, `cached` (its audio was already
   * stored; recorded without any call), `dropped` (nothing to pay for), `unsettled` (kept; see failures).
   */
  | { type: 'pending-settle'; address: string; outcome: 'resumed' | 'cached' | 'dropped' | 'unsettled' }
  | { type: 'voice-start'; address: string; action: VoiceAction; provider: string }
  | { type: 'voice-end'; address: string; action: VoiceAction; provider: string; error?: string }
  | { type: 'voice-preview-skipped'; address: string; reason: string }
  | { type: 'line-start'; address: string; script: string; action: LineAction; provider: string }
  | { type: 'line-status'; address: string; script: string; status: string }
  | {
      type: 'line-end';
      address: string;
      script: string;
      action: LineAction;
      provider: string;
      characters: number;
      /** Set when the line failed; the message says what to do. */
      error?: string;
      /** Set when the line was not attempted (interrupted, or its voice failed). */
      skipped?: string;
    }
  | {
      /** The provider's concurrency changed: halved after repeated rate limits, or recovering by one. */
      type: 'provider-limit-change';
      provider: string;
      concurrency: number;
      previousConcurrency: number;
      reason: 'rate-limit' | 'recovery';
    }
  | { type: 'assembly-start'; address: string; file: string }
  | {
      type: 'assembly-end';
      address: string;
      file: string;
      /** The measured loudness of the file, LUFS, when a target was applied. */
      integrated?: number;
      error?: string;
      skipped?: string;
    }
  | { type: 'interrupt'; level: 1 | 2; message: string }
  | { type: 'apply-end'; summary: ApplySummary };

export interface ApplySummary {
  voices: { done: number; failed: number };
  /** `rendered`: lines synthesised by a vendor (billable calls); the rest of `done` were restored, moved or deleted. */
  lines: { done: number; rendered: number; failed: number; skipped: number };
  /**
   * Chapter files assembled or deleted, failed, and skipped because a line of theirs is missing.
   * `deleted`: of `done`, files removed because their script is no longer assembled (`--prune`).
   */
  assemblies: { done: number; deleted: number; failed: number; skipped: number };
  /** Characters sent to vendors for rendering. */
  characters: number;
  /**
   * What failed and why, one entry per failure counted above, plus work an earlier apply left pending
   * that could not be settled.
   */
  failures: Array<{
    address: string;
    provider: string;
    message: string;
    /**
     * Set when the vendor may already have billed this work and apply will not send it again on its
     * own: the address `voxform apply --replace <address>` takes to send it anyway, once the user has
     * checked. Another apply alone never does it.
     */
    replaceAddress?: string;
  }>;
  interrupted: boolean;
  durationMs: number;
}

/** The summary of an apply that has done nothing yet. */
export function emptyApplySummary(): ApplySummary {
  return {
    voices: { done: 0, failed: 0 },
    lines: { done: 0, rendered: 0, failed: 0, skipped: 0 },
    assemblies: { done: 0, deleted: 0, failed: 0, skipped: 0 },
    characters: 0,
    failures: [],
    interrupted: false,
    durationMs: 0,
  };
}
