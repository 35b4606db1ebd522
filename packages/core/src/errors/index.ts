export { VoxformError } from './voxform-error.js';
export { type Diagnostic, formatDiagnostic } from './diagnostic.js';
export { ManifestError } from './manifest-error.js';
export { LockfileError } from './lockfile-error.js';
export { UsageError } from './usage-error.js';
export { ApiCallError, type ApiCallErrorDetails } from './api-call-error.js';
export { TaskError } from './task-error.js';
export { CloneRequestError } from './clone-request-error.js';
