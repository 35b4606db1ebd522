import type { ApplySummary } from '@voxform/core/node';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../main.js';
import { createTerminal } from '../terminal.js';
import { describeSummary } from './apply.js';

const context = { terminal: createTerminal({ color: false, quiet: false, verbose: false, json: false }) } as CommandContext;

function summaryOf(changes: Partial<ApplySummary> = {}): ApplySummary {
  return {
    voices: { done: 0, failed: 0 },
    lines: { done: 0, rendered: 0, failed: 0, skipped: 0 },
    assemblies: { done: 0, deleted: 0, failed: 0, skipped: 0 },
    characters: 0,
    failures: [],
    interrupted: false,
    durationMs: 400,
    ...changes,
  };
}

describe('describeSummary', () => {
  it('counts chapter files deleted with --prune as deleted, never as assembled', () => {
    const text = describeSummary(summaryOf({ voices: { done: 1, failed: 0 }, assemblies: { done: 1, deleted: 1, failed: 0, skipped: 0 } }), context);
    expect(text).toBe('Apply complete: 1 voice change, 0 lines done, 0 characters billed, 1 chapter or book file deleted in 0.4 s.');
  });

  it('counts files assembled and files deleted apart', () => {
    const text = describeSummary(summaryOf({ assemblies: { done: 3, deleted: 1, failed: 0, skipped: 0 } }), context);
    expect(text).toContain('2 chapter or book files assembled, 1 chapter or book file deleted');
  });
});
