import { EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';

/** `voxform emulator`: the five vendor APIs as a local server, until interrupted. */
export async function emulatorCommand(
  context: CommandContext,
  options: { port: number; host: string; audio: 'speech' | 'tone'; seed: number },
): Promise<number> {
  // Loaded only here: the emulator (and its audio encoders) are not needed by any other command.
  const { startEmulatorServer, vendorIds } = await import('@voxform/emulator');
  const server = await startEmulatorServer({ port: options.port, host: options.host, audio: options.audio, seed: options.seed });
  const { terminal } = context;
  const { emulator } = server;
  if (terminal.json) {
    terminal.out(JSON.stringify({ url: server.url, vendors: Object.fromEntries(vendorIds.map((vendor) => [vendor, emulator.vendorBaseUrl(vendor)])), keys: emulator.keys }));
  } else {
    terminal.out(`voxform emulator listening on ${server.url} (fake keys, fake money; Ctrl-C stops it)\n`);
    terminal.out('Base URLs for a manifest (providers.<name>.baseUrl):');
    for (const vendor of vendorIds) terminal.out(`  ${vendor.padEnd(17)} ${emulator.vendorBaseUrl(vendor)}`);
    terminal.out('\nKeys it accepts (export them as the manifest\'s ${ENV} references name):');
    terminal.out(`  MINIMAX_API_KEY=${emulator.keys.minimax}`);
    terminal.out(`  VIDU_API_KEY=${emulator.keys.vidu}`);
    terminal.out(`  SOUNDCLONE_API_KEY=${emulator.keys.soundclone}`);
    terminal.out(`  AIVOICECLONEFREE_API_KEY=${emulator.keys.aivoiceclonefree}`);
    terminal.out(`  KLING_API_KEY=${emulator.keys.kling.apiKey}  (or a JWT from access key ${emulator.keys.kling.accessKey}, secret ${emulator.keys.kling.secretKey})`);
    terminal.out(`\nA 20 s sample to clone from: ${emulator.sampleUrl('narrator', 'mp3')}`);
    terminal.out(`Control: GET ${server.url}/__emulator/calls · PUT ${server.url}/__emulator/faults/<vendor> · POST ${server.url}/__emulator/clock {"advanceMs":…} · POST ${server.url}/__emulator/reset`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT_OK;
}
