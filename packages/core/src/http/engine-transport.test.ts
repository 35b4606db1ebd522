import { describe, expect, it } from 'vitest';
import { engineTransport } from './engine-transport.js';

const engineFetch = (async () => new Response('engine')) as typeof fetch;
const ownFetch = (async () => new Response('own')) as typeof fetch;
const pool = { name: 'pool' };

describe('engineTransport', () => {
  it("passes the engine's fetch and connection pool", () => {
    expect(engineTransport({ fetch: engineFetch, dispatcher: pool })).toEqual({ fetch: engineFetch, dispatcher: pool });
  });

  it("prefers the adapter's own fetch (a test's) and still passes the pool", () => {
    const transport = engineTransport({ fetch: engineFetch, dispatcher: pool }, ownFetch);
    expect(transport.fetch).toBe(ownFetch);
    expect(transport.dispatcher).toBe(pool);
  });

  it('sets neither key when nothing is given, so the clients call the global fetch', () => {
    expect(Object.keys(engineTransport({}))).toEqual([]);
    expect(Object.keys(engineTransport({}, undefined))).toEqual([]);
  });
});
