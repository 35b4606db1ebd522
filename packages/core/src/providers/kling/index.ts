export { createKlingProvider, klingBaseUrls, klingCapabilities, type KlingPollSettings, type KlingProviderOptions } from './kling-provider.js';
export {
  defaultVoiceName,
  klingLineOptionsSchema,
  klingSettingsSchema,
  klingVoiceOptionsSchema,
  type KlingLineOptions,
  type KlingSettings,
  type KlingVoiceOptions,
} from './kling-options.js';
