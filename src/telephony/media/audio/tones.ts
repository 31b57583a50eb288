// Sounds Ringflow makes itself, generated at 8 kHz: the beep before a recording, the waiting sound
// of fetch@v2 `audio.enabled`, silence.

import { FRAME_SAMPLES, SAMPLE_RATE } from '../audio-frame.ts';
import { fromDbfs } from './pcm-level.ts';

/** Fade in and out over 5 ms: a tone that starts or stops at full level clicks. */
const RAMP_MS = 5;

export interface ToneOptions {
  readonly frequencyHz: number;
  readonly durationMs: number;
  /** Peak level. */
  readonly dbfs: number;
}

/** A sine tone with raised-cosine ramps at both ends. */
export function tone(o: ToneOptions): Int16Array {
  const length = Math.round((o.durationMs * SAMPLE_RATE) / 1000);
  const ramp = Math.min(Math.round((RAMP_MS * SAMPLE_RATE) / 1000), length >> 1);
  const peak = fromDbfs(o.dbfs) * 32767;
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    const edge = Math.min(i, length - 1 - i);
    const gain = edge >= ramp ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp);
    out[i] = Math.round(peak * gain * Math.sin((2 * Math.PI * o.frequencyHz * i) / SAMPLE_RATE));
  }
  return out;
}

/**
 * The beep before a recording: 1 kHz for 250 ms at −10 dBFS, the tone callers know from voicemail.
 * 1 kHz is not a DTMF frequency, so the in-band detector never hears it as a key.
 */
export function recordingBeep(): Int16Array {
  return tone({ frequencyHz: 1000, durationMs: 250, dbfs: -10 });
}

/** Length of one period of the waiting sound. */
export const WAITING_PERIOD_MS = 2000;

/**
 * The sound a caller hears while fetch@v2 waits for a slow server: a soft two-note chime (C5 then
 * G4, a falling fourth like a doorbell) once every 2 s, at −24 dBFS, to be played with loop 0.
 *
 * Why this sound: the caller must know the line is alive without being startled or mistaking it
 * for something else. Silence sounds like a dropped call; music needs a licence and G.711 mangles
 * it; a steady tone or a 2 s cadence of 425/440+480 Hz would sound like ringback or busy. Pure
 * sines at 523 and 392 Hz sit below every DTMF frequency (697 Hz and up), so they cannot be taken
 * for a key press if they echo back. −24 dBFS is well under speech (flite speaks near −16 dBFS).
 * Each note decays to exactly zero long before the period ends, and the period starts at zero, so
 * the loop point is silent on both sides: looping it can never click.
 */
export function waitingSound(): Int16Array {
  const length = (WAITING_PERIOD_MS * SAMPLE_RATE) / 1000;
  const mix = new Float64Array(length);
  addChimeNote(mix, 523.25, 0);
  addChimeNote(mix, 392.0, 0.45);
  let max = 0;
  for (const v of mix) max = Math.max(max, Math.abs(v));
  const scale = (fromDbfs(-24) * 32767) / max;
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round(mix[i] * scale);
  return out;
}

/** A bell-like note: 4 ms attack, exponential decay, a raised-cosine tail that reaches zero at 1.2 s. */
function addChimeNote(into: Float64Array, frequencyHz: number, startS: number): void {
  const start = Math.round(startS * SAMPLE_RATE);
  const attack = Math.round(0.004 * SAMPLE_RATE);
  const length = Math.round(1.2 * SAMPLE_RATE);
  const tail = Math.round(0.3 * SAMPLE_RATE);
  for (let i = 0; i < length && start + i < into.length; i++) {
    const t = i / SAMPLE_RATE;
    let gain = Math.exp(-t / 0.28);
    if (i < attack) gain *= 0.5 - 0.5 * Math.cos((Math.PI * i) / attack);
    const left = length - 1 - i;
    if (left < tail) gain *= 0.5 - 0.5 * Math.cos((Math.PI * left) / tail);
    into[start + i] += gain * Math.sin(2 * Math.PI * frequencyHz * t);
  }
}

/** `ms` of digital silence. */
export function silence(ms: number): Int16Array {
  return new Int16Array(Math.round((ms * SAMPLE_RATE) / 1000));
}

/** One 20 ms frame of silence (a fresh array: the receiver may keep it). */
export function silenceFrame(): Int16Array {
  return new Int16Array(FRAME_SAMPLES);
}
