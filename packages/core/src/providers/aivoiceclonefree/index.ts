export {
  aiVoiceCloneFreeBaseUrl,
  aiVoiceCloneFreeCapabilities,
  createAiVoiceCloneFreeProvider,
  type AiVoiceCloneFreePollSettings,
  type AiVoiceCloneFreeProviderOptions,
} from './aivoiceclonefree-provider.js';
export {
  aiVoiceCloneFreeLineOptionsSchema,
  aiVoiceCloneFreeVoiceOptionsSchema,
  type AiVoiceCloneFreeEmotionControl,
  type AiVoiceCloneFreeLineOptions,
  type AiVoiceCloneFreeModel,
  type AiVoiceCloneFreeVoiceOptions,
} from './aivoiceclonefree-options.js';
