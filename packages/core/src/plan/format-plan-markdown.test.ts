import { describe, expect, it } from 'vitest';
import { summarize } from './create-plan.js';
import { estimateCost, type ProviderPricing } from './estimate-cost.js';
import { formatPlanMarkdown, PLAN_COMMENT_MARKER } from './format-plan-markdown.js';
import type { Plan, PlannedChange, PlannedLineChange } from './plan-types.js';

const line = (address: string, action: PlannedLineChange['action'], characters: number, provider = 'minimax', extra: Partial<PlannedLineChange> = {}): PlannedChange => ({
  kind: 'line', address, action, reason: action === 'render' ? 'new line' : 'text changed', provider,
  characters: action === 'render' || action === 'rerender' ? characters : 0,
  script: address.split('/')[0]!, voice: 'narrator', key: 'k', file: `out/${address}.mp3`, ...extra,
});
const capabilities = (provider: string) => ({ free: provider === 'local', persistentVoices: true });

function planOf(changes: PlannedChange[], pricing: Record<string, ProviderPricing> = {}): Plan {
  const cost = estimateCost({ changes, pricing: (provider) => pricing[provider], capabilities });
  return { changes, summary: summarize(changes, 0, cost) };
}

const changes: PlannedChange[] = [
  { kind: 'voice', address: 'voice.narrator', action: 'create', reason: 'new voice', provider: 'minimax', characters: 0, voice: 'narrator' },
  line('chapter-01/0001', 'render', 2_000),
  line('chapter-01/0002', 'rerender', 500, 'vidu'),
  line('chapter-01/0003', 'restore', 80, 'minimax', { reason: 'output missing; audio in cache' }),
  line('chapter-02/intro', 'move', 10, 'minimax', { from: 'out/old|name.mp3', reason: 'path changed from out/old|name.mp3' }),
];

describe('formatPlanMarkdown', () => {
  it('puts the totals first, then one collapsible section per group with its changes', () => {
    const markdown = formatPlanMarkdown(planOf(changes, { minimax: { perMillionCharacters: 100, perVoiceClone: 3, currency: 'USD' } }));
    const lines = markdown.split('\n');
    expect(lines.slice(0, 3)).toEqual([PLAN_COMMENT_MARKER, '### voxform plan', '']);
    expect(lines[3]).toBe('**Plan: 1 voice to create, 2 lines to render (2,500 characters: minimax 2,000, vidu 500), 1 to restore, 1 to move, 0 to delete.**');
    expect(lines[5]).toBe('Estimated cost: at least \\$3.20 (minimax \\$3.20, vidu unknown). Unknown: no pricing: set providers.vidu.pricing.');
    expect(lines.slice(7, 11)).toEqual([
      '| provider | voices to create | lines to render | characters | estimated cost |',
      '|---|---:|---:|---:|---:|',
      '| minimax | 1 | 1 | 2,000 | \\$3.20 |',
      '| vidu | 0 | 1 | 500 | unknown |',
    ]);
    expect(lines[11]).toBe('| **total** | **1** | **2** | **2,500** | **at least \\$3.20** |');

    // Totals come before any section; the sections come in plan order.
    const summaries = lines.filter((text) => text.startsWith('<summary>'));
    expect(summaries).toEqual([
      '<summary>Voices: 1 to create</summary>',
      '<summary>Script <code>chapter-01</code>: 1 to render, 1 to re-render, 1 to restore (2,500 characters)</summary>',
      '<summary>Script <code>chapter-02</code>: 1 to move</summary>',
    ]);
    expect(lines.indexOf('<details>')).toBeGreaterThan(11);
    expect(lines.filter((text) => text === '<details>')).toHaveLength(3);
    expect(lines.filter((text) => text === '</details>')).toHaveLength(3);
    expect(lines).toContain('| `+` | `voice.narrator` | create | minimax | new voice |');
    expect(lines).toContain('| `+` | `chapter-01/0001` | render | `out/chapter-01/0001.mp3` | 2,000 (minimax) | new line |');
    expect(lines).toContain('| `<=` | `chapter-01/0003` | restore | `out/chapter-01/0003.mp3` |  | output missing; audio in cache |');
    // A pipe in a path or reason does not break the table.
    expect(lines).toContain('| `→` | `chapter-02/intro` | move | `out/old\\|name.mp3` → `out/chapter-02/intro.mp3` |  | path changed from out/old\\|name.mp3 |');
  });

  it('says there is nothing to do, with the marker, when the plan is empty', () => {
    expect(formatPlanMarkdown(planOf([]))).toBe(`${PLAN_COMMENT_MARKER}\n### voxform plan\n\n**No changes. Voices and audio are up to date.**\n`);
  });

  it('marks free providers as free and keeps a big plan within limits, saying how many rows it left out', () => {
    const many = Array.from({ length: 30 }, (_, index) => line(`book/${String(index + 1).padStart(4, '0')}`, 'render', 10, 'local'));
    const markdown = formatPlanMarkdown(planOf(many), { maxRowsPerGroup: 25 });
    expect(markdown).toContain('| local | 0 | 30 | 300 | free |');
    expect(markdown).toContain('| **total** | **0** | **30** | **300** | **free** |');
    expect(markdown.split('\n').filter((text) => text.startsWith('| `+` | `book/'))).toHaveLength(25);
    expect(markdown).toContain('… and 5 more: run `voxform plan` to see them all.');
  });

  it('escapes what would turn into HTML, links or emphasis', () => {
    const markdown = formatPlanMarkdown(planOf([line('s/0001', 'rerender', 5, 'local', { reason: 'voice <b>x</b> changed [link](http://x) *now*' })]));
    expect(markdown).toContain('voice &lt;b&gt;x&lt;/b&gt; changed \\[link\\](http://x) \\*now\\*');
  });
});
