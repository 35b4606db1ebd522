// @voxform/core/server: the clone handler behind @voxform/react. Node (it downloads sample URLs with undici).
export {
  createCloneHandler,
  type AuthorizeResult,
  type CloneAccess,
  type CloneHandler,
  type CloneHandlerEvent,
  type CloneHandlerLimits,
  type CloneHandlerSettings,
  type CloneProviderSettings,
} from './server/create-clone-handler.js';
export { createMemoryTaskStore, reduceCloneTask, type CloneTaskAction, type CloneTaskStore, type MemoryTaskStoreSettings, type StoredCloneTask } from './server/clone-task-store.js';
export { isPublicAddress, type SampleUrlPolicy } from './server/fetch-sample.js';
export type { CloneTask, CloneTaskStatus, CloneVoice, CreateCloneTaskInput, CloneErrorBody, CloneRequestProblem } from './clone/clone-task.js';
