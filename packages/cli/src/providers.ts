import { ProviderRegistry } from '@voxform/core';
import { createLocalProvider } from '@voxform/provider-local';

/** Every provider this CLI can speak to, by manifest id. */
export function createProviderRegistry(): ProviderRegistry {
  return new ProviderRegistry().register('local', (settings) => createLocalProvider(settings));
}
