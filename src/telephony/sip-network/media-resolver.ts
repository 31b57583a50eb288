// What a call hears, as PCM: the port's Media (say, play, beep, waiting) turned into 8 kHz samples
// by text-to-speech, the prompt loader or the tone generator. The SIP call only asks for samples.

import type { Media } from '../port.ts';

export interface MediaResolver {
  /** The samples of `media` (8 kHz mono); rejects with a MediaError (bad URL, TTS failure…). */
  pcm(media: Media, signal: AbortSignal): Promise<Int16Array>;
}
