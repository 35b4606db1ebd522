// Types of scripts/audit.mjs, for its test.
export type AuditResult =
  | { ok: true; counts: Record<'critical' | 'high' | 'moderate' | 'low' | 'info', number>; advisories: Array<{ module: string; severity: string; title: string; url: string; vulnerable: string; patched?: string; paths: string[] }>; dependencies?: number }
  | { ok: false; reason: string };
export function readAudit(stdout: string): AuditResult;
export function judgeAudit(production: AuditResult, all: AuditResult, options?: { required?: boolean }): { exitCode: number; lines: string[] };
