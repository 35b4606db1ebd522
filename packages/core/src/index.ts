// @voxform/core: browser-safe. File-system code lives in @voxform/core/node.
export { VoxformError, ManifestError, LockfileError, UsageError, formatDiagnostic, type Diagnostic } from './errors/index.js';

export type {
  AudioFormat,
  AudioSource,
  CreateVoiceRequest,
  JsonSchema,
  JsonValue,
  ProviderCallContext,
  ProviderCapabilities,
  ProviderFactory,
  ProviderSettings,
  ProviderV1,
  SampleInput,
  SynthesizeRequest,
  SynthesizeResult,
  TaskRecord,
  VoiceCheck,
  VoiceRecord,
  VoiceReference,
} from './providers/provider-v1.js';
export { ProviderRegistry } from './providers/provider-registry.js';

export { canonicalJson } from './identity/canonical-json.js';
export { sha256Hex } from './identity/sha256.js';
export { voiceFingerprint, renderKey, normalizeText, countCharacters, RENDER_FORMAT_VERSION } from './identity/fingerprint.js';

export type {
  ManifestDocument,
  ResolvedManifest,
  ResolvedVoice,
  ResolvedLine,
  ResolvedProviderSettings,
  SampleReference,
  SourcePosition,
} from './manifest/manifest-types.js';
export { parseManifest, type ParsedManifest } from './manifest/parse-manifest.js';
export { resolveManifest, type ScriptSource, type ResolveManifestInput, type ResolveManifestResult } from './manifest/resolve-manifest.js';
export type { ScriptParagraph } from './manifest/parse-script-source.js';

export type { Lockfile, LockedVoice, LockedRender, PendingEntry } from './lockfile/lockfile-types.js';
export { emptyLockfile } from './lockfile/lockfile-types.js';
export { parseLockfile } from './lockfile/parse-lockfile.js';
export { serializeLockfile } from './lockfile/serialize-lockfile.js';

export { createPlan, identifyManifest, type Observations, type PlanOptions, type CreatePlanInput, type ManifestIdentity, type LineIdentity } from './plan/create-plan.js';
export type { Plan, PlannedChange, PlannedLineChange, PlannedVoiceChange, PlanSummary, VoiceAction, LineAction } from './plan/plan-types.js';
export { formatPlan, planToJson } from './plan/format-plan.js';
export { formatPlanMarkdown, PLAN_COMMENT_MARKER, type PlanMarkdownOptions } from './plan/format-plan-markdown.js';
export { matchesAddress } from './plan/address.js';
export { estimateCost, costOverBudget, formatMoney, type CostEstimate, type ProviderCost, type ProviderPricing } from './plan/estimate-cost.js';

export { splitText } from './text/split-text.js';
export { decodePcmWav, encodePcmWav, WavFormatError, type PcmAudio } from './audio/pcm-wav.js';
export { joinWav, DEFAULT_JOIN_PAUSE_MS, type JoinWavOptions, type JoinedWav } from './audio/join-wav.js';
export { joinMp3, mp3Frames, type Mp3Frame } from './audio/join-mp3.js';
export { measureLoudness, blockPowers, integratedLoudness, type LoudnessMeasurement } from './audio/measure-loudness.js';
export { audioProblems, durationProblem, type AudioExpectations } from './audio/audio-problems.js';
export { normalizeLoudness, DEFAULT_TRUE_PEAK, type LoudnessTarget, type NormalizedAudio } from './audio/normalize-loudness.js';

export { voicesSchema } from './schemas/voices-schema.js';
export { voicesLockSchema } from './schemas/voices-lock-schema.js';
export type { ApplyEvent } from './apply/apply-events.js';
export { ApiCallError, type ApiCallErrorDetails, TaskError } from './errors/index.js';
export {
  createHttpClient,
  createAdaptiveLimiter,
  AdaptiveLimiter,
  pollTask,
  redact,
  redactUrl,
  redactBody,
  parseRetryAfter,
  type AdaptiveLimiterSettings,
  type CheckSuccess,
  type FormFieldValue,
  type HttpClient,
  type HttpClientSettings,
  type HttpEvent,
  type HttpRequestBase,
  type HttpResult,
  type JsonRequest,
  type ParseError,
  type PollTaskOptions,
  type ProviderLimitChangeEvent,
  type RateLimitFeedback,
  type RawRequest,
  type ResponseValidator,
  type RetrySettings,
  type TaskCheck,
  type VendorErrorDetails,
} from './http/index.js';

// Vendor adapters
export { createMinimaxProvider, type MinimaxProviderOptions, type MinimaxVoiceOptions, type MinimaxLineOptions, type MinimaxSettings } from './providers/minimax/index.js';
export { createViduProvider, type ViduProviderOptions, type ViduVoiceOptions, type ViduLineOptions } from './providers/vidu/index.js';
export { createSoundCloneProvider, type SoundCloneProviderOptions, type SoundCloneVoiceOptions, type SoundCloneLineOptions } from './providers/soundclone/index.js';
export {
  createAiVoiceCloneFreeProvider,
  type AiVoiceCloneFreeProviderOptions,
  type AiVoiceCloneFreeVoiceOptions,
  type AiVoiceCloneFreeLineOptions,
} from './providers/aivoiceclonefree/index.js';
export { createKlingProvider, type KlingProviderOptions, type KlingVoiceOptions, type KlingSettings } from './providers/kling/index.js';
