import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from './create-emulator.js';
import { createEmulatorHandlers } from './msw-handlers.js';

describe('createEmulatorHandlers (msw)', () => {
  const emulator = createEmulator({ audio: 'tone' });
  const server = setupServer(...createEmulatorHandlers(emulator, { vendorHosts: true }));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => emulator.reset());
  afterAll(() => server.close());

  it('routes the emulator origin and the vendors\' real hosts to the emulator', async () => {
    const viaOrigin = await fetch(`${emulator.vendorBaseUrl('vidu')}/ent/v2/tasks/nope/creations`, { headers: { authorization: `Token ${emulator.keys.vidu}` } });
    expect(viaOrigin.status).toBe(404);
    const viaRealHost = await fetch('https://api.vidu.com/ent/v2/tasks/nope/creations', { headers: { authorization: `Token ${emulator.keys.vidu}` } });
    expect(viaRealHost.status).toBe(404);
    const soundclone = await fetch('https://zcbservice.aizfw.cn/kyyReactApiServer/v1/result/nope', { headers: { authorization: `Bearer ${emulator.keys.soundclone}` } });
    expect(soundclone.status).toBe(404);
    expect(emulator.calls.entries().map((entry) => `${entry.vendor} ${entry.path}`)).toEqual([
      'vidu /ent/v2/tasks/nope/creations',
      'vidu /ent/v2/tasks/nope/creations',
      'soundclone /v1/result/nope',
    ]);
  });

  it('turns a dropped connection into a failed fetch', async () => {
    emulator.setFaults('vidu', { dropRate: 1 });
    await expect(fetch(`${emulator.vendorBaseUrl('vidu')}/ent/v2/tasks/nope/creations`)).rejects.toThrow(TypeError);
  });
});
