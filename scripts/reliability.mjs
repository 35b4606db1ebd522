// The full reliability run (issue 9): the crash harness (test/crash) and the fault matrix (test/faults)
// at full size, then the figures docs/reliability.md quotes. CI runs a small seeded sample of both.
//
//   node scripts/reliability.mjs            # both (takes several minutes)
//   node scripts/reliability.mjs crash      # or: faults
//   VOXFORM_CRASH_SEED=… VOXFORM_FAULT_SEED=… node scripts/reliability.mjs   # repeat a run
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const which = process.argv[2];
if (which !== undefined && which !== 'crash' && which !== 'faults') {
  console.error(`usage: node scripts/reliability.mjs [crash|faults] (got '${which}')`);
  process.exit(1);
}
const suites = which === 'crash' ? ['test/crash'] : which === 'faults' ? ['test/faults'] : ['test/crash', 'test/faults'];

const folder = mkdtempSync(path.join(tmpdir(), 'voxform-reliability-'));
const reportFile = path.join(folder, 'report.jsonl');
const started = Date.now();
const run = spawnSync('npx', ['--yes', packageManager, 'vitest', 'run', ...suites], {
  stdio: 'inherit',
  env: { ...process.env, VOXFORM_RELIABILITY: 'full', VOXFORM_RELIABILITY_REPORT: reportFile },
  shell: process.platform === 'win32',
});
const minutes = ((Date.now() - started) / 60_000).toFixed(1);

let records = [];
try {
  records = readFileSync(reportFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
} catch {
  // No report: the tests did not get as far as writing one.
}
rmSync(folder, { recursive: true, force: true });

const lines = [`\nReliability run (${new Date().toISOString().slice(0, 10)}, ${minutes} min, node ${process.version})`];
const sum = (items, pick) => items.reduce((total, item) => total + pick(item), 0);

for (const crash of records.filter((record) => record.type === 'crash')) {
  lines.push(
    '',
    `Crash harness (VOXFORM_CRASH_SEED=${crash.seed}): ${crash.kills} SIGKILLs in ${crash.rounds} rounds of examples/multi-vendor (5 vendors, 6 lines), ${crash.applies} applies.`,
    `  kills survived: ${crash.problems.length === 0 ? crash.kills : `NOT ALL (${crash.problems.length} problems)`}; damaged lockfiles after a kill: ${crash.damagedLockfiles}; lost renders: ${crash.lostRenders}`,
    `  lines rendered in the end: ${crash.linesRendered} of ${crash.rounds * 6}; duplicate billable calls voxform made on its own: ${crash.duplicatesOnItsOwn}`,
    `  killed inside a billable call with nothing to look it up by (apply then refused to send it again): ${crash.unknownOutcomes}; billed again after \`--replace\` as told: ${crash.paidAgainOnRequest}`,
    `  where the kills landed: ${Object.entries(crash.phases).sort((a, b) => b[1] - a[1]).map(([phase, count]) => `${phase} ${count}`).join(', ')}`,
  );
  for (const problem of crash.problems) lines.push(`  ✗ ${problem}`);
}

const cells = records.filter((record) => record.type === 'fault');
if (cells.length > 0) {
  const ran = cells.filter((cell) => cell.outcome !== 'skipped');
  const vendors = [...new Set(cells.map((cell) => cell.vendor))];
  const faults = [...new Set(cells.map((cell) => cell.fault))];
  lines.push(
    '',
    `Fault matrix (VOXFORM_FAULT_SEED=${cells[0].seed}): ${ran.length} of ${cells.length} cells run (${vendors.length} vendors × ${faults.length} faults), ${cells.length - ran.length} skipped.`,
    `  completed under the fault: ${ran.filter((cell) => cell.outcome === 'completed').length}; stopped with exit 1 and a message naming line, vendor and what to do: ${ran.filter((cell) => cell.outcome === 'stopped').length}`,
    `  lost renders: ${sum(ran, (cell) => cell.lost.length)}; lockfile or file damage: ${sum(ran, (cell) => cell.damaged.length)}; duplicate billable calls voxform made on its own: ${sum(ran, (cell) => cell.duplicatesOnItsOwn.length)}`,
    `  work the vendor may have accepted without saying so, sent again only on \`--replace\`: ${sum(ran, (cell) => cell.replacedOnAdvice.length)} (billed twice as a result: ${sum(ran, (cell) => cell.paidAgainOnRequest.length)})`,
    `  voices the vendor had lost, created again on \`--refresh\` as told: ${sum(ran, (cell) => cell.recreatedAfterLoss?.length ?? 0)}`,
    '',
    `| fault | ${vendors.join(' | ')} |`,
    `|---|${vendors.map(() => '---|').join('')}`,
  );
  const mark = (cell) => {
    if (!cell) return '–';
    if (cell.outcome === 'skipped') return 'skipped';
    const replaced = cell.replacedOnAdvice.length > 0 ? ` +${cell.replacedOnAdvice.length} replace` : '';
    return cell.outcome === 'completed' ? 'completed' : `stopped${replaced}`;
  };
  for (const fault of faults) {
    lines.push(`| ${fault} | ${vendors.map((vendor) => mark(cells.find((cell) => cell.fault === fault && cell.vendor === vendor))).join(' | ')} |`);
  }
  for (const cell of cells.filter((item) => item.outcome === 'skipped')) lines.push(`  skipped ${cell.vendor} × ${cell.fault}: ${cell.skipReason}`);
}

lines.push('', run.status === 0 ? 'All reliability tests passed.' : `Reliability tests FAILED (vitest exit ${run.status ?? run.signal}): see above.`);
console.log(lines.join('\n'));
process.exit(run.status ?? 1);
