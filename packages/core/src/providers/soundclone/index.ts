export {
  createSoundCloneProvider,
  soundCloneBaseUrl,
  soundCloneCapabilities,
  type SoundClonePollSettings,
  type SoundCloneProviderOptions,
} from './soundclone-provider.js';
export {
  soundCloneDefaultPreviewText,
  soundCloneLineOptionsSchema,
  soundCloneVoiceOptionsSchema,
  type SoundCloneLanguage,
  type SoundCloneLineOptions,
  type SoundCloneVoiceOptions,
} from './soundclone-options.js';
