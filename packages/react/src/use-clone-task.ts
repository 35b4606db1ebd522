import { CloneRequestError, cloneTaskPollDelay, type CloneTask, type CloneTaskStatus } from '@voxform/core/client';
import { useCallback } from 'react';
import useSWR from 'swr';
import { useCloneClient } from './voxform-provider.js';

export interface UseCloneTaskOptions {
  /** First polling interval, in ms; polls back off with the task's age. Default 500. */
  pollInitialMs?: number;
  /** Longest polling interval, in ms. Default 5000. */
  pollMaxMs?: number;
}

export interface UseCloneTaskResult {
  task: CloneTask | undefined;
  status: CloneTaskStatus | undefined;
  /** Where to play the audio from, once completed. */
  audioUrl: string | undefined;
  /** Why the task could not be read (404: unknown or forgotten, 403: someone else's…). A failed task is `status: 'failed'` with `task.error`. */
  error: CloneRequestError | undefined;
  isLoading: boolean;
  /** Cancels the task (`DELETE /tasks/:id`); resolves to the task as it is afterwards. */
  cancel: () => Promise<CloneTask | undefined>;
}

/**
 * Follows a clone task: polls `GET /tasks/:id` through swr's `refreshInterval`, backing off with the
 * task's age and stopping once it is completed, failed or cancelled. `id` null or undefined: no request.
 * Given an id kept from before a reload, it picks the task up where it is.
 */
export function useCloneTask(id: string | null | undefined, options: UseCloneTaskOptions = {}): UseCloneTaskResult {
  const client = useCloneClient();
  const { pollInitialMs, pollMaxMs } = options;
  // Stable, so swr keeps its timer between renders.
  const refreshInterval = useCallback(
    (task: CloneTask | undefined) => cloneTaskPollDelay(task, { ...(pollInitialMs ? { initialMs: pollInitialMs } : {}), ...(pollMaxMs ? { maxMs: pollMaxMs } : {}) }),
    [pollInitialMs, pollMaxMs],
  );
  const { data, error, isLoading, mutate } = useSWR<CloneTask, CloneRequestError, readonly [string, 'task', string] | null>(
    id ? ([client.endpoint, 'task', id] as const) : null,
    ([, , taskId]) => client.getTask(taskId),
    {
      refreshInterval,
      // Below the shortest poll, so no poll is swallowed as a duplicate.
      dedupingInterval: Math.floor((pollInitialMs ?? 500) / 2),
      onErrorRetry: (retryError, _key, config, revalidate, { retryCount }) => {
        // A 404 or 403 will not change by asking again.
        if (CloneRequestError.isInstance(retryError) && !retryError.isRetryable) return;
        setTimeout(() => void revalidate({ retryCount }), Math.min(30_000, (config.errorRetryInterval ?? 5000) * 2 ** Math.min(retryCount, 4)));
      },
    },
  );
  const cancel = useCallback(async () => {
    if (!id) return undefined;
    const task = await client.cancelTask(id);
    await mutate(task, { revalidate: false });
    return task;
  }, [client, id, mutate]);
  return { task: data, status: data?.status, audioUrl: client.audioUrlOf(data), error, isLoading, cancel };
}
