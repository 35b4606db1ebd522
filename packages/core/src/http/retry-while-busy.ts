import type { ApiCallError } from '../errors/api-call-error.js';
import { sleep as defaultSleep, type Sleep } from './sleep.js';

export interface RetryWhileBusySettings {
  /** Whether an error is the vendor's "all task slots are taken" refusal (Vidu QuotaExceeded, Kling 1303). */
  isBusy(error: unknown): error is ApiCallError;
  /** Wait between sends when the vendor names no `Retry-After`, in ms. */
  retryDelayMs: number;
  /** How long to keep sending before giving up with the last refusal, in ms. */
  timeoutMs: number;
  signal: AbortSignal;
  sleep?: Sleep;
  now?: () => number;
}

/**
 * Sends a billable create until the vendor has a free task slot. Such a refusal proves the vendor
 * accepted nothing, so sending again can never pay twice; the HTTP client already retries a few
 * times, this keeps going for as long as the account's other tasks may take.
 */
export async function retryWhileBusy<TResult>(send: () => Promise<TResult>, settings: RetryWhileBusySettings): Promise<TResult> {
  const now = settings.now ?? Date.now;
  const sleep = settings.sleep ?? defaultSleep;
  const started = now();
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (!settings.isBusy(error) || now() - started >= settings.timeoutMs) throw error;
      await sleep(error.retryAfterMs ?? settings.retryDelayMs, settings.signal);
    }
  }
}
