import type { CheckSuccess, ParseError, VendorErrorDetails } from '../../http/index.js';

/** What the error messages may name: the call that failed and the ids involved. */
export interface MinimaxErrorContext {
  /** `clone`: voice creation (upload, voice_clone); `synthesis`: t2a; `manage`: get_voice / delete_voice / downloads. */
  operation: 'clone' | 'synthesis' | 'manage';
  /** The voice_id the call is about. */
  voiceId?: string;
  /** The voice's name in voices.yaml, for `--replace voice.<name>` advice. */
  voiceName?: string;
}

/** `base_resp.status_code` values that mean "too many requests" (VENDORS.md §5.7, §5.8). */
const rateLimits: Record<number, string> = {
  1002: 'requests-per-minute',
  1039: 'tokens-per-minute',
  1041: 'concurrent-connection',
};

/** Server-side failures that are worth another try (unless the request is billable and not idempotent). */
const serverErrors = new Set([1000, 1001, 1024, 1033]);

/**
 * Reads MiniMax's envelope: every answer carries `base_resp: {status_code, status_msg}`, and HTTP 200
 * does not imply success (§5.1). Returns the code and message, or `undefined` when there is none.
 */
export function readBaseResponse(body: unknown): { code: number; message: string | undefined; traceId: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const base = record.base_resp;
  if (typeof base !== 'object' || base === null) return undefined;
  const code = Number((base as Record<string, unknown>).status_code);
  if (!Number.isFinite(code)) return undefined;
  const message = (base as Record<string, unknown>).status_msg;
  return {
    code,
    message: typeof message === 'string' && message.trim() !== '' ? message.trim().slice(0, 300) : undefined,
    traceId: typeof record.trace_id === 'string' && record.trace_id !== '' ? record.trace_id : undefined,
  };
}

/**
 * What a non-zero `status_code` means and what the user can do about it (§5.7). `isRetryable` is left
 * to the HTTP client's defaults for unknown codes.
 */
export function describeMinimaxError(code: number, vendorMessage: string | undefined, context: MinimaxErrorContext): VendorErrorDetails {
  const said = vendorMessage ? `"${vendorMessage}"` : 'no explanation';
  const details = (advice: string, facts: Omit<VendorErrorDetails, 'code' | 'message'> = {}): VendorErrorDetails => ({
    code,
    message: `${said}; ${advice}`,
    ...facts,
  });
  const voice = context.voiceId ? `voice ${context.voiceId}` : 'the voice';
  const text = context.operation === 'clone' ? "the voice's preview text or prompt transcript" : "the line's text";

  const limit = rateLimits[code];
  if (limit) return details(`MiniMax's ${limit} limit was reached`, { isRetryable: true, isRateLimit: true, neverAccepted: true });
  if (serverErrors.has(code)) return details('a MiniMax server error, usually temporary', { isRetryable: true });
  switch (code) {
    case 1004:
    case 2049:
      return details(
        'MiniMax rejected the API key: check MINIMAX_API_KEY, and that the key was made on the same site as the host it is used with (platform.minimax.io keys work with api.minimax.io, platform.minimaxi.com keys with api.minimaxi.com: set `region: cn` for those)',
        { isRetryable: false, neverAccepted: true },
      );
    case 1008:
      return details('the MiniMax account has too little balance: top it up, then run apply again', { isRetryable: false, neverAccepted: true });
    case 1026:
      return details(`MiniMax flagged ${text} as sensitive content: reword it`, { isRetryable: false, neverAccepted: true });
    case 1027:
      return details(`MiniMax flagged the generated audio as sensitive content: reword ${text}`, { isRetryable: false });
    case 1042:
      return details(`more than 10 % of ${text} is invisible or illegal characters: remove control and zero-width characters`, { isRetryable: false, neverAccepted: true });
    case 1043:
      return details(
        "the sample's speech does not match `text_validation`: correct the transcript in the voice's options, lower `accuracy`, or remove `text_validation`",
        { isRetryable: false, neverAccepted: true },
      );
    case 1044:
      return details("the prompt sample's speech does not match its text: make `prompt.text` the exact transcript of `prompt.sample`", {
        isRetryable: false,
        neverAccepted: true,
      });
    case 2013:
      return details(
        context.operation === 'synthesis'
          ? "MiniMax refused a parameter: check the line's options (and that the model supports the emotion)"
          : "MiniMax refused a parameter: check the voice's options, the sample and the prompt",
        { isRetryable: false, neverAccepted: true },
      );
    case 20132:
      return details('MiniMax refused the samples or the voice_id: the sample must be mp3, m4a or wav, 10 s to 5 min and at most 20 MB', {
        isRetryable: false,
        neverAccepted: true,
      });
    case 2037:
      return details('the sample is too short or too long: MiniMax clones from 10 s to 5 min of audio', { isRetryable: false, neverAccepted: true });
    case 2038:
      return details(
        'this MiniMax account may not clone voices yet: complete the real-name (identity) verification in the MiniMax console, then run apply again',
        { isRetryable: false, neverAccepted: true },
      );
    case 2039:
      return details(
        `${context.voiceId ? `voice_id ${context.voiceId}` : 'the voice_id'} is already taken at MiniMax, which never reuses a voice id (not even a deleted voice's). ` +
          `If an interrupted apply created it, the next apply finds it; otherwise run \`voxform apply --replace ${context.voiceName ? `voice.${context.voiceName}` : 'voice.<name>'}\` to clone under a new id`,
        { isRetryable: false, neverAccepted: true },
      );
    case 2042:
    case 2054:
      return details(
        context.operation === 'synthesis'
          ? `${voice} no longer exists at MiniMax (unused cloned voices are deleted after 168 h): run \`voxform apply --refresh\` to clone it again` +
            ` (or \`voxform apply --replace ${context.voiceName ? `voice.${context.voiceName}` : 'voice.<name>'}\`)`
          : `${voice} does not exist at MiniMax or this key has no access to it`,
        { isRetryable: false, neverAccepted: true },
      );
    case 2048:
      return details('the prompt sample is too long: MiniMax takes prompts shorter than 8 s', { isRetryable: false, neverAccepted: true });
    default:
      return { code, ...(vendorMessage ? { message: vendorMessage } : {}) };
  }
}

/** The HTTP client's hooks for MiniMax: errors in 200 answers (`checkSuccess`) and in other answers (`parseError`). */
export function minimaxErrorHandling(context: MinimaxErrorContext): { checkSuccess: CheckSuccess; parseError: ParseError } {
  const fromBody = (body: unknown): VendorErrorDetails | undefined => {
    const base = readBaseResponse(body);
    if (!base || base.code === 0) return undefined;
    const details = describeMinimaxError(base.code, base.message, context);
    return base.traceId ? { ...details, requestId: base.traceId } : details;
  };
  return {
    checkSuccess: (body) => fromBody(body),
    parseError: (body) => fromBody(body),
  };
}
