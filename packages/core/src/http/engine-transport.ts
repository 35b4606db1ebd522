import type { HttpClientSettings } from './create-http-client.js';

/** What the engine hands an adapter to send through (`ProviderSettings.fetch` and `.dispatcher`). */
export interface EngineTransport {
  fetch?: typeof fetch;
  dispatcher?: object;
}

/**
 * The `fetch` and `dispatcher` settings of an adapter's HTTP clients: the adapter's own `fetch` (a test's)
 * first, else the engine's, else none (the clients then call the global `fetch`); the engine's connection
 * pool whenever it gave one.
 */
export function engineTransport(engine: EngineTransport, ownFetch?: typeof fetch): Pick<HttpClientSettings, 'fetch' | 'dispatcher'> {
  const fetchFunction = ownFetch ?? engine.fetch;
  return {
    ...(fetchFunction ? { fetch: fetchFunction } : {}),
    ...(engine.dispatcher ? { dispatcher: engine.dispatcher } : {}),
  };
}
