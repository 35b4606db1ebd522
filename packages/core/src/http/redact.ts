/** What replaces a secret in every message, url, body and event. */
export const REDACTED = '***';

/**
 * Query parameters and JSON fields whose value is a credential whatever it is, so a key that was not
 * passed in `secrets` is still hidden when it travels in a url or is echoed back in a body.
 */
const sensitiveNames = new Set([
  'api_key',
  'apikey',
  'api-key',
  'key',
  'token',
  'access_token',
  'accesstoken',
  'refresh_token',
  'auth',
  'authorization',
  'secret',
  'client_secret',
  'secret_key',
  'password',
  'signature',
  'sig',
  'x-api-key',
]);

/** Whether a query parameter or JSON field of this name holds a credential. */
export function isSensitiveName(name: string): boolean {
  return sensitiveNames.has(name.toLowerCase());
}

/**
 * Replaces every occurrence of each secret in `text` by `***`, also in the forms a secret takes once
 * URL-encoded (`%2B`, `+` for spaces) or escaped inside a JSON string. Empty secrets are ignored.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(new URLSearchParams({ secret }).toString().slice('secret='.length));
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so that a secret containing another one is replaced whole.
  let result = text;
  for (const variant of [...variants].sort((left, right) => right.length - left.length)) {
    if (variant) result = result.split(variant).join(REDACTED);
  }
  return result;
}

/**
 * A url safe to show: the values of credential query parameters (`api_key`, `key`, `token`…) and any
 * password in the authority become `***`, then the known secrets are removed from what is left.
 */
export function redactUrl(url: string, secrets: readonly (string | undefined)[]): string {
  let shown = url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    for (const name of new Set(parsed.searchParams.keys())) {
      if (isSensitiveName(name)) parsed.searchParams.set(name, REDACTED);
    }
    shown = parsed.toString();
  } catch {
    // Not a valid absolute url: only the known secrets can be removed.
  }
  return redact(shown, secrets);
}

const sensitiveJsonField = /("([A-Za-z_-]+)"\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
const sensitiveFormField = /(^|[?&])([A-Za-z_-]+)=([^&\s"']*)/g;

/**
 * A response or request body safe to keep in an error: known secrets removed, the values of credential
 * fields (`"api_key": "…"`, `token=…`) replaced, then trimmed to `maxLength` characters. Redaction comes
 * before trimming so that a cut can never leave half a secret behind.
 */
export function redactBody(body: string, secrets: readonly (string | undefined)[], maxLength = 2048): string {
  let shown = redact(body, secrets)
    .replace(sensitiveJsonField, (match, prefix: string, name: string) => (isSensitiveName(name) ? `${prefix}"${REDACTED}"` : match))
    .replace(sensitiveFormField, (match, separator: string, name: string) => (isSensitiveName(name) ? `${separator}${name}=${REDACTED}` : match));
  if (shown.length > maxLength) shown = `${shown.slice(0, maxLength)}… (${shown.length - maxLength} more characters)`;
  return shown;
}
