// CI's dependency audit (`npm run audit`): the pinned pnpm's `pnpm audit`, over the production
// dependencies and over all of them, printed as a summary. The policy (docs/security.md):
// - a high or critical advisory in a production dependency (code users run) fails: exit 1;
// - anything lower, or only in development dependencies (tests, build tools), is printed, not fatal;
// - when the registry's audit endpoint cannot be reached or refuses the request, the result is unknown:
//   said loudly, exit 0 — unless VOXFORM_AUDIT_REQUIRED=1, for a CI that must not pass unaudited.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const severities = ['critical', 'high', 'moderate', 'low', 'info'];
const failing = new Set(['critical', 'high']);

/**
 * What `pnpm audit --json` printed, as `{ ok: true, counts, advisories }`, or `{ ok: false, reason }`
 * when it is no audit result (an error of the registry or the network).
 */
export function readAudit(stdout) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    const reason = stdout.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? 'no output';
    return { ok: false, reason };
  }
  if (report?.error) return { ok: false, reason: `${report.error.code ?? 'error'}: ${report.error.message ?? ''}`.trim() };
  if (!report?.metadata?.vulnerabilities || typeof report.advisories !== 'object') return { ok: false, reason: 'unexpected output of pnpm audit --json' };
  const counts = Object.fromEntries(severities.map((severity) => [severity, Number(report.metadata.vulnerabilities[severity] ?? 0)]));
  const advisories = Object.values(report.advisories)
    .map((advisory) => ({
      module: advisory.module_name,
      severity: advisory.severity,
      title: advisory.title,
      url: advisory.url,
      vulnerable: advisory.vulnerable_versions,
      patched: advisory.patched_versions,
      paths: [...new Set((advisory.findings ?? []).flatMap((finding) => finding.paths ?? []))],
    }))
    .sort((a, b) => severities.indexOf(a.severity) - severities.indexOf(b.severity) || String(a.module).localeCompare(String(b.module)));
  return { ok: true, counts, advisories, dependencies: report.metadata.totalDependencies ?? report.metadata.dependencies };
}

/** The decision and the lines to print, from the production and the full audit. */
export function judgeAudit(production, all, { required = false } = {}) {
  const lines = [];
  const describe = (name, audit) => {
    if (!audit.ok) return `${name}: not audited (${audit.reason})`;
    const counts = severities.map((severity) => `${audit.counts[severity]} ${severity}`).join(', ');
    return `${name}: ${counts}${audit.dependencies ? ` (${audit.dependencies} packages)` : ''}`;
  };
  lines.push(describe('production dependencies', production), describe('all dependencies', all));
  const listed = new Set();
  for (const [scope, audit] of [['production', production], ['development only', all]]) {
    if (!audit.ok) continue;
    for (const advisory of audit.advisories) {
      const id = `${advisory.module} ${advisory.url}`;
      if (listed.has(id)) continue;
      listed.add(id);
      lines.push(`  ${advisory.severity.padEnd(8)} ${advisory.module} ${advisory.vulnerable} (${scope}): ${advisory.title} ${advisory.url}${advisory.patched ? ` — fixed in ${advisory.patched}` : ''}`);
    }
  }
  const blocking = production.ok ? production.advisories.filter((advisory) => failing.has(advisory.severity)) : [];
  if (blocking.length > 0) {
    lines.push(`✗ ${blocking.length} high or critical advisor${blocking.length === 1 ? 'y' : 'ies'} in production dependencies: update them (pnpm update <package>) or pin a fixed version.`);
    return { exitCode: 1, lines };
  }
  if (!production.ok) {
    lines.push(
      `${required ? '✗' : '!'} The dependency audit could not run, so its result is unknown. ` +
        (required ? 'VOXFORM_AUDIT_REQUIRED=1: failing.' : 'Not failing CI for it (set VOXFORM_AUDIT_REQUIRED=1 to fail); see docs/security.md.'),
    );
    return { exitCode: required ? 1 : 0, lines };
  }
  lines.push('✓ No high or critical advisory in production dependencies.');
  return { exitCode: 0, lines };
}

function runAudit(extraArgs) {
  const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const result = spawnSync('npx', ['--yes', packageManager, 'audit', '--json', ...extraArgs], {
    encoding: 'utf8',
    shell: process.platform === 'win32',
    timeout: 120_000,
  });
  return readAudit(`${result.stdout ?? ''}${result.stdout ? '' : (result.stderr ?? result.error?.message ?? '')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log('Dependency audit (pnpm audit, registry advisories):');
  const { exitCode, lines } = judgeAudit(runAudit(['--prod']), runAudit([]), { required: process.env.VOXFORM_AUDIT_REQUIRED === '1' });
  for (const line of lines) console.log(line);
  process.exit(exitCode);
}
