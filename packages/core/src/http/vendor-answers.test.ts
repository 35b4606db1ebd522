import { describe, expect, it } from 'vitest';
import { headerTime, statusReporter, vendorId } from './vendor-answers.js';

describe('vendor answer readers', () => {
  it('reports each status change once', () => {
    const seen: string[] = [];
    const report = statusReporter({ reportStatus: (status) => seen.push(status) });
    for (const status of ['queueing', 'queueing', 'processing', 'processing', 'success']) report(status);
    expect(seen).toEqual(['queueing', 'processing', 'success']);
  });

  it('reads ids given as strings or numbers, and nothing else', () => {
    expect(vendorId(95157322514444)).toBe('95157322514444');
    expect(vendorId('task-1')).toBe('task-1');
    expect(vendorId('  ')).toBeUndefined();
    expect(vendorId(Number.NaN)).toBeUndefined();
    expect(vendorId({ id: 1 })).toBeUndefined();
  });

  it('turns a Date header into an ISO time, ignoring what is not a date', () => {
    expect(headerTime('Sun, 29 Nov 2026 10:00:00 GMT')).toBe('2026-11-29T10:00:00.000Z');
    expect(headerTime('yesterday-ish')).toBeUndefined();
    expect(headerTime(null)).toBeUndefined();
  });
});
