/*
 * Small readers of vendor answers that every adapter needs. Kept here (adapters import only http/,
 * errors/ and the contract) so each vendor folder maps its wire format and nothing else.
 */

/**
 * Passes a task status on only when it changed, whether it comes from the create answer or a poll,
 * so progress shows `queueing → processing` once each.
 */
export function statusReporter(context: { reportStatus(status: string): void }): (status: string) => void {
  let last: string | undefined;
  return (status) => {
    if (status === last) return;
    last = status;
    context.reportStatus(status);
  };
}

/** A vendor id that may come as a string or a number (int64 ids often do); undefined when empty or absent. */
export function vendorId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** An HTTP `Date` header as an ISO time: the vendor's own clock, for `VoiceCheck.vendorTime`. */
export function headerTime(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const time = Date.parse(header);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
