export { createMinimaxProvider, minimaxChinaBaseUrl, minimaxGlobalBaseUrl, type MinimaxProviderOptions } from './minimax-provider.js';
export type { MinimaxLineOptions, MinimaxSettings, MinimaxVoiceOptions } from './minimax-options.js';
