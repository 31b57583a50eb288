// DTMF tone synthesis: test fixtures for the in-band detector and the audio of in-band sending.

import { SAMPLE_RATE } from '../audio-frame.ts';
import { DTMF_COL_HZ, DTMF_ROW_HZ, keyPosition, normalizeDigit } from './keypad.ts';

export interface ToneOptions {
  /** Peak level of the sum of the two sines, in dBFS (default −20, like `sox … gain -n -20`). */
  levelDbfs?: number;
  /** Row level minus column level in dB (default 0); real phones add a little twist. */
  twistDb?: number;
}

/** `durationMs` of the two-frequency tone for `digit`, 8 kHz signed 16-bit PCM. */
export function dtmfTone(digit: string, durationMs: number, options: ToneOptions = {}): Int16Array {
  const key = normalizeDigit(digit);
  if (key === null) throw new RangeError(`not a DTMF key: ${JSON.stringify(digit)}`);
  const { row, col } = keyPosition(key);
  const peak = 32767 * 10 ** ((options.levelDbfs ?? -20) / 20);
  // Split the peak between the two sines so that their sum peaks at the requested level.
  const ratio = 10 ** ((options.twistDb ?? 0) / 20);
  const colAmp = peak / (1 + ratio);
  const rowAmp = peak - colAmp;
  const out = new Int16Array(Math.round((durationMs * SAMPLE_RATE) / 1000));
  const wRow = (2 * Math.PI * DTMF_ROW_HZ[row]!) / SAMPLE_RATE;
  const wCol = (2 * Math.PI * DTMF_COL_HZ[col]!) / SAMPLE_RATE;
  for (let i = 0; i < out.length; i++) out[i] = Math.round(rowAmp * Math.sin(wRow * i) + colAmp * Math.sin(wCol * i));
  return out;
}
