import type { ExampleConfig } from './providers.js';

declare global {
  /** Set by the example server through Vite's `define`. */
  const __EXAMPLE_CONFIG__: ExampleConfig;
}
