// What the local speech engines have in common once they have run: their WAV output becomes
// 8 kHz mono PCM, and their failures become MediaErrors a run's log can show.

import { MediaError } from './media-error.ts';
import { ProcessError } from './run-process.ts';
import { toTelephonyPcm } from './resample.ts';
import { AudioFormatError, decodeWav } from './wav-decode.ts';

/** Longer text than this is refused: a prompt of 20,000 characters is ~20 minutes of speech. */
export const MAX_TTS_TEXT_CHARS = 20_000;
/** Cap on an engine's WAV output (about 25 minutes at 16 kHz). */
export const MAX_TTS_OUTPUT_BYTES = 50 * 1024 * 1024;

export function checkTtsText(engine: string, text: string): void {
  if (text.length > MAX_TTS_TEXT_CHARS) {
    throw new MediaError('RF_MEDIA_TTS', 'too-large', `${engine}: the text has ${text.length} characters, more than the ${MAX_TTS_TEXT_CHARS} one prompt may have`);
  }
}

export function pcmFromEngineWav(engine: string, bytes: Uint8Array): Int16Array {
  try {
    return toTelephonyPcm(decodeWav(bytes));
  } catch (e) {
    if (e instanceof AudioFormatError) throw new MediaError('RF_MEDIA_TTS', 'failed', `${engine} produced unreadable audio: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Maps a process failure to the MediaError users see; anything else (an abort reason) passes through. */
export function ttsFailure(engine: string, e: unknown): unknown {
  if (!(e instanceof ProcessError)) return e;
  const reason = e.kind === 'missing' ? 'unavailable' : e.kind === 'timeout' ? 'timeout' : e.kind === 'too-large' ? 'too-large' : 'failed';
  return new MediaError('RF_MEDIA_TTS', reason, `${engine}: ${e.message}`, { cause: e });
}

export function unknownVoice(engine: string, voice: string, known: readonly string[]): MediaError {
  return new MediaError('RF_MEDIA_VOICE', 'unknown-voice', `${engine} has no voice "${voice}"; it has: ${known.join(', ')}`);
}
