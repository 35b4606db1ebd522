import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';
import { collectCapped } from './read-body.js';
import { Refusal } from './refusal.js';

export interface SampleUrlPolicy {
  /**
   * Hosts whose sample URLs may point at private, loopback or link-local addresses (`127.0.0.1:4010`
   * for a local emulator; `host` or `host:port` as in the URL), or `true` for every host. Default: none,
   * so a sample URL can never make the server fetch from its own network.
   */
  allowPrivateHosts?: true | readonly string[];
  /** Redirects followed; each new location is checked again. Default 5. */
  maxRedirects?: number;
  /** Time allowed for the whole download, in ms. Default 30 000. */
  timeoutMs?: number;
}

/** Where a sample URL led and what it held. */
export interface FetchedSample {
  bytes: Uint8Array;
  /** The URL after redirects. */
  url: string;
}

/**
 * Downloads a sample URL a client gave, as a server must: only http(s); no private, loopback,
 * link-local or otherwise non-public address unless the policy allows the host — checked on the
 * addresses the name resolves to at connect time (so DNS cannot answer one address to a check and
 * another to the connection) and again for every redirect; and never more than `maxBytes` (413).
 * Every refusal is a {@link Refusal} whose message names the URL and the reason.
 */
export async function fetchSample(url: string, policy: SampleUrlPolicy & { maxBytes: number }, options: { signal?: AbortSignal } = {}): Promise<FetchedSample> {
  const maxRedirects = policy.maxRedirects ?? 5;
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(policy.timeoutMs ?? 30_000)])
    : AbortSignal.timeout(policy.timeoutMs ?? 30_000);
  const guarded = new Agent({ connect: { lookup: publicOnlyLookup } });
  const open = new Agent();
  try {
    let current = parseSampleUrl(url);
    for (let redirects = 0; ; redirects++) {
      const allowed = isAllowedHost(current, policy.allowPrivateHosts);
      const literal = current.hostname.replace(/^\[|\]$/g, '');
      if (!allowed && isIP(literal) && !isPublicAddress(literal)) throw privateAddress(current.href, literal);
      let response: Response;
      try {
        // `dispatcher` is undici's extension of RequestInit (typed for undici 6 by @types/node 20).
        response = await globalThis.fetch(current.href, { redirect: 'manual', signal, dispatcher: allowed ? open : guarded } as RequestInit);
      } catch (error) {
        const refused = privateAddressIn(error);
        if (refused) throw privateAddress(current.href, refused.address);
        if (options.signal?.aborted) throw options.signal.reason;
        const reason = signal.aborted ? `no answer within ${policy.timeoutMs ?? 30_000} ms` : describe(error);
        throw new Refusal(400, `sampleUrl: ${current.href} could not be fetched (${reason}): give a URL the server can download`);
      }
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        void response.body?.cancel().catch(() => {});
        if (redirects >= maxRedirects) throw new Refusal(400, `sampleUrl: ${url} redirects more than ${maxRedirects} times: give the file's own URL`);
        current = parseSampleUrl(new URL(response.headers.get('location')!, current).href);
        continue;
      }
      if (!response.ok || !response.body) {
        void response.body?.cancel().catch(() => {});
        throw new Refusal(400, `sampleUrl: ${current.href} answered HTTP ${response.status}: give a URL the server can download`);
      }
      try {
        return { bytes: await readCapped(response, policy.maxBytes, current.href), url: current.href };
      } catch (error) {
        if (error instanceof Refusal) throw error;
        if (options.signal?.aborted) throw options.signal.reason;
        const reason = signal.aborted ? `no answer within ${policy.timeoutMs ?? 30_000} ms` : describe(error);
        throw new Refusal(400, `sampleUrl: the download of ${current.href} broke off (${reason}): try again or give another URL`);
      }
    }
  } finally {
    void guarded.close().catch(() => {});
    void open.close().catch(() => {});
  }
}

/** Whether an address is on the public internet (ipaddr.js's `unicast`: not private, loopback, link-local, reserved…). */
export function isPublicAddress(address: string): boolean {
  return rangeOf(address) === 'unicast';
}

/** ipaddr.js's name for the range an address is in; an IPv4-mapped IPv6 address counts as its IPv4 one. */
function rangeOf(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range();
}

function parseSampleUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Refusal(400, `sampleUrl: '${text}' is not a URL: give an http(s) URL of a recording`, { problems: [{ path: 'sampleUrl', message: 'must be an http(s) URL' }] });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Refusal(400, `sampleUrl: ${url.protocol} URLs are not fetched: give an http(s) URL of a recording`, { problems: [{ path: 'sampleUrl', message: 'must be an http(s) URL' }] });
  }
  if (url.username || url.password) {
    throw new Refusal(400, 'sampleUrl: a URL with credentials in it is not fetched: give a public URL of the recording');
  }
  return url;
}

function isAllowedHost(url: URL, allowed: SampleUrlPolicy['allowPrivateHosts']): boolean {
  if (allowed === true) return true;
  return (allowed ?? []).some((host) => host.toLowerCase() === url.host || host.toLowerCase() === url.hostname);
}

/** Raised inside the connection attempt; turned into a {@link Refusal} naming the URL. */
class PrivateAddressError extends Error {
  readonly address: string;
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, which is not a public address`);
    this.address = address;
  }
}

const privateAddress = (url: string, address: string) => {
  const range = rangeOf(address);
  return new Refusal(
    400,
    `sampleUrl: ${url} leads to ${address}, a ${range} address: sample URLs must be on the public internet`,
    { problems: [{ path: 'sampleUrl', message: `must not lead to a ${range} address` }] },
  );
};

/** `dns.lookup` that refuses a name when any of its addresses is not public; undici hands it to net.connect. */
function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused) return callback(new PrivateAddressError(hostname, refused.address), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

function privateAddressIn(error: unknown): PrivateAddressError | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof PrivateAddressError) return current;
  }
  return undefined;
}

function describe(error: unknown): string {
  let deepest: unknown = error;
  while (deepest instanceof Error && deepest.cause instanceof Error) deepest = deepest.cause;
  const code = (deepest as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (deepest instanceof Error ? deepest.message : String(deepest));
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const tooLarge = () => new Refusal(413, `sampleUrl: ${url} is larger than the ${maxBytes}-byte limit for samples: trim or compress the recording`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    void response.body!.cancel().catch(() => {});
    throw tooLarge();
  }
  return collectCapped(response.body!, maxBytes, tooLarge);
}
