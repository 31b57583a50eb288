// flite as a child process (Debian's `flite` package): the fastest local voice, 10–50 ms a
// sentence. The text goes in as one argv entry after -t and never through a shell; the WAV is
// written to a private temporary file (flite cannot write to Node's socket-based stdout).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../../time/clock.ts';
import { MediaError } from './media-error.ts';
import { runProcess } from './run-process.ts';
import { withTempDir } from './temp-dir.ts';
import type { TtsProvider } from './tts-provider.ts';
import { MAX_TTS_OUTPUT_BYTES, checkTtsText, pcmFromEngineWav, ttsFailure, unknownVoice } from './tts-output.ts';

/** `awb_time` only speaks clock times, so it is not offered as a general voice. */
const LIMITED_DOMAIN = new Set(['awb_time']);

export interface FliteBinaryOptions {
  readonly clock: Clock;
  /** The executable; `flite` on PATH by default. */
  readonly command?: string;
  readonly timeoutMs?: number;
}

export class FliteBinaryProvider implements TtsProvider {
  readonly name = 'flite';
  readonly #clock: Clock;
  readonly #command: string;
  readonly #timeoutMs: number;
  #voices: Promise<readonly string[]> | undefined;

  constructor(o: FliteBinaryOptions) {
    this.#clock = o.clock;
    this.#command = o.command ?? 'flite';
    this.#timeoutMs = o.timeoutMs ?? 15_000;
  }

  /** The voices compiled into this flite (`flite -lv`), asked once per provider. */
  listVoices(): Promise<readonly string[]> {
    // Not tied to one caller's signal: concurrent callers share the probe, which has its own deadline.
    if (this.#voices) return this.#voices;
    const probe = this.#run(['-lv'], undefined, 64 * 1024).then((out) =>
      out
        .toString('utf8')
        .replace(/^.*?:/, '') // "Voices available: kal awb …"
        .trim()
        .split(/\s+/)
        .filter((v) => v && !LIMITED_DOMAIN.has(v)),
    );
    // A failed probe must not stick: the next call asks again.
    probe.catch(() => {
      if (this.#voices === probe) this.#voices = undefined;
    });
    this.#voices = probe;
    return probe;
  }

  async synthesize(text: string, voice: string, signal?: AbortSignal): Promise<Int16Array> {
    checkTtsText(this.name, text);
    const voices = await this.listVoices();
    // Unknown names would silently fall back to flite's default voice: refuse them instead.
    if (!voices.includes(voice)) throw unknownVoice(this.name, voice, voices);
    if (text.trim() === '') return new Int16Array(0);
    return withTempDir(async (dir) => {
      const file = join(dir, 'speech.wav');
      await this.#run(['-voice', voice, '-t', text, '-o', file], signal, 64 * 1024);
      const wav = await readFile(file);
      if (wav.length > MAX_TTS_OUTPUT_BYTES) throw new MediaError('RF_MEDIA_TTS', 'too-large', `${this.name}: the audio is larger than ${MAX_TTS_OUTPUT_BYTES} bytes`);
      return pcmFromEngineWav(this.name, wav);
    });
  }

  async #run(args: string[], signal: AbortSignal | undefined, maxOutputBytes: number): Promise<Buffer> {
    try {
      const out = await runProcess({ command: this.#command, args, clock: this.#clock, timeoutMs: this.#timeoutMs, maxOutputBytes, signal });
      return out.stdout;
    } catch (e) {
      throw ttsFailure(this.name, e);
    }
  }
}
