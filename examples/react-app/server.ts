// The example's server, one command (`pnpm --filter react-app dev`): the emulator standing in for the
// vendors, createCloneHandler mounted at /api/voxform, and the page through Vite's dev middleware.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { createAiVoiceCloneFreeProvider, createMinimaxProvider, createSoundCloneProvider, createViduProvider, ProviderRegistry } from '@voxform/core';
import { loadProject, projectPaths } from '@voxform/core/node';
import { createCloneHandler, type CloneHandlerEvent } from '@voxform/core/server';
import { startEmulatorServer } from '@voxform/emulator';
import { createLocalProvider } from '@voxform/provider-local';
import { createServer as createViteServer } from 'vite';
import type { ExampleConfig } from './src/providers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT ?? 5173);
const host = process.env.HOST ?? '127.0.0.1';

// Keys come from the environment, as they would for the real vendors; the emulator is started to accept
// the same ones, and falls back to its own fake keys.
const keys = {
  minimax: process.env.MINIMAX_API_KEY ?? 'minimax-emulator-key',
  vidu: process.env.VIDU_API_KEY ?? 'vidu-emulator-key',
  soundclone: process.env.SOUNDCLONE_API_KEY ?? 'soundclone-emulator-key',
  aivoiceclonefree: process.env.AIVOICECLONEFREE_API_KEY ?? 'aivoiceclonefree-emulator-key',
};
const emulator = await startEmulatorServer({ port: Number(process.env.EMULATOR_PORT ?? 4010), keys });
const vendor = (id: 'minimax' | 'vidu' | 'soundclone' | 'aivoiceclonefree') => ({ apiKey: keys[id], baseUrl: emulator.emulator.vendorBaseUrl(id) });

const providers = new ProviderRegistry()
  .register('minimax', (settings) => createMinimaxProvider(settings))
  .register('aivoiceclonefree', (settings) => createAiVoiceCloneFreeProvider(settings))
  .register('vidu', (settings) => createViduProvider(settings))
  .register('soundclone', (settings) => createSoundCloneProvider(settings))
  .register('local', (settings) => createLocalProvider(settings));

// A session cookie, given with the page, is this example's authorisation: the API answers 401 without
// one, and each session sees only its own tasks.
const sessionCookie = 'voxform_session';
const sessions = new Set<string>();
const sessionOf = (cookieHeader: string | null | undefined): string | undefined => {
  const value = cookieHeader
    ?.split(';')
    .map((part) => part.trim().split('='))
    .find(([name]) => name === sessionCookie)?.[1];
  return value && sessions.has(value) ? value : undefined;
};

const log = (event: CloneHandlerEvent) => {
  const { type, ...rest } = event;
  console.log(`[voxform] ${type} ${JSON.stringify(rest)}`);
};

const handler = createCloneHandler({
  providers,
  settings: { minimax: vendor('minimax'), vidu: vendor('vidu'), soundclone: vendor('soundclone'), aivoiceclonefree: vendor('aivoiceclonefree') },
  authorize: (request) => {
    const session = sessionOf(request.headers.get('cookie'));
    return session ? { owner: session } : false;
  },
  basePath: '/api/voxform',
  project: await loadProject({ paths: projectPaths({ dir: here }), providers }),
  // The emulator's sample URLs are on this machine; any other private address stays refused.
  sampleUrls: { allowPrivateHosts: [new URL(emulator.url).host] },
  onEvent: log,
});
const api = getRequestListener(handler);

const config: ExampleConfig = {
  sampleUrls: [
    { label: 'narrator (20 s, WAV)', url: emulator.emulator.sampleUrl('narrator', 'wav') },
    { label: 'caller (20 s, MP3)', url: emulator.emulator.sampleUrl('caller', 'mp3') },
  ],
};

const server = createServer();
const vite = await createViteServer({
  root: here,
  configFile: path.join(here, 'vite.config.ts'),
  appType: 'spa',
  server: { middlewareMode: true, hmr: { server } },
  define: { __EXAMPLE_CONFIG__: JSON.stringify(config) },
  logLevel: 'warn',
});

server.on('request', (request: IncomingMessage, response: ServerResponse) => {
  if (request.url?.startsWith('/api/voxform/') || request.url === '/api/voxform') {
    void api(request, response);
    return;
  }
  if (!sessionOf(request.headers.cookie)) {
    const session = randomBytes(16).toString('base64url');
    sessions.add(session);
    response.setHeader('set-cookie', `${sessionCookie}=${session}; HttpOnly; SameSite=Strict; Path=/`);
  }
  vite.middlewares(request, response);
});

await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, host, () => resolve());
});
const url = `http://${host}:${(server.address() as AddressInfo).port}`;
console.log(`react-app: ${url} (vendors: voxform emulator at ${emulator.url}; Ctrl-C stops both)`);

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  await handler.close();
  await vite.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await emulator.close();
  process.exit(0);
};
process.once('SIGINT', () => void close());
process.once('SIGTERM', () => void close());
