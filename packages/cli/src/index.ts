export { main, type MainOptions } from './main.js';
export { createProviderRegistry, type AdapterTimings } from './providers.js';
