// Errors of the audio layer (TTS, prompts, recordings). Callers branch on `code` and `reason`,
// never on the text; the message names the thing (URL, voice, file) and the problem so a person
// reading a run's log can fix it.

export type MediaErrorCode =
  /** A play@v1 prompt could not be loaded: see `reason`. */
  | 'RF_MEDIA_PROMPT'
  /** Text-to-speech failed: the engine is missing, crashed, timed out or returned nothing. */
  | 'RF_MEDIA_TTS'
  /** The `voice` asked for is not one an installed engine has. */
  | 'RF_MEDIA_VOICE'
  /** A recording file could not be written. */
  | 'RF_MEDIA_RECORDING';

export type MediaErrorReason =
  | 'not-found'
  | 'http-status'
  | 'network'
  | 'timeout'
  | 'too-large'
  | 'unsupported-format'
  | 'unsupported-url'
  | 'unavailable'
  | 'failed'
  | 'unknown-voice'
  | 'io';

export class MediaError extends Error {
  override name = 'MediaError';
  readonly code: MediaErrorCode;
  readonly reason: MediaErrorReason;

  constructor(code: MediaErrorCode, reason: MediaErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.reason = reason;
  }
}

export function isMediaError(e: unknown): e is MediaError {
  return e instanceof MediaError;
}
