// The cursor of the calls list: the (created, sid) of the last call of a page, as base64url JSON.
// Opaque to clients, so the position can change form later without breaking their code.

import { RingflowError } from '../../errors.ts';

export interface CallPosition {
  created: string;
  sid: string;
}

export function encodeCallCursor(position: CallPosition): string {
  return Buffer.from(JSON.stringify([position.created, position.sid])).toString('base64url');
}

/** Throws RF_CURSOR_INVALID for anything encodeCallCursor did not produce. */
export function decodeCallCursor(cursor: string): CallPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) && parsed.length === 2 &&
    typeof parsed[0] === 'string' && typeof parsed[1] === 'string' && parsed[1] !== '' &&
    !Number.isNaN(Date.parse(parsed[0]))
  ) {
    return { created: parsed[0], sid: parsed[1] };
  }
  // Only the start is echoed: a cursor is client input of any length.
  throw new RingflowError('RF_CURSOR_INVALID', { cursor: cursor.length > 40 ? `${cursor.slice(0, 40)}…` : cursor });
}
