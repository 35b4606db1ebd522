import type { VendorFactory, VendorId } from '../vendor.js';
import { createAiVoiceCloneFree } from './aivoiceclonefree.js';
import { createKling } from './kling.js';
import { createMinimax } from './minimax.js';
import { createSoundClone } from './soundclone.js';
import { createVidu } from './vidu.js';

export const vendorFactories: Record<VendorId, VendorFactory> = {
  minimax: createMinimax,
  vidu: createVidu,
  soundclone: createSoundClone,
  aivoiceclonefree: createAiVoiceCloneFree,
  kling: createKling,
};
