import { http, HttpResponse, type HttpHandler } from 'msw';
import type { Emulator } from './create-emulator.js';
import type { VendorId } from './vendor.js';

/** Where each vendor really lives; with `vendorHosts`, requests to these reach the emulator too. */
export const vendorDefaultBaseUrls: Record<VendorId, string> = {
  minimax: 'https://api.minimax.io',
  vidu: 'https://api.vidu.com',
  soundclone: 'https://zcbservice.aizfw.cn/kyyReactApiServer',
  aivoiceclonefree: 'https://aivoiceclonefree.com',
  kling: 'https://api-singapore.klingai.com',
};

/**
 * msw handlers that route to the emulator in-process: everything under `emulator.baseUrl`, and with
 * `vendorHosts: true` also the vendors' real base URLs, so an adapter with default settings is served
 * by the emulator. Use with `setupServer(...)` and `onUnhandledRequest: 'error'`.
 */
export function createEmulatorHandlers(emulator: Emulator, options: { vendorHosts?: boolean } = {}): HttpHandler[] {
  // msw recognises only its own network-error response: a dropped connection must be made with it.
  const answer = async (response: Promise<Response>) => {
    const result = await response;
    return result.type === 'error' ? HttpResponse.error() : result;
  };
  const handlers = [http.all(`${emulator.baseUrl}/*`, ({ request }) => answer(emulator.handle(request)))];
  if (options.vendorHosts) {
    for (const [vendor, baseUrl] of Object.entries(vendorDefaultBaseUrls) as Array<[VendorId, string]>) {
      const prefix = new URL(baseUrl).pathname.replace(/\/$/, '');
      handlers.push(http.all(`${baseUrl}/*`, ({ request }) => answer(emulator.handle(request, { vendor, pathPrefix: prefix }))));
    }
  }
  return handlers;
}
