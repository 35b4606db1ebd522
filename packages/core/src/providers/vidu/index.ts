export {
  createViduProvider,
  viduBaseUrls,
  viduCapabilities,
  type ViduPollSettings,
  type ViduProviderOptions,
} from './vidu-provider.js';
export { viduLineOptionsSchema, viduVoiceOptionsSchema, defaultPreviewText, type ViduLineOptions, type ViduVoiceOptions } from './vidu-options.js';
