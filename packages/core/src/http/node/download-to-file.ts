import { createHash } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { ApiCallError } from '../../errors/api-call-error.js';
import { createHttpClient, type RetrySettings } from '../create-http-client.js';
import { describeNetworkError, isNetworkError } from '../describe-network-error.js';
import { DEFAULT_MAX_DOWNLOAD_BYTES, formatBytes } from '../size-limits.js';
import type { HttpEvent } from '../http-events.js';

export interface DownloadToFileOptions {
  /** Aborts the download at once; the partial file is removed and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Request headers (an Authorization header…). Never logged. */
  headers?: Record<string, string>;
  /** Largest accepted body in bytes; a larger one (declared or streamed) fails the download. Default {@link DEFAULT_MAX_DOWNLOAD_BYTES} (1 GiB). */
  maxBytes?: number;
  /** Name for messages and events. Default: the url's host. */
  provider?: string;
  /** Strings that must never appear in errors or events (a signed url's token, an API key). */
  secrets?: readonly (string | undefined)[];
  /** An undici `Agent` (see `createNodeDispatcher`). */
  dispatcher?: object;
  /** The fetch to call. Default: `globalThis.fetch`, looked up at call time. */
  fetch?: typeof fetch;
  /** Retries until the answer's headers are in (downloads cost nothing). Default: the client's defaults. */
  retry?: RetrySettings;
  /** Time allowed until the answer's headers arrive, in ms. Default 300 000. */
  timeoutMs?: number;
  onEvent?: (event: HttpEvent) => void;
}

/**
 * Streams `url` into `file` (its directory is created) while computing the body's sha256: memory stays
 * flat whatever the size. Enforces `maxBytes`, and removes the partial file on any failure. Failures
 * are {@link ApiCallError}s (a body cut off midway is retryable), or the signal's reason.
 */
export async function downloadToFile(url: string, file: string, options: DownloadToFileOptions = {}): Promise<{ sha256: string; bytes: number }> {
  const provider = options.provider ?? hostOf(url);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const secrets = options.secrets ?? [];
  const client = createHttpClient({
    provider,
    secrets,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const { value: body, headers, status } = await client.request({
    path: url,
    responseType: 'stream',
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const failure = (problem: string, isRetryable: boolean, cause?: unknown) =>
    new ApiCallError({ provider, method: 'GET', url, status, problem, isRetryable, secrets, ...(cause === undefined ? {} : { cause }) });
  const tooLarge = (bytes: string) =>
    failure(`the file is larger than the limit of ${formatBytes(maxBytes)} (${bytes})`, false);

  const declared = Number(headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    void body.cancel().catch(() => {});
    throw tooLarge(`${declared} bytes announced`);
  }

  const reader = body.getReader();
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(file, 'w');
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        options.signal?.throwIfAborted();
        bytes += value.byteLength;
        if (bytes > maxBytes) throw tooLarge(`more than ${bytes} bytes received`);
        hash.update(value);
        await handle.write(value);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    void reader.cancel().catch(() => {});
    await rm(file, { force: true });
    if (options.signal?.aborted) throw options.signal.reason;
    if (isNetworkError(error)) throw failure(`the download broke off after ${bytes} bytes: ${describeNetworkError(error).detail}`, true, error);
    throw error;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'download';
  }
}
