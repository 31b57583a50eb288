// How long simulated media lasts. Fixed, deterministic figures rather than real TTS or file
// lengths, so a simulated transcript reads the same on every machine and in every test.

import type { Media } from '../port.ts';

/** Text-to-speech speaks about 15 characters a second… */
export const SAY_MS_PER_CHAR = 65;
/** …and even a one-word prompt takes a moment. */
export const SAY_MIN_MS = 600;
/** The simulator does not fetch audio files; every file plays this long. */
export const PLAY_URL_MS = 3000;
export const BEEP_MS = 400;

/** Duration of one play of `media`; Infinity for the waiting sound, which plays until stopped. */
export function mediaDurationMs(media: Media): number {
  switch (media.type) {
    case 'say': return Math.max(SAY_MIN_MS, SAY_MS_PER_CHAR * [...media.text].length);
    case 'play': return PLAY_URL_MS;
    case 'beep': return BEEP_MS;
    case 'waiting': return Infinity;
  }
}
