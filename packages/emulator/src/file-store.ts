import { randomUUID } from 'node:crypto';

import type { VendorId } from './vendor.js';

export interface StoredFile {
  bytes: Uint8Array;
  /** The vendor whose answer named the file: its download faults apply. */
  vendor?: VendorId;
  contentType: string;
  /** Emulator clock time after which downloads answer 404 (the vendor's URL lifetime). */
  expiresAt?: number;
}

/** Files the emulator serves at `<base>/files/<id>`: rendered audio, previews, uploaded samples. */
export class FileStore {
  readonly #files = new Map<string, StoredFile>();

  put(file: StoredFile, id: string = randomUUID()): string {
    this.#files.set(id, file);
    return id;
  }

  get(id: string, now: number): StoredFile | undefined {
    const file = this.#files.get(id);
    if (!file || (file.expiresAt !== undefined && file.expiresAt <= now)) return undefined;
    return file;
  }

  clear(): void {
    this.#files.clear();
  }
}
