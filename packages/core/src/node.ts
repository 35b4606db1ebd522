// @voxform/core/node: everything that touches the file system.
export { projectPaths, loadProject, hashFile, sampleInput, sampleDigests, type ProjectPaths, type LoadedProject, type ProbedSample } from './node/load-project.js';
export { observeProject, readCacheKeys } from './node/observe-project.js';
export { LockfileStore } from './node/lockfile-store.js';
export { acquireStateLock, readStateLock, removeStateLock, type LockHolder } from './node/state-lock.js';
export { storeAudio, restoreAudio, type StoredAudio } from './node/audio-store.js';
export { writePlanFile, readPlanFile, checkPlanIsCurrent, type PlanFile } from './node/plan-file.js';
export { applyPlan, suggestedVoiceId, type ApplyOptions } from './apply/apply-plan.js';
export { emptyApplySummary, type ApplyEvent, type ApplySummary } from './apply/apply-events.js';
export { createNodeDispatcher, type NodeDispatcherSettings } from './http/node/create-node-dispatcher.js';
export { createPoolFetch } from './http/node/create-pool-fetch.js';
export { downloadToFile, type DownloadToFileOptions } from './http/node/download-to-file.js';
export { checkProject, type CheckedOutput, type ProjectCheck } from './node/check-project.js';
