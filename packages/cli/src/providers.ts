import {
  createAiVoiceCloneFreeProvider,
  createKlingProvider,
  createMinimaxProvider,
  createSoundCloneProvider,
  createViduProvider,
  ProviderRegistry,
} from '@voxform/core';
import { createLocalProvider } from '@voxform/provider-local';

/** Every provider this CLI can speak to, by manifest id. */
export function createProviderRegistry(): ProviderRegistry {
  return new ProviderRegistry()
    .register('local', (settings) => createLocalProvider(settings))
    .register('minimax', (settings) => createMinimaxProvider(settings))
    .register('vidu', (settings) => createViduProvider(settings))
    .register('soundclone', (settings) => createSoundCloneProvider(settings))
    .register('aivoiceclonefree', (settings) => createAiVoiceCloneFreeProvider(settings))
    .register('kling', (settings) => createKlingProvider(settings));
}
