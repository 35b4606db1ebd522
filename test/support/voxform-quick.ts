// `voxform` with the adapters' waits shortened, for the crash and fault tests: the same CLI, engine,
// adapters and HTTP client as the binary, but polls every 0.1–0.4 s instead of every 2–5 s and retries
// after ~0.1 s instead of ~1 s. A task still running after 30 s (instead of 10–30 min) and a vendor
// silent for 30 s (instead of 5 min) are given up on; the fault tests shorten those two further, through
// VOXFORM_QUICK_TASK_TIMEOUT_MS and VOXFORM_QUICK_REQUEST_TIMEOUT_MS, for the apply that meets stuck
// tasks or a hanging vendor. Everything these tests check (what is recorded, what is sent again, what
// is said) does not depend on how long the waits are.
import { createProviderRegistry, main } from '@voxform/cli';

const milliseconds = (variable: string, fallback: number): number => {
  const value = Number(process.env[variable]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const requestTimeoutMs = milliseconds('VOXFORM_QUICK_REQUEST_TIMEOUT_MS', 30_000);
const quickTimings = {
  retry: { baseDelayMs: 100, maxDelayMs: 1_500 },
  poll: { intervalMs: 100, maxIntervalMs: 400, timeoutMs: milliseconds('VOXFORM_QUICK_TASK_TIMEOUT_MS', 30_000) },
  dispatcher: { headersTimeoutMs: requestTimeoutMs, bodyTimeoutMs: requestTimeoutMs, connectTimeoutMs: 5_000 },
} as const;

process.exitCode = await main(process.argv, {
  providers: () => createProviderRegistry({ retry: quickTimings.retry, poll: quickTimings.poll }),
  dispatcher: quickTimings.dispatcher,
});
