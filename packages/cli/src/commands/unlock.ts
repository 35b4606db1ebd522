import { removeStateLock } from '@voxform/core/node';
import { EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';

export async function unlockCommand(context: CommandContext): Promise<number> {
  const holder = await removeStateLock(context.paths.stateDir);
  context.terminal.out(
    holder
      ? `Removed the state lock of ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}). If that process is still running, stop it: two applies at once can pay twice.`
      : 'No state lock was held.',
  );
  return EXIT_OK;
}
