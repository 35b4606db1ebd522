import { describe, expect, it } from 'vitest';
import { judgeAudit, readAudit } from '../scripts/audit.mjs';

// The CI audit step's policy, on what `pnpm audit --json` prints (its format: npm's v1 audit report).
function report(advisories: Array<{ module: string; severity: string }>) {
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 } as Record<string, number>;
  for (const advisory of advisories) counts[advisory.severity]!++;
  return JSON.stringify({
    actions: [],
    advisories: Object.fromEntries(
      advisories.map((advisory, index) => [
        String(1000 + index),
        {
          id: 1000 + index,
          module_name: advisory.module,
          severity: advisory.severity,
          title: `${advisory.module} is vulnerable`,
          url: `https://github.com/advisories/GHSA-${index}`,
          vulnerable_versions: '<9.9.9',
          patched_versions: '>=9.9.9',
          findings: [{ version: '1.0.0', paths: [`packages__core>${advisory.module}`] }],
        },
      ]),
    ),
    muted: [],
    metadata: { vulnerabilities: counts, dependencies: 120, devDependencies: 0, optionalDependencies: 0, totalDependencies: 120 },
  });
}

describe('scripts/audit.mjs', () => {
  it('fails on a high or critical advisory in a production dependency, naming it', () => {
    const production = readAudit(report([{ module: 'undici', severity: 'high' }]));
    const { exitCode, lines } = judgeAudit(production, production);
    expect(exitCode).toBe(1);
    expect(lines[0]).toBe('production dependencies: 0 critical, 1 high, 0 moderate, 0 low, 0 info (120 packages)');
    expect(lines).toContain('  high     undici <9.9.9 (production): undici is vulnerable https://github.com/advisories/GHSA-0 — fixed in >=9.9.9');
    expect(lines.at(-1)).toMatch(/^✗ 1 high or critical advisory in production dependencies/);
  });

  it('prints but passes moderate production advisories and anything only in development dependencies', () => {
    const production = readAudit(report([{ module: 'yaml', severity: 'moderate' }]));
    const all = readAudit(report([{ module: 'yaml', severity: 'moderate' }, { module: 'vite', severity: 'critical' }]));
    const { exitCode, lines } = judgeAudit(production, all);
    expect(exitCode).toBe(0);
    expect(lines.some((line) => line.includes('critical vite <9.9.9 (development only)'))).toBe(true);
    expect(lines.at(-1)).toBe('✓ No high or critical advisory in production dependencies.');
  });

  it('says the result is unknown when the endpoint refuses, failing only when required', () => {
    const refused = readAudit(JSON.stringify({ error: { code: 'ERR_PNPM_AUDIT_BAD_RESPONSE', message: 'The audit endpoint responded with 405' } }));
    expect(refused).toEqual({ ok: false, reason: 'ERR_PNPM_AUDIT_BAD_RESPONSE: The audit endpoint responded with 405' });
    expect(judgeAudit(refused, refused).exitCode).toBe(0);
    expect(judgeAudit(refused, refused).lines.at(-1)).toMatch(/^! The dependency audit could not run, so its result is unknown/);
    expect(judgeAudit(refused, refused, { required: true }).exitCode).toBe(1);
    expect(readAudit('getaddrinfo ENOTFOUND registry.npmjs.org\n')).toEqual({ ok: false, reason: 'getaddrinfo ENOTFOUND registry.npmjs.org' });
  });
});
