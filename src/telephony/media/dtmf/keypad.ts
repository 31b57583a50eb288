// The 16 DTMF keys, their two frequencies (ITU-T Q.23) and their RFC 4733 event codes, shared by the
// tone generator, the Goertzel detector and the telephone-event encoder so the three cannot disagree.

export const DTMF_ROW_HZ = [697, 770, 852, 941] as const;
export const DTMF_COL_HZ = [1209, 1336, 1477, 1633] as const;

/** KEYPAD[row][col]. */
const KEYPAD = ['123A', '456B', '789C', '*0#D'] as const;

/** Every key in keypad order. */
export const DTMF_KEYS = '123A456B789C*0#D';

/** Uppercase single key, or null when `digit` is not a DTMF key. */
export function normalizeDigit(digit: string): string | null {
  const key = digit.toUpperCase();
  return key.length === 1 && DTMF_KEYS.includes(key) ? key : null;
}

/** Row and column indexes of a key (which must be valid). */
export function keyPosition(key: string): { row: number; col: number } {
  for (let row = 0; row < 4; row++) {
    const col = KEYPAD[row]!.indexOf(key);
    if (col >= 0) return { row, col };
  }
  throw new RangeError(`not a DTMF key: ${JSON.stringify(key)}`);
}

export function keyAt(row: number, col: number): string {
  return KEYPAD[row]![col]!;
}

/** RFC 4733 §3.2 event codes: 0–9, * = 10, # = 11, A–D = 12–15. */
const EVENT_KEYS = '0123456789*#ABCD';

export function eventCodeOf(key: string): number {
  const code = EVENT_KEYS.indexOf(key);
  if (code < 0 || key.length !== 1) throw new RangeError(`not a DTMF key: ${JSON.stringify(key)}`);
  return code;
}

/** The key for a telephone-event code, or null for codes that are not DTMF (flash, fax tones…). */
export function keyOfEventCode(code: number): string | null {
  return code >= 0 && code < 16 ? EVENT_KEYS[code]! : null;
}
