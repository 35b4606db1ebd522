import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createEmulator, type Emulator, type EmulatorOptions } from './create-emulator.js';

export interface EmulatorServer {
  emulator: Emulator;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** Serves the emulator over real HTTP (for end-to-end tests, the examples and `voxform emulator`). */
export async function startEmulatorServer(options: EmulatorOptions & { port?: number; host?: string } = {}): Promise<EmulatorServer> {
  const host = options.host ?? '127.0.0.1';
  let emulator: Emulator | undefined;
  const listener = getRequestListener(async (request, environment) => {
    const incoming = (environment as { incoming: IncomingMessage }).incoming;
    const response = await emulator!.handle(request, { drop: () => incoming.socket.destroy() });
    // A dropped connection has no answer to write (node refuses status 0); the socket is already gone.
    return response.type === 'error' ? new Response(null, { status: 204 }) : response;
  });
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  emulator = createEmulator({ ...options, baseUrl: options.baseUrl ?? url });
  return {
    emulator,
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
