import type { VendorId } from './vendor.js';

/** What the emulator saw of one request, for assertions like "no vendor call was made twice". */
export interface CallEntry {
  vendor: VendorId;
  method: string;
  /** The path after the vendor's prefix, without the query string (`/v1/voice_clone`). */
  path: string;
  /** HTTP status answered; 0 when the connection was dropped. */
  status: number;
  /** Emulator clock time of the request (ms since epoch). */
  time: number;
  /** The fault injected instead of the vendor's answer, if any. */
  fault?: string;
  /**
   * Set when the request created billable work the vendor accepted: what kind, and a key naming the
   * work (the voice id, or a digest of voice + text), so tests can find the same work billed twice.
   */
  billable?: { kind: 'clone' | 'synthesis' | 'upload'; key: string };
}

export class CallLog {
  readonly #entries: CallEntry[] = [];

  add(entry: CallEntry): void {
    this.#entries.push(entry);
  }

  entries(filter: { vendor?: VendorId } = {}): CallEntry[] {
    return this.#entries.filter((entry) => !filter.vendor || entry.vendor === filter.vendor);
  }

  /** Billable work the vendor accepted, optionally for one vendor. */
  billable(filter: { vendor?: VendorId } = {}): CallEntry[] {
    return this.entries(filter).filter((entry) => entry.billable);
  }

  /** Billable keys accepted more than once: the work voxform must never pay for twice. */
  duplicates(): Array<{ vendor: VendorId; kind: string; key: string; count: number }> {
    const counts = new Map<string, { vendor: VendorId; kind: string; key: string; count: number }>();
    for (const entry of this.billable()) {
      const id = `${entry.vendor}\u0000${entry.billable!.kind}\u0000${entry.billable!.key}`;
      const current = counts.get(id) ?? { vendor: entry.vendor, kind: entry.billable!.kind, key: entry.billable!.key, count: 0 };
      current.count++;
      counts.set(id, current);
    }
    return [...counts.values()].filter((item) => item.count > 1);
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
