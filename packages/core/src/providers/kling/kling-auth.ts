import { UsageError } from '../../errors/usage-error.js';

/** The environment variable that conventionally holds the key. */
export const klingApiKeyEnv = 'KLING_API_KEY';

/** How long a signed token is valid, in seconds: Kling's example value (VENDORS.md §4.2). */
export const tokenLifetimeSeconds = 1_800;
/** A cached token is replaced this many seconds before it expires, so no request carries one about to lapse. */
export const tokenRefreshSeconds = 300;
/** `nbf` lies this many seconds in the past, Kling's example value, for small clock differences. */
export const tokenNotBeforeSeconds = 5;
/** A difference from Kling's clock (its `Date` header) larger than this is corrected in the tokens, in ms. */
const clockCorrectionThresholdMs = 2_000;

/** What KLING_API_KEY holds: an API key, or the access key / secret key pair of the legacy JWT. */
export type KlingCredentials = { kind: 'apiKey'; apiKey: string } | { kind: 'accessKey'; accessKey: string; secretKey: string };

/**
 * Reads KLING_API_KEY: `<access key>:<secret key>` (split at the first colon) for the legacy JWT,
 * anything else is an API key. Undefined when there is no key; a pair with an empty half is refused.
 */
export function parseKlingKey(value: string | undefined): KlingCredentials | undefined {
  const key = value?.trim();
  if (!key) return undefined;
  const colon = key.indexOf(':');
  if (colon === -1) return { kind: 'apiKey', apiKey: key };
  const accessKey = key.slice(0, colon).trim();
  const secretKey = key.slice(colon + 1).trim();
  if (!accessKey || !secretKey) {
    throw new UsageError(
      `${klingApiKeyEnv} holds a colon but ${accessKey ? 'nothing after it' : 'nothing before it'}: set it to a Kling API key, or to the access key and the secret key joined by a colon (<access key>:<secret key>).`,
    );
  }
  return { kind: 'accessKey', accessKey, secretKey };
}

/** Thrown by a `do*` call of a provider created without a key. */
export function missingApiKeyError(): UsageError {
  return new UsageError(
    `Kling needs a key: set ${klingApiKeyEnv} to a Kling API key, or to the access key and the secret key joined by a colon (export ${klingApiKeyEnv}=<access key>:<secret key>), ` +
      `or name another variable with providers.kling.apiKey: \${MY_VARIABLE} in voices.yaml.`,
  );
}

/** Authentication of every Kling request: a static Bearer key, or a cached JWT signed with the secret key. */
export interface KlingAuth {
  /** Whether the requests carry a JWT (access key + secret key) rather than an API key. */
  readonly usesJwt: boolean;
  /** Throws the {@link UsageError} that explains a missing or malformed key; does nothing when there is a usable one. */
  requireKey(): void;
  /** The `Authorization` header of one attempt; signs a new JWT when the cached one is near its expiry. */
  headers(): Promise<Record<string, string>>;
  /**
   * Everything that must never be shown: the key, its two halves, and the tokens signed lately. Always
   * the same array, which grows as tokens are signed (so a copy taken before signing still covers them).
   */
  secrets(): string[];
  /** Forgets the cached token (Kling refused it), so the next attempt signs a new one. */
  invalidate(): void;
  /** Learns Kling's clock from a `Date` header, so that new tokens are valid by Kling's time. */
  observeVendorClock(date: string | null): void;
}

export interface KlingAuthSettings {
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** Tokens kept for redaction; older ones have expired long ago. */
const rememberedTokens = 8;

/**
 * Authentication for `key` (KLING_API_KEY). The JWT is `{alg: HS256, typ: JWT}` / `{iss: <access key>,
 * exp: now + 1800, nbf: now − 5}` (VENDORS.md §4.2), reused until 5 minutes before its expiry; concurrent
 * requests share one signing. Without a key, `headers()` throws the missing-key error.
 */
export function createKlingAuth(key: string | undefined, settings: KlingAuthSettings = {}): KlingAuth {
  const now = settings.now ?? Date.now;
  let credentials: KlingCredentials | undefined;
  let problem: UsageError | undefined;
  try {
    credentials = parseKlingKey(key);
  } catch (error) {
    problem = error as UsageError;
  }
  const parts = credentials?.kind === 'accessKey' ? [credentials.accessKey, credentials.secretKey] : [credentials?.apiKey];
  const fixedSecrets = [...new Set([key, ...parts].filter((secret): secret is string => typeof secret === 'string' && secret !== ''))];
  // One live list, handed out by secrets(): the HTTP client takes it at the start of an attempt, before
  // headers() may sign a new token, so a token signed for that attempt must still reach its redaction.
  const secretList: string[] = [...fixedSecrets];
  let cached: { token: Promise<string>; refreshAtMs: number } | undefined;
  let clockOffsetMs = 0;
  const secretBytes = credentials?.kind === 'accessKey' ? new TextEncoder().encode(credentials.secretKey) : undefined;

  async function sign(accessKey: string, issuedAtSeconds: number): Promise<string> {
    const { SignJWT } = await import('jose'); // loaded on the first Kling call, not at every start
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(accessKey)
      .setExpirationTime(issuedAtSeconds + tokenLifetimeSeconds)
      .setNotBefore(issuedAtSeconds - tokenNotBeforeSeconds)
      .sign(secretBytes!);
    secretList.push(token);
    if (secretList.length > fixedSecrets.length + rememberedTokens) secretList.splice(fixedSecrets.length, 1);
    return token;
  }

  function currentToken(accessKey: string): Promise<string> {
    const vendorNow = now() + clockOffsetMs;
    if (cached && vendorNow < cached.refreshAtMs) return cached.token;
    const issuedAtSeconds = Math.floor(vendorNow / 1000);
    const token = sign(accessKey, issuedAtSeconds);
    const entry = { token, refreshAtMs: (issuedAtSeconds + tokenLifetimeSeconds - tokenRefreshSeconds) * 1000 };
    cached = entry;
    // A failed signing is not kept: the next attempt tries again.
    token.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return token;
  }

  return {
    usesJwt: credentials?.kind === 'accessKey',

    requireKey() {
      if (problem) throw problem;
      if (!credentials) throw missingApiKeyError();
    },

    async headers() {
      if (problem) throw problem;
      if (!credentials) throw missingApiKeyError();
      if (credentials.kind === 'apiKey') return { authorization: `Bearer ${credentials.apiKey}` };
      return { authorization: `Bearer ${await currentToken(credentials.accessKey)}` };
    },

    secrets: () => secretList,

    invalidate() {
      cached = undefined;
    },

    observeVendorClock(date) {
      const vendorMs = date ? Date.parse(date) : Number.NaN;
      if (Number.isNaN(vendorMs)) return;
      const offset = vendorMs - now();
      // The header has whole seconds: only a real difference is corrected, a rounding one is forgotten.
      clockOffsetMs = Math.abs(offset) > clockCorrectionThresholdMs ? offset : 0;
    },
  };
}
