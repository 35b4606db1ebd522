// `voxform` with the adapters' waits shortened, for the crash and fault tests: the same CLI, engine,
// adapters and HTTP client as the binary, but polls every 0.1–0.4 s instead of every 2–5 s, retries
// after ~0.1 s instead of ~1 s, gives up on a task after 8 s instead of 10–30 min, and on a vendor that
// sends no answer after 10 s instead of 5 min. Everything these tests check (what is recorded, what is
// sent again, what is said) does not depend on how long the waits are.
import { createProviderRegistry, main } from '@voxform/cli';

const quickTimings = {
  retry: { baseDelayMs: 100, maxDelayMs: 1_500 },
  poll: { intervalMs: 100, maxIntervalMs: 400, timeoutMs: 8_000 },
  dispatcher: { headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, connectTimeoutMs: 2_000 },
} as const;

process.exitCode = await main(process.argv, {
  providers: () => createProviderRegistry({ retry: quickTimings.retry, poll: quickTimings.poll }),
  dispatcher: quickTimings.dispatcher,
});
