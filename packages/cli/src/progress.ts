import { Listr } from 'listr2';
import type { ApplyEvent, Plan } from '@voxform/core';
import type { CommandContext } from './main.js';

interface TaskState {
  title: string;
  total: number;
  finished: number;
  failed: number;
  skipped: number;
  startedAt: number;
  /** listr2's handle on the task, to retitle it and print under it. */
  wrapper?: { title: string; output: string };
  settle: (error?: Error) => void;
  promise: Promise<void>;
}

/**
 * Draws apply's events with listr2: one task per voice and per script (done/total and an ETA), live
 * in a terminal; without one, or in automation (`CI` set), the verbose renderer prints a plain line per
 * event for CI logs, never a spinner or a redraw.
 * Holds no logic of its own beyond counting.
 */
export function createProgress(context: CommandContext, plan: Plan): { onEvent: (event: ApplyEvent) => void; done: () => Promise<void> } {
  const { terminal } = context;
  if (terminal.quiet || terminal.json) {
    return {
      onEvent: (event) => {
        if (event.type === 'interrupt') terminal.error(event.message);
        else if (event.type === 'stale-lock-removed' && !terminal.json) terminal.error(staleLockMessage(event.holder));
      },
      done: async () => {},
    };
  }

  const tasks = new Map<string, TaskState>();
  const addTask = (id: string, title: string, total: number) => {
    let settle!: (error?: Error) => void;
    const promise = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    tasks.set(id, { title, total, finished: 0, failed: 0, skipped: 0, startedAt: Date.now(), settle, promise });
  };
  for (const change of plan.changes) {
    if (change.kind === 'voice') addTask(change.address, `${change.address}: ${change.action} (${change.provider})`, 1);
  }
  const scripts = new Map<string, number>();
  for (const change of plan.changes) if (change.kind === 'line') scripts.set(change.script, (scripts.get(change.script) ?? 0) + 1);
  for (const [script, total] of scripts) addTask(`script:${script}`, `${script}: 0/${total} lines`, total);

  const listr = new Listr(
    [...tasks.values()].map((state) => ({
      title: state.title,
      task: (_context: unknown, wrapper: { title: string; output: string }) => {
        state.wrapper = wrapper;
        return state.promise;
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false, // apply's own Ctrl-C handling lets running work finish
      renderer: terminal.interactive ? 'default' : 'verbose',
      fallbackRenderer: 'verbose',
      rendererOptions: { logTitleChange: false },
      fallbackRendererOptions: { logTitleChange: false },
    } as ConstructorParameters<typeof Listr>[1],
  );
  const running = listr.run().catch(() => {});

  const finish = (state: TaskState) => {
    if (state.finished < state.total) return;
    state.settle(state.failed > 0 || state.skipped > 0 ? new Error(state.title) : undefined);
  };

  const onEvent = (event: ApplyEvent) => {
    switch (event.type) {
      case 'voice-end': {
        const state = tasks.get(event.address);
        if (!state) return;
        state.finished = 1;
        if (event.error) {
          state.failed = 1;
          state.title = `${state.title}: ${event.error}`;
        }
        finish(state);
        return;
      }
      case 'line-end': {
        const state = tasks.get(`script:${event.script}`);
        if (!state) return;
        state.finished++;
        if (event.error) state.failed++;
        if (event.skipped) state.skipped++;
        const done = state.finished - state.failed - state.skipped;
        const elapsed = (Date.now() - state.startedAt) / 1000;
        const remaining = state.total - state.finished;
        const eta = remaining > 0 && done > 0 ? ` · ETA ${Math.ceil((elapsed / done) * remaining)} s` : '';
        const failures = state.failed > 0 ? ` · ${state.failed} failed` : '';
        const skipped = state.skipped > 0 ? ` · ${state.skipped} skipped` : '';
        state.title = `${event.script}: ${done}/${state.total} lines${failures}${skipped}${eta}`;
        if (state.wrapper) {
          state.wrapper.title = state.title;
          const outcome = event.error ? `failed: ${event.error}` : event.skipped ? `skipped: ${event.skipped}` : pastTense[event.action];
          // Plain lines (CI logs) have no live title: each carries its script's count instead.
          const count = terminal.interactive ? '' : ` · ${event.script} ${state.finished}/${state.total}`;
          state.wrapper.output = `${event.address} ${outcome} (${event.provider})${count}`;
        }
        finish(state);
        return;
      }
      case 'line-status': {
        const state = tasks.get(`script:${event.script}`);
        if (state?.wrapper && terminal.verbose) state.wrapper.output = `${event.address}: ${event.status}`;
        return;
      }
      case 'voice-preview-skipped':
        terminal.error(`${event.address}: its preview was not saved (${event.reason}); the voice itself is fine`);
        return;
      case 'pending-settle':
        terminal.error(`Settled unfinished work from an earlier apply: ${event.address} ${settleOutcomes[event.outcome]}`);
        return;
      case 'interrupt':
        terminal.error(event.message);
        return;
      case 'stale-lock-removed':
        terminal.error(staleLockMessage(event.holder));
        return;
      case 'provider-limit-change':
        terminal.error(
          event.reason === 'rate-limit'
            ? `${event.provider} is rate limiting: concurrency ${event.previousConcurrency} → ${event.concurrency}`
            : `${event.provider} recovering: concurrency ${event.previousConcurrency} → ${event.concurrency}`,
        );
        return;
      default:
    }
  };

  return {
    onEvent,
    done: async () => {
      for (const state of tasks.values()) {
        if (state.finished < state.total) {
          state.finished = state.total;
          state.settle(new Error(`${state.title} (not finished)`));
        }
      }
      await running;
    },
  };
}

function staleLockMessage(holder: { pid: number; host: string; startedAt: string; command: string }): string {
  return `Removed a stale state lock: ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}) is no longer running. Its unfinished work is settled first.`;
}

const pastTense: Record<string, string> = {
  render: 'rendered',
  rerender: 're-rendered',
  restore: 'restored from cache',
  move: 'moved',
  delete: 'deleted',
};

const settleOutcomes = {
  resumed: 'resumed at the vendor',
  cached: 'already stored (recorded from the cache, no vendor call)',
  dropped: 'dropped (nothing to resume)',
  unsettled: 'kept (see the failures below)',
} as const;
