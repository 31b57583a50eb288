// DTMF carried in SIP INFO: `application/dtmf-relay` (`Signal=5` / `Duration=160`, the de facto
// Cisco format) and `application/dtmf` (the digit alone). Some senders number * and # as 10/11.

export interface DtmfInfo {
  digit: string;
  durationMs?: number;
}

const BY_EVENT = '0123456789*#ABCD';

export function isDtmfContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/dtmf-relay' || type === 'application/dtmf';
}

/** The digit in an INFO body, or null when there is none we understand. */
export function parseDtmfInfo(contentType: string | undefined, body: Buffer): DtmfInfo | null {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = body.toString('utf8');
  if (type === 'application/dtmf') return digitOf(text.trim());
  if (type !== 'application/dtmf-relay') return null;
  let digit: string | null = null;
  let duration: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z-]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (m === null) continue;
    const name = m[1].toLowerCase();
    if (name === 'signal') digit = digitOf(m[2])?.digit ?? null;
    else if (name === 'duration' && /^\d+$/.test(m[2])) duration = Number(m[2]);
  }
  if (digit === null) return null;
  return duration === undefined ? { digit } : { digit, durationMs: duration };
}

function digitOf(text: string): DtmfInfo | null {
  const upper = text.toUpperCase();
  if (upper.length === 1 && BY_EVENT.includes(upper)) return { digit: upper };
  if (/^\d{2}$/.test(text) && Number(text) < BY_EVENT.length) return { digit: BY_EVENT[Number(text)] };
  return null;
}
