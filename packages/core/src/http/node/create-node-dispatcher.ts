import type { Agent } from 'undici';

export interface NodeDispatcherSettings {
  /** Open connections kept per origin. Default 16. */
  connections?: number;
  /** How long an idle connection is kept for reuse, in ms. Default 10 000. */
  keepAliveTimeoutMs?: number;
  /** Time allowed to open a connection (DNS, TCP, TLS), in ms. Default 15 000. */
  connectTimeoutMs?: number;
  /** Time allowed between sending a request and receiving the answer's headers, in ms. Default 300 000 (synchronous synthesis is slow). */
  headersTimeoutMs?: number;
  /** Longest silence while a body streams in, in ms. Default 60 000. */
  bodyTimeoutMs?: number;
}

/**
 * An undici `Agent`: keep-alive pooling plus connect, headers and body timeouts, which the global `fetch`
 * does not set. The engine sends through it with `createPoolFetch`; the server handler hands it to
 * `createHttpClient({ dispatcher })` and `downloadToFile`, with the global `fetch` (which msw intercepts).
 * Node only; close it with `await dispatcher.close()` when the apply ends. Async: undici is loaded on first use.
 */
export async function createNodeDispatcher(settings: NodeDispatcherSettings = {}): Promise<Agent> {
  // undici takes about 0.1 s to load: only commands that call a vendor pay for it.
  const undici = await import('undici');
  // undici is CommonJS: Node's import() gives its exports by name, a bundle's only as `default`.
  const UndiciAgent = undici.Agent ?? (undici as unknown as { default: typeof undici }).default.Agent;
  return new UndiciAgent({
    connections: settings.connections ?? 16,
    keepAliveTimeout: settings.keepAliveTimeoutMs ?? 10_000,
    connect: { timeout: settings.connectTimeoutMs ?? 15_000 },
    headersTimeout: settings.headersTimeoutMs ?? 300_000,
    bodyTimeout: settings.bodyTimeoutMs ?? 60_000,
  });
}
