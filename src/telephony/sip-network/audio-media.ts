// The MediaResolver of real calls: speech from the TTS service (cached), prompts from the prompt
// loader (cached, size-capped), and the two tones Ringflow makes itself.

import { RingflowError } from '../../errors.ts';
import type { Media } from '../port.ts';
import { isMediaError } from '../media/audio/media-error.ts';
import type { PromptLoader } from '../media/audio/prompt-loader.ts';
import { recordingBeep, waitingSound } from '../media/audio/tones.ts';
import type { TtsService } from '../media/audio/tts-service.ts';
import type { MediaResolver } from './media-resolver.ts';

export class AudioMedia implements MediaResolver {
  readonly #tts: TtsService;
  readonly #prompts: PromptLoader;
  readonly #beep = recordingBeep();
  readonly #waiting = waitingSound();

  constructor(deps: { tts: TtsService; prompts: PromptLoader }) {
    this.#tts = deps.tts;
    this.#prompts = deps.prompts;
  }

  async pcm(media: Media, signal: AbortSignal): Promise<Int16Array> {
    try {
      return await this.#pcm(media, signal);
    } catch (e) {
      // The engine reports coded errors; the audio layer's own class carries the same codes.
      if (isMediaError(e)) throw new RingflowError(e.code, { detail: e.message }, undefined, { cause: e });
      throw e;
    }
  }

  async #pcm(media: Media, signal: AbortSignal): Promise<Int16Array> {
    switch (media.type) {
      case 'say':
        return this.#tts.speak(media.text, media.language, media.voice, signal);
      case 'play':
        return this.#prompts.load(media.url, signal);
      case 'beep':
        return this.#beep;
      case 'waiting':
        return this.#waiting;
    }
  }
}
