/** What is known about a request that got no answer. */
export interface NetworkErrorDescription {
  /** `ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`…, when the runtime gave one. */
  code: string | undefined;
  /** What happened, in a few words (`ECONNRESET: connection reset`). */
  detail: string;
  /** `no response (<detail>)`, for the error message. */
  problem: string;
  /** The request provably never reached the vendor (refused or unresolvable before anything was sent). */
  neverSent: boolean;
}

// Failures that happen before a single byte of the request is written.
const beforeSending = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

const explanations: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
  UND_ERR_HEADERS_TIMEOUT: 'the vendor sent no answer in time',
  UND_ERR_BODY_TIMEOUT: 'the answer stopped arriving',
  UND_ERR_SOCKET: 'the connection broke',
  UND_ERR_CLOSED: 'the connection was closed',
  UND_ERR_ABORTED: 'the request was aborted',
};

/**
 * Whether `error` (thrown by `fetch` or while reading a body) means the network failed: a `TypeError`
 * such as `fetch failed` / `Failed to fetch` / `terminated`, a `TimeoutError`, or anything carrying
 * an `ECONN*` / `UND_ERR_*` code on itself or its causes.
 */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || errorCode(error) !== undefined) return true;
  return error.name === 'TypeError' && networkMessages.has(error.message.toLowerCase());
}

// What fetch says when the network fails, in Node (undici), msw, Chromium, Firefox and Safari. Other
// TypeErrors (an invalid url, a GET with a body) are bugs, not network errors.
const networkMessages = new Set([
  'fetch failed',
  'failed to fetch',
  'terminated',
  'network error',
  'networkerror when attempting to fetch resource.',
  'load failed',
  'the network connection was lost.',
]);

/** Explains a network error from its code (looked up along the `cause` chain). */
export function describeNetworkError(error: unknown): NetworkErrorDescription {
  const code = errorCode(error);
  const name = error instanceof Error ? error.name : undefined;
  const explanation = code === undefined ? (name === 'TimeoutError' ? 'timed out' : (error as Error | undefined)?.message || 'network error') : (explanations[code] ?? code);
  const detail = code === undefined || explanation === code ? explanation : `${code}: ${explanation}`;
  return {
    code,
    detail,
    problem: `no response (${detail})`,
    neverSent: code !== undefined && beforeSending.has(code),
  };
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current != null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
