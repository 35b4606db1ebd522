import type { CloneRequestError, CreateCloneTaskInput } from '@voxform/core/client';
import useSWRMutation from 'swr/mutation';
import { useCloneClient } from './voxform-provider.js';

export interface UseCreateCloneTaskResult {
  /** Sends the task; resolves to its `{ id }`, or to undefined when it was refused (see `error`). */
  trigger: (input: CreateCloneTaskInput) => Promise<{ id: string } | undefined>;
  isMutating: boolean;
  /** Why the last trigger failed: `status` 400 with `problems`, 401, 413… */
  error: CloneRequestError | undefined;
  /** The last created task's `{ id }`. */
  data: { id: string } | undefined;
  reset: () => void;
}

/** Creates clone tasks (`POST /tasks`): an swr mutation. Keep the id (in the URL, say) to resume after a reload. */
export function useCreateCloneTask(): UseCreateCloneTaskResult {
  const client = useCloneClient();
  const mutation = useSWRMutation<{ id: string }, CloneRequestError, readonly [string, 'create-task'], CreateCloneTaskInput>(
    [client.endpoint, 'create-task'] as const,
    (_key, { arg }) => client.createTask(arg),
    { throwOnError: false },
  );
  return { trigger: mutation.trigger, isMutating: mutation.isMutating, error: mutation.error, data: mutation.data, reset: mutation.reset };
}
