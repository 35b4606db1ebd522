import {
  createAiVoiceCloneFreeProvider,
  createKlingProvider,
  createMinimaxProvider,
  createSoundCloneProvider,
  createViduProvider,
  ProviderRegistry,
  type PollTaskOptions,
  type RetrySettings,
} from '@voxform/core';
import { createLocalProvider } from '@voxform/provider-local';

/** Waits every vendor adapter takes the same way; absent fields keep each adapter's production default. */
export interface AdapterTimings {
  retry?: RetrySettings;
  poll?: Pick<PollTaskOptions<unknown>, 'intervalMs' | 'maxIntervalMs' | 'backoffFactor' | 'timeoutMs'>;
}

/** Every provider this CLI can speak to, by manifest id. */
export function createProviderRegistry(timings: AdapterTimings = {}): ProviderRegistry {
  return new ProviderRegistry()
    .register('local', (settings) => createLocalProvider(settings))
    .register('minimax', (settings) => createMinimaxProvider(settings, timings))
    .register('vidu', (settings) => createViduProvider(settings, timings))
    .register('soundclone', (settings) => createSoundCloneProvider(settings, timings))
    .register('aivoiceclonefree', (settings) => createAiVoiceCloneFreeProvider(settings, timings))
    .register('kling', (settings) => createKlingProvider(settings, timings));
}
