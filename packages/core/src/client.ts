// @voxform/core/client: talks to createCloneHandler. Browser-safe, no dependencies: what @voxform/react builds on.
export { createCloneClient, type CloneClient, type CloneClientSettings } from './clone/clone-client.js';
export {
  cloneTaskPollDelay,
  cloneTaskStatuses,
  isTerminalStatus,
  type CloneErrorBody,
  type CloneRequestProblem,
  type CloneTask,
  type CloneTaskStatus,
  type CloneVoice,
  type CreateCloneTaskInput,
  type PollDelayOptions,
} from './clone/clone-task.js';
export { CloneRequestError } from './errors/clone-request-error.js';
