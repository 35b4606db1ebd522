/**
 * Faults a test (or `voxform emulator`'s HTTP control API) can ask of one vendor. Every field is
 * optional; an empty object means the vendor behaves.
 */
export interface FaultSettings {
  /** Delay before every answer: fixed milliseconds, or a random value in [min, max]. */
  latencyMs?: number | [number, number];
  /**
   * Probability (0–1) of answering with each HTTP status instead of the vendor's answer, in the
   * vendor's own error shape, e.g. `{ "503": 0.2, "500": 0.05 }`.
   */
  errorRates?: Record<string, number>;
  /**
   * The next `count` requests get the vendor's rate-limit answer (HTTP 429, or MiniMax's 200 with
   * base_resp 1002), with `Retry-After: retryAfterSeconds` when given. Counts down as it is used.
   */
  rateLimitBurst?: { count: number; retryAfterSeconds?: number };
  /**
   * A steady rate limit, as vendors enforce one: a token bucket of `burst` requests (default: one
   * second's worth) refilled at `requestsPerSecond`, in real time. A request arriving to an empty bucket
   * gets the vendor's rate-limit answer with `Retry-After` (whole seconds until a token). Downloads of
   * files are not counted: vendors serve them from storage, not the API.
   */
  rateLimit?: { requestsPerSecond: number; burst?: number };
  /**
   * The next `count` requests are answered with HTTP `status` (default 503) in the vendor's error shape,
   * without doing the work: a burst of server errors. Counts down as it is used.
   */
  errorBurst?: { count: number; status?: number };
  /** Probability (0–1) of dropping the connection without an answer. */
  dropRate?: number;
  /** Probability (0–1) of answering 200 with a JSON body cut off half-way. */
  malformedJsonRate?: number;
  /**
   * Probability (0–1) that the vendor does the work (and bills it) but holds its answer until the client
   * gives up waiting (at most 10 minutes): a timeout, seen from the client.
   */
  stallRate?: number;
  /** Tasks never finish: they stay queued/processing forever. */
  stuckTasks?: boolean;
  /** Cloned voices vanish: every lookup or use of an existing voice answers as if it were never created. */
  voicesVanish?: boolean;
  /** Audio downloads are cut off after this many bytes. */
  truncateDownloadsAt?: number;
}

/** Checks settings that arrive over HTTP; returns the problems, empty when fine. */
export function faultSettingsProblems(value: unknown): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return ['fault settings must be a JSON object'];
  const settings = value as Record<string, unknown>;
  const problems: string[] = [];
  const known = ['latencyMs', 'errorRates', 'rateLimitBurst', 'rateLimit', 'errorBurst', 'dropRate', 'malformedJsonRate', 'stallRate', 'stuckTasks', 'voicesVanish', 'truncateDownloadsAt'];
  for (const key of Object.keys(settings)) if (!known.includes(key)) problems.push(`unknown fault '${key}' (known: ${known.join(', ')})`);
  const probability = (name: string, item: unknown) => {
    if (item !== undefined && (typeof item !== 'number' || item < 0 || item > 1)) problems.push(`${name} must be a number from 0 to 1, got ${JSON.stringify(item)}`);
  };
  const latency = settings.latencyMs;
  if (
    latency !== undefined &&
    !(typeof latency === 'number' && latency >= 0) &&
    !(Array.isArray(latency) && latency.length === 2 && latency.every((item) => typeof item === 'number' && item >= 0) && latency[0] <= latency[1])
  ) {
    problems.push(`latencyMs must be milliseconds >= 0 or a [min, max] pair, got ${JSON.stringify(latency)}`);
  }
  if (settings.errorRates !== undefined) {
    if (!settings.errorRates || typeof settings.errorRates !== 'object') problems.push('errorRates must be an object of status → probability');
    else for (const [status, rate] of Object.entries(settings.errorRates)) {
      if (!/^[1-5]\d\d$/.test(status)) problems.push(`errorRates key '${status}' is not an HTTP status`);
      probability(`errorRates.${status}`, rate);
    }
  }
  const burst = settings.rateLimitBurst as { count?: unknown; retryAfterSeconds?: unknown } | undefined;
  if (burst !== undefined && (typeof burst !== 'object' || !Number.isInteger(burst.count) || (burst.count as number) < 0 ||
    (burst.retryAfterSeconds !== undefined && (typeof burst.retryAfterSeconds !== 'number' || burst.retryAfterSeconds < 0)))) {
    problems.push('rateLimitBurst must be { count: whole number >= 0, retryAfterSeconds?: number >= 0 }');
  }
  const rate = settings.rateLimit as { requestsPerSecond?: unknown; burst?: unknown } | undefined;
  if (rate !== undefined && (typeof rate !== 'object' || rate === null || typeof rate.requestsPerSecond !== 'number' || !(rate.requestsPerSecond > 0) ||
    (rate.burst !== undefined && (typeof rate.burst !== 'number' || !(rate.burst >= 1))))) {
    problems.push('rateLimit must be { requestsPerSecond: number > 0, burst?: number >= 1 }');
  }
  const errorBurst = settings.errorBurst as { count?: unknown; status?: unknown } | undefined;
  if (errorBurst !== undefined && (typeof errorBurst !== 'object' || errorBurst === null || !Number.isInteger(errorBurst.count) || (errorBurst.count as number) < 0 ||
    (errorBurst.status !== undefined && (!Number.isInteger(errorBurst.status) || (errorBurst.status as number) < 400 || (errorBurst.status as number) > 599)))) {
    problems.push('errorBurst must be { count: whole number >= 0, status?: HTTP error status 400-599 }');
  }
  probability('dropRate', settings.dropRate);
  probability('malformedJsonRate', settings.malformedJsonRate);
  probability('stallRate', settings.stallRate);
  for (const flag of ['stuckTasks', 'voicesVanish']) {
    if (settings[flag] !== undefined && typeof settings[flag] !== 'boolean') problems.push(`${flag} must be true or false`);
  }
  if (settings.truncateDownloadsAt !== undefined && (!Number.isInteger(settings.truncateDownloadsAt) || (settings.truncateDownloadsAt as number) < 0)) {
    problems.push('truncateDownloadsAt must be a whole number of bytes >= 0');
  }
  return problems;
}

/** A small seeded generator (mulberry32), so a fault run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
