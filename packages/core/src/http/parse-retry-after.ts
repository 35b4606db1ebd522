/**
 * Milliseconds to wait according to a `Retry-After` header: either delay-seconds (`2`, `1.5`) or an
 * HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, measured from `now`). `undefined` when absent or unreadable;
 * a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date always names a month or day; this keeps Date.parse from reading `-3` as a year.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
