import { formatMoney } from './estimate-cost.js';
import type { Plan, PlannedChange } from './plan-types.js';

/** Marks voxform's pull-request comment, so a workflow finds and updates it instead of adding another. */
export const PLAN_COMMENT_MARKER = '<!-- voxform-plan -->';

export interface PlanMarkdownOptions {
  /** Most changes listed per script (or for the voices) before "… and N more"; default 100. */
  maxRowsPerGroup?: number;
  /** Most changes listed in all; default 1,000 (GitHub refuses comments over 65,536 characters). */
  maxRows?: number;
}

const symbols: Record<PlannedChange['action'], string> = {
  create: '+', render: '+', replace: '-/+', rerender: '-/+', restore: '<=', move: '→', delete: '-', assemble: '+', reassemble: '-/+',
};
const numberFormat = new Intl.NumberFormat('en-US');

/**
 * The plan as a pull-request comment: the totals first (the summary, the cost, a table per provider),
 * then one collapsible `<details>` per group — voices, then each script — listing its changes.
 */
export function formatPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const maxRowsPerGroup = options.maxRowsPerGroup ?? 100;
  let rowsLeft = options.maxRows ?? 1_000;
  const out: string[] = [PLAN_COMMENT_MARKER, '### voxform plan', ''];
  if (plan.changes.length === 0) {
    out.push(`**${escapeText(plan.summary.text)}**`);
    return `${out.join('\n')}\n`;
  }
  out.push(`**${escapeText(plan.summary.text)}**`, '');
  if (plan.summary.cost?.text) out.push(escapeText(plan.summary.cost.text), '');
  out.push(...providerTable(plan), '');

  const groups = new Map<string, PlannedChange[]>();
  for (const change of plan.changes) {
    const group = change.kind === 'voice' ? '' : change.script;
    groups.set(group, [...(groups.get(group) ?? []), change]);
  }
  for (const [group, changes] of groups) {
    const title = group === '' ? 'Voices' : `Script <code>${escapeHtml(group)}</code>`;
    const characters = changes.reduce((sum, change) => sum + change.characters, 0);
    const counts = countActions(changes);
    const billed = characters > 0 ? ` (${numberFormat.format(characters)} characters)` : '';
    out.push('<details>', `<summary>${title}: ${counts}${billed}</summary>`, '');
    const header = group === '' ? ['', 'voice', 'action', 'provider', 'reason'] : ['', 'line', 'action', 'file', 'characters', 'reason'];
    out.push(`| ${header.join(' | ')} |`, `|${header.map((_, index) => (header[index] === 'characters' ? '---:' : '---')).join('|')}|`);
    const shown = changes.slice(0, Math.max(0, Math.min(maxRowsPerGroup, rowsLeft)));
    rowsLeft -= shown.length;
    for (const change of shown) {
      const cells =
        change.kind === 'voice'
          ? [code(symbols[change.action]), code(change.address), change.action, change.provider, escapeText(change.reason)]
          : [
              code(symbols[change.action]),
              code(change.address),
              change.action,
              change.action === 'move' ? `${code(change.from ?? '')} → ${code(change.file)}` : code(change.file),
              change.characters > 0 ? `${numberFormat.format(change.characters)} (${change.provider})` : '',
              escapeText(change.reason),
            ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    if (shown.length < changes.length) out.push('', `… and ${numberFormat.format(changes.length - shown.length)} more: run \`voxform plan\` to see them all.`);
    out.push('', '</details>', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Per provider: lines to render, characters, cost — then the total. */
function providerTable(plan: Plan): string[] {
  const rows = new Map<string, { voices: number; lines: number; characters: number }>();
  for (const change of plan.changes) {
    const row = rows.get(change.provider) ?? { voices: 0, lines: 0, characters: 0 };
    if (change.kind === 'voice' && change.action !== 'delete') row.voices++;
    if (change.kind === 'line' && (change.action === 'render' || change.action === 'rerender')) row.lines++;
    row.characters += change.characters;
    rows.set(change.provider, row);
  }
  const cost = plan.summary.cost;
  const costOf = (provider: string): string => {
    const estimate = cost?.byProvider.find((entry) => entry.provider === provider);
    if (!estimate) return 'free';
    return estimate.known ? escapeText(formatMoney(estimate.amount, estimate.currency)) : 'unknown';
  };
  const lines = ['| provider | voices to create | lines to render | characters | estimated cost |', '|---|---:|---:|---:|---:|'];
  const total = { voices: 0, lines: 0, characters: 0 };
  for (const [provider, row] of [...rows].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (row.voices === 0 && row.lines === 0) continue;
    lines.push(`| ${provider} | ${row.voices} | ${row.lines} | ${numberFormat.format(row.characters)} | ${costOf(provider)} |`);
    total.voices += row.voices;
    total.lines += row.lines;
    total.characters += row.characters;
  }
  if (lines.length === 2) return [];
  const totals = cost ? Object.entries(cost.total).map(([currency, amount]) => escapeText(formatMoney(amount, currency))) : [];
  const totalCost = !cost || cost.byProvider.length === 0 ? 'free' : totals.length === 0 ? 'unknown' : `${cost.complete ? '' : 'at least '}${totals.join(' + ')}`;
  lines.push(`| **total** | **${total.voices}** | **${total.lines}** | **${numberFormat.format(total.characters)}** | **${totalCost}** |`);
  return lines;
}

function countActions(changes: PlannedChange[]): string {
  const counts = new Map<string, number>();
  for (const change of changes) counts.set(change.action, (counts.get(change.action) ?? 0) + 1);
  const words: Record<string, string> = {
    create: 'to create', replace: 'to replace', delete: 'to delete', render: 'to render', rerender: 'to re-render', restore: 'to restore', move: 'to move',
    assemble: 'to assemble', reassemble: 'to re-assemble',
  };
  return [...counts].map(([action, count]) => `${numberFormat.format(count)} ${words[action]}`).join(', ');
}

/** A code span that survives any content: backticks in it get a longer fence, pipes are escaped for tables. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${fence}${padded.replaceAll('|', '\\|')}${fence}`;
}

/** Text in a table cell or paragraph: no HTML, table breaks, emphasis, links or math (`$1 … $2`). */
function escapeText(text: string): string {
  return escapeHtml(text).replace(/[|\\*_`[\]$]/g, (character) => `\\${character}`);
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
