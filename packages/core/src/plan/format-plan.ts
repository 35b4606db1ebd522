import type { Plan, PlannedChange } from './plan-types.js';

const symbols: Record<PlannedChange['action'], string> = {
  create: '+',
  render: '+',
  replace: '-/+',
  rerender: '-/+',
  assemble: '+',
  reassemble: '-/+',
  restore: '<=',
  move: '→',
  delete: '-',
};

/** The plan as people read it: one line per change, grouped by voice and script, then the summary. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  let group = '';
  for (const change of plan.changes) {
    const changeGroup = change.kind === 'voice' ? 'voices' : change.kind === 'assembly' ? 'assemblies' : change.script;
    if (changeGroup !== group) {
      if (group !== '') lines.push('');
      lines.push(change.kind === 'voice' ? 'Voices:' : change.kind === 'assembly' ? 'Chapters:' : `Script ${change.script}:`);
      group = changeGroup;
    }
    const piecesCached = change.kind === 'line' ? (change.piecesCached ?? 0) : 0;
    const pieces =
      change.kind === 'line' && change.pieces && change.characters > 0 ? (piecesCached > 0 ? ` in ${change.pieces - piecesCached} of ${change.pieces} pieces` : ` in ${change.pieces} pieces`) : '';
    const characters = change.characters > 0 ? ` (${change.characters} chars${pieces}, ${change.provider})` : '';
    const target =
      change.kind === 'line' ? (change.action === 'move' ? ` ${change.from} → ${change.file}` : ` ${change.file}`) : change.kind === 'assembly' ? ` ${change.file}` : ` (${change.provider})`;
    lines.push(`  ${symbols[change.action].padStart(3)} ${change.address} ${change.action}${target}${characters}: ${change.reason}`);
  }
  if (lines.length > 0) lines.push('');
  lines.push(plan.summary.text);
  // `?.`: a plan file saved by a voxform without cost estimates has none.
  if (plan.summary.cost?.text) lines.push(plan.summary.cost.text);
  return lines.join('\n');
}

/** The `--json` shape of DESIGN §5: no-ops left out, one object per change. */
export function planToJson(plan: Plan): {
  changes: Array<Pick<PlannedChange, 'address' | 'kind' | 'action' | 'reason' | 'provider' | 'characters'> & { pieces?: number; piecesCached?: number; awaitsReplace?: true }>;
  summary: Plan['summary'];
} {
  return {
    changes: plan.changes.map((change) => {
      const { address, kind, action, reason, provider, characters } = change;
      return {
        address, kind, action, reason, provider, characters,
        ...(change.kind === 'line' && change.pieces ? { pieces: change.pieces } : {}),
        ...(change.kind === 'line' && change.piecesCached ? { piecesCached: change.piecesCached } : {}),
        ...((change.kind === 'line' || change.kind === 'voice') && change.awaitsReplace ? { awaitsReplace: true as const } : {}),
      };
    }),
    summary: plan.summary,
  };
}
