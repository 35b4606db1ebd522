import type { CostEstimate } from './estimate-cost.js';

export type VoiceAction = 'create' | 'replace' | 'delete';
export type LineAction = 'render' | 'rerender' | 'restore' | 'move' | 'delete';
export type AssemblyAction = 'assemble' | 'reassemble' | 'delete';

export interface PlannedVoiceChange {
  kind: 'voice';
  /** `voice.<name>`. */
  address: string;
  action: VoiceAction;
  reason: string;
  provider: string;
  /** Characters billed by this change: always 0 for voices (vendors bill clones per voice, not per character). */
  characters: number;
  voice: string;
  /** The fingerprint the voice will have; absent for `delete`. */
  fingerprint?: string;
  /** Set by `--replace`: see {@link PlannedLineChange.forced}. */
  forced?: true;
  /** See {@link PlannedLineChange.awaitsReplace}: apply leaves the clone alone, and it is not counted as one. */
  awaitsReplace?: true;
}

export interface PlannedLineChange {
  kind: 'line';
  address: string;
  action: LineAction;
  reason: string;
  provider: string;
  /** Characters the vendor will bill: the text's length for `render`/`rerender`, else 0. */
  characters: number;
  script: string;
  voice: string;
  /** The render key of the audio this line will have; for `delete`, of the audio removed. */
  key: string;
  /** Output path (relative to the manifest's folder) written, or for `delete` removed. */
  file: string;
  /** How many calls the text is rendered in, when its provider takes it only in pieces; absent: one call. */
  pieces?: number;
  /** For `render`/`rerender` of a split line: how many of its pieces are in the cache (joined from there, not billed). */
  piecesCached?: number;
  /**
   * An interrupted apply started this work (or a piece of it) and the vendor gave nothing to look it up
   * by: it may already have been billed, so apply does not send it again until `--replace` says so.
   * Its characters are not counted.
   */
  awaitsReplace?: true;
  /** For `move`: the output path the audio is moved from. */
  from?: string;
  /** For `move`: the lockfile address the entry is taken over from, when it differs. */
  fromAddress?: string;
  /**
   * Set by `--replace`: the user asks for this line to be rendered again, even when an interrupted
   * apply may already have paid for it (a pending entry with no task to look up).
   */
  forced?: true;
}

/** A chapter file to build from its lines (free: no vendor is called). */
export interface PlannedAssemblyChange {
  kind: 'assembly';
  /** The script's name. */
  address: string;
  action: AssemblyAction;
  reason: string;
  /** Always `voxform`: assembling calls no vendor. */
  provider: string;
  /** Always 0. */
  characters: number;
  script: string;
  /** The key the assembled file will have; for `delete`, the recorded one. */
  key: string;
  file: string;
  forced?: true;
}

export type PlannedChange = PlannedVoiceChange | PlannedLineChange | PlannedAssemblyChange;

export interface PlanSummary {
  voices: Record<VoiceAction, number>;
  lines: Record<LineAction, number>;
  assemblies: Record<AssemblyAction, number>;
  characters: { total: number; byProvider: Record<string, number> };
  /** Rendered lines in the lockfile that the manifest no longer has (kept unless `--prune`). */
  orphans: number;
  /** The estimated cost from `providers.<name>.pricing`; unknown parts are said so, never counted as 0. */
  cost: CostEstimate;
  /** The one-line summary, e.g. `Plan: 1 voice to create, 42 lines to render (3,120 characters: …)…`. */
  text: string;
}

export interface Plan {
  changes: PlannedChange[];
  summary: PlanSummary;
}
