// CSeq (RFC 3261 §20.16): 1*DIGIT LWS Method, the number below 2^31 (§8.1.1.5).

import { DIGITS } from './charset.ts';
import { Scanner } from './scanner.ts';
import type { CSeq } from './types.ts';

const MAX_SEQ = 2 ** 31 - 1;

export function parseCSeq(text: string): CSeq {
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
