// @voxform/emulator: the five vendor APIs as one stateful fake. GPL-3.0-or-later (speech from provider-local).
export { createEmulator, type Emulator, type EmulatorOptions } from './create-emulator.js';
export { startEmulatorServer, type EmulatorServer } from './start-emulator-server.js';
export { createEmulatorHandlers, vendorDefaultBaseUrls } from './msw-handlers.js';
export { vendorIds, type VendorId, type EmulatorKeys, type TaskTiming } from './vendor.js';
export { seededRandom, type FaultSettings } from './fault-settings.js';
export type { CallEntry, CallLog } from './call-log.js';
export { EmulatorClock } from './emulator-clock.js';
