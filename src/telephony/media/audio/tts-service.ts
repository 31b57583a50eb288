// say@v2's text-to-speech: picks the engine and voice for a language (voices.ts), then serves the
// audio from the cache or synthesizes it once.

import { TtsCache } from './tts-cache.ts';
import type { TtsProvider } from './tts-provider.ts';
import { chooseVoice, type VoiceChoice } from './voices.ts';

/** The engines installed: flite always (binary or WASI), espeak-ng when present. */
export interface TtsEngines {
  readonly flite: TtsProvider;
  readonly espeak: TtsProvider | null;
}

/** The part of a pino logger this module uses. */
export interface AudioLogger {
  warn(fields: object, message: string): void;
  info?(fields: object, message: string): void;
}

export interface TtsServiceOptions {
  readonly engines: TtsEngines;
  readonly cache: TtsCache;
  readonly logger?: AudioLogger;
}

export class TtsService {
  readonly #engines: TtsEngines;
  readonly #cache: TtsCache;
  readonly #logger: AudioLogger | undefined;
  /** Fallback warnings already logged, so a campaign logs each once, not once per call. */
  readonly #warned = new Set<string>();

  constructor(o: TtsServiceOptions) {
    this.#engines = o.engines;
    this.#cache = o.cache;
    this.#logger = o.logger;
  }

  /** The engine and voice that would speak `language`/`voice` on this machine. */
  async choose(language: string | undefined, voice?: string): Promise<VoiceChoice & { readonly provider: TtsProvider }> {
    const espeak = this.#engines.espeak;
    const espeakVoices = espeak ? ((await espeak.listVoices?.().catch(() => null)) ?? null) : null;
    const choice = chooseVoice(language, voice, espeakVoices);
    const provider = choice.engine === 'espeak' && espeak ? espeak : this.#engines.flite;
    if (choice.warning && !this.#warned.has(choice.warning)) {
      this.#warned.add(choice.warning);
      this.#logger?.warn({ language, voice, engine: provider.name, chosen: choice.voice }, choice.warning);
    }
    return { ...choice, provider };
  }

  /** 8 kHz mono PCM of `text` (shared with other callers: read-only). */
  async speak(text: string, language: string | undefined, voice?: string, signal?: AbortSignal): Promise<Int16Array> {
    signal?.throwIfAborted();
    const { provider, voice: name } = await this.choose(language, voice);
    return this.#cache.get(TtsCache.key(provider.name, name, text), (shared) => provider.synthesize(text, name, shared), signal);
  }
}
