// espeak-ng as a child process (Debian's `espeak-ng` package): the voice for languages flite does
// not speak (French, German, Spanish, Italian… ~100 of them). It is GPL-3, so it runs as a separate
// program and is never linked in. The text goes in on stdin (no shell, no argv parsing, so text
// starting with "-" is still just text); the WAV comes back on stdout at 22,050 Hz and is
// resampled to 8 kHz.

import type { Clock } from '../../../time/clock.ts';
import { runProcess } from './run-process.ts';
import type { TtsProvider } from './tts-provider.ts';
import { MAX_TTS_OUTPUT_BYTES, checkTtsText, pcmFromEngineWav, ttsFailure, unknownVoice } from './tts-output.ts';

export interface EspeakOptions {
  readonly clock: Clock;
  /** The executable; `espeak-ng` on PATH by default. */
  readonly command?: string;
  readonly timeoutMs?: number;
}

/** `fr`, `fr-fr`, `pt-br`, `en-gb-x-rp`, optionally with a variant: `fr+f2`. */
const VOICE_SYNTAX = /^([a-z]{2,3}(?:-[a-z0-9]+)*)(\+[a-z0-9]+)?$/;

export class EspeakProvider implements TtsProvider {
  readonly name = 'espeak-ng';
  readonly #clock: Clock;
  readonly #command: string;
  readonly #timeoutMs: number;
  #voices: Promise<readonly string[]> | undefined;

  constructor(o: EspeakOptions) {
    this.#clock = o.clock;
    this.#command = o.command ?? 'espeak-ng';
    this.#timeoutMs = o.timeoutMs ?? 15_000;
  }

  /**
   * The language voices installed (`espeak-ng --voices`), lower case, plus each one's primary
   * language ("fr" for "fr-fr"), which espeak-ng also accepts. Asked once per provider.
   */
  listVoices(): Promise<readonly string[]> {
    if (this.#voices) return this.#voices;
    const probe = this.#run(['--voices'], undefined, 256 * 1024).then((out) => parseVoiceList(out.toString('utf8')));
    probe.catch(() => {
      if (this.#voices === probe) this.#voices = undefined;
    });
    this.#voices = probe;
    return probe;
  }

  async synthesize(text: string, voice: string, signal?: AbortSignal): Promise<Int16Array> {
    checkTtsText(this.name, text);
    const voices = await this.listVoices();
    const m = VOICE_SYNTAX.exec(voice);
    // espeak-ng prints an error and exits 0 with no audio for an unknown voice: check first.
    if (!m || !voices.includes(m[1])) throw unknownVoice(this.name, voice, voices.filter((v) => !v.includes('-')));
    if (text.trim() === '') return new Int16Array(0);
    // -b 1: the input is UTF-8 (accented letters), whatever the locale of the server.
    const wav = await this.#run(['--stdout', '-b', '1', '-v', voice], signal, MAX_TTS_OUTPUT_BYTES, text);
    return pcmFromEngineWav(this.name, wav);
  }

  async #run(args: string[], signal: AbortSignal | undefined, maxOutputBytes: number, stdin?: string): Promise<Buffer> {
    try {
      const out = await runProcess({ command: this.#command, args, clock: this.#clock, timeoutMs: this.#timeoutMs, maxOutputBytes, signal, ...(stdin === undefined ? {} : { stdin }) });
      return out.stdout;
    } catch (e) {
      throw ttsFailure(this.name, e);
    }
  }
}

/** The Language column of `espeak-ng --voices`, with primary subtags added. */
export function parseVoiceList(listing: string): string[] {
  const found = new Set<string>();
  for (const line of listing.split('\n').slice(1)) {
    const lang = line.trim().split(/\s+/)[1]?.toLowerCase();
    if (!lang || !VOICE_SYNTAX.test(lang)) continue;
    found.add(lang);
    found.add(lang.split('-')[0]);
  }
  return [...found].sort();
}
