// @voxform/react: thin swr hooks over @voxform/core/client. SSR-safe: nothing touches window at import.
export { VoxformProvider, useCloneClient, type VoxformProviderProps } from './voxform-provider.js';
export { useCreateCloneTask, type UseCreateCloneTaskResult } from './use-create-clone-task.js';
export { useCloneTask, type UseCloneTaskOptions, type UseCloneTaskResult } from './use-clone-task.js';
export { useVoices, type UseVoicesResult } from './use-voices.js';
export { CloneRequestError, type CloneTask, type CloneTaskStatus, type CloneVoice, type CreateCloneTaskInput } from '@voxform/core/client';
