/**
 * Defaults for how much a vendor (or whatever answers at its url) may send. Without a cap, an endpoint
 * that misbehaves — or is not the vendor — could fill the disk or the memory.
 */

/**
 * Largest audio file accepted for one line or voice preview: 1 GiB. The longest line any provider takes
 * (MiniMax, 50,000 characters, about 50 minutes of speech) is under 600 MB even as 48 kHz stereo WAV.
 */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024;

/** Largest API answer read into memory (JSON, an error page, a sample fetched to upload it again): 64 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** `1 GiB`, `64 MiB` for round sizes, otherwise `1048586 bytes`: a limit as people set it. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
