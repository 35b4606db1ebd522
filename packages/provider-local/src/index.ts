// @voxform/provider-local: voxform's offline provider (espeak-ng, WebAssembly). GPL-3.0-or-later.
export { createLocalProvider, type LocalVoiceData } from './local-provider.js';
export { LocalProviderError, type LocalProviderErrorCode } from './local-provider-error.js';
export type { LocalLineOptions, LocalVoiceOptions } from './option-schemas.js';
