import { emptyApplySummary, type ApplySummary } from '@voxform/core/node';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../main.js';
import { createTerminal } from '../terminal.js';
import { describeSummary } from './apply.js';

const context = { terminal: createTerminal({ color: false, quiet: false, verbose: false, json: false }) } as CommandContext;

function summaryOf(changes: Partial<ApplySummary> = {}): ApplySummary {
  return { ...emptyApplySummary(), durationMs: 400, ...changes };
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

  describe('what to run next', () => {
    const billed = (address: string) => ({
      address,
      provider: 'vidu',
      message: `it may already have been billed, so voxform will not send it again on its own. Check your Vidu account, then run \`voxform apply --replace ${address}\` to render it anyway`,
      replaceAddress: address,
    });
    const temporary = { address: 'episode-01/0002', provider: 'minimax', message: 'HTTP 503. Run `voxform apply` again to retry it.' };
    const closing = (text: string) => text.split('\n').at(-1)!;

    it('names --replace and the addresses, not a plain apply, when everything left may already have been billed', () => {
      const text = describeSummary(
        summaryOf({ voices: { done: 0, failed: 1 }, lines: { done: 3, rendered: 3, failed: 1, skipped: 1 }, failures: [billed('voice.announcer'), billed('episode-01/0006')] }),
        context,
      );
      expect(text).toMatch(/^Apply finished with failures: 0 voice changes, 3 lines done, 0 characters billed, 1 skipped, 2 failed in 0.4 s\.$/m);
      expect(closing(text)).toContain('`voxform apply --replace voice.announcer episode-01/0006`');
      expect(closing(text)).toContain('may already have been billed');
      expect(closing(text)).not.toContain('run `voxform apply` again');
    });

    it('says both when some of what is left needs only another apply and some needs --replace', () => {
      const text = describeSummary(summaryOf({ lines: { done: 3, rendered: 3, failed: 2, skipped: 0 }, failures: [temporary, billed('episode-01/0006')] }), context);
      expect(closing(text)).toContain('run `voxform apply` again');
      expect(closing(text)).toContain('`voxform apply --replace episode-01/0006`');
    });

    it('says to apply again when nothing left needs --replace', () => {
      const text = describeSummary(summaryOf({ lines: { done: 3, rendered: 3, failed: 1, skipped: 0 }, failures: [temporary] }), context);
      expect(closing(text)).toBe('Everything that finished is recorded in voices.lock; run `voxform apply` again to do the rest.');
    });

    it('says to apply again after an interruption, whatever else is left', () => {
      const text = describeSummary(summaryOf({ lines: { done: 1, rendered: 1, failed: 1, skipped: 2 }, failures: [billed('episode-01/0006')], interrupted: true }), context);
      expect(closing(text)).toContain('run `voxform apply` again');
      expect(closing(text)).toContain('`voxform apply --replace episode-01/0006`');
    });
  });
});
