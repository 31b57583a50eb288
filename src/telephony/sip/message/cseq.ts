// CSeq (RFC 3261 §20.16): 1*DIGIT LWS Method, the number below 2^31 (§8.1.1.5).

import { DIGITS, inSet, TOKEN_CHARS } from './charset.ts';
import { Scanner } from './scanner.ts';
import type { CSeq } from './types.ts';

const MAX_SEQ = 2 ** 31 - 1;

export function parseCSeq(text: string): CSeq {
  return usualCSeq(text) ?? parseAnyCSeq(text);
}

/** `314159 INVITE`: 1–9 digits without a leading zero, one space, a method; null for anything else. */
function usualCSeq(text: string): CSeq | null {
  const space = text.indexOf(' ');
  if (space < 1 || space > 9 || space === text.length - 1 || (text.charCodeAt(0) === 0x30 && space > 1)) return null;
  let seq = 0;
  for (let i = 0; i < space; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    seq = seq * 10 + (c - 0x30);
  }
  for (let i = space + 1; i < text.length; i++) if (!inSet(TOKEN_CHARS, text.charCodeAt(i))) return null;
  return { seq, method: text.slice(space + 1) };
}

function parseAnyCSeq(text: string): CSeq {
  const s = new Scanner(text, 'SIP_PARSE_CSEQ', 'CSeq');
  s.skipLws();
  const digits = s.takeSet(DIGITS);
  if (digits === '') s.fail('expected a sequence number');
  // Leading zeros are legal (RFC 4475 wsinv: "0009"); compare without them, digits may exceed a double.
  const significant = digits.charCodeAt(0) === 0x30 ? digits.replace(/^0+(?=\d)/, '') : digits;
  if (significant.length > 10 || Number(significant) > MAX_SEQ) s.fail('the sequence number must be below 2^31');
  const beforeLws = s.pos;
  s.skipLws();
  if (s.pos === beforeLws) s.fail('expected a space before the method');
  const method = s.token('a method');
  s.skipLws();
  if (!s.done) s.fail(`unexpected "${s.peek()}"`);
  return { seq: Number(significant), method };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
