import { hostname } from 'node:os';
import { removeStateLock } from '@voxform/core/node';
import { EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';

export async function unlockCommand(context: CommandContext, options: { force: boolean }): Promise<number> {
  // Refuses (exit 1, naming the holder) when the holder runs on this host and --force was not given.
  const holder = await removeStateLock(context.paths.stateDir, { force: options.force });
  if (!holder) {
    context.terminal.out('No state lock was held.');
    return EXIT_OK;
  }
  const removed = `Removed the state lock of ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`;
  context.terminal.out(
    holder.host !== hostname()
      ? `${removed}. It was taken on another host, which voxform cannot check: if that apply still runs there, stop it, as two applies at once can pay twice.`
      : options.force
        ? `${removed}. If that process is a voxform apply after all, stop it: two applies at once can pay twice.`
        : `${removed}: its process is gone.`,
  );
  return EXIT_OK;
}
