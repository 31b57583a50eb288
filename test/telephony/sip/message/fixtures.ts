// The RFC 4475 fixtures and what each must do (see fixtures/README.md for the sections).

import { readFileSync } from 'node:fs';
import type { SipParseErrorCode } from '../../../../src/telephony/sip/message/errors.ts';

export type Expectation = { valid: true } | { parseError: SipParseErrorCode } | { reject: number; mentions: RegExp };

export const TORTURE: Record<string, { section: string; expect: Expectation }> = {
  wsinv: { section: '3.1.1.1', expect: { valid: true } },
  intmeth: { section: '3.1.1.2', expect: { valid: true } },
  esc01: { section: '3.1.1.3', expect: { valid: true } },
  escnull: { section: '3.1.1.4', expect: { valid: true } },
  esc02: { section: '3.1.1.5', expect: { valid: true } },
  lwsdisp: { section: '3.1.1.6', expect: { valid: true } },
  longreq: { section: '3.1.1.7', expect: { valid: true } },
  dblreq: { section: '3.1.1.8', expect: { valid: true } },
  semiuri: { section: '3.1.1.9', expect: { valid: true } },
  transports: { section: '3.1.1.10', expect: { valid: true } },
  mpart01: { section: '3.1.1.11', expect: { valid: true } },
  unreason: { section: '3.1.1.12', expect: { valid: true } },
  noreason: { section: '3.1.1.13', expect: { valid: true } },
  badinv01: { section: '3.1.2.1', expect: { reject: 400, mentions: /Via/ } },
  clerr: { section: '3.1.2.2', expect: { parseError: 'SIP_PARSE_CONTENT_LENGTH' } },
  ncl: { section: '3.1.2.3', expect: { parseError: 'SIP_PARSE_CONTENT_LENGTH' } },
  scalar02: { section: '3.1.2.4', expect: { parseError: 'SIP_PARSE_CSEQ' } },
  scalarlg: { section: '3.1.2.5', expect: { parseError: 'SIP_PARSE_CSEQ' } },
  quotbal: { section: '3.1.2.6', expect: { reject: 400, mentions: /To.*unterminated/ } },
  ltgtruri: { section: '3.1.2.7', expect: { parseError: 'SIP_PARSE_START_LINE' } },
  lwsruri: { section: '3.1.2.8', expect: { parseError: 'SIP_PARSE_START_LINE' } },
  lwsstart: { section: '3.1.2.9', expect: { parseError: 'SIP_PARSE_START_LINE' } },
  trws: { section: '3.1.2.10', expect: { parseError: 'SIP_PARSE_START_LINE' } },
  escruri: { section: '3.1.2.11', expect: { reject: 400, mentions: /Request-URI carries headers/ } },
  baddate: { section: '3.1.2.12', expect: { reject: 400, mentions: /Date/ } },
  regbadct: { section: '3.1.2.13', expect: { reject: 400, mentions: /Contact.*enclosed in <>/ } },
  badaspec: { section: '3.1.2.14', expect: { reject: 400, mentions: /To:/ } },
  baddn: { section: '3.1.2.15', expect: { reject: 400, mentions: /From:.*display name/ } },
  badvers: { section: '3.1.2.16', expect: { parseError: 'SIP_PARSE_VERSION' } },
  mismatch01: { section: '3.1.2.17', expect: { parseError: 'SIP_PARSE_CSEQ_METHOD' } },
  mismatch02: { section: '3.1.2.18', expect: { parseError: 'SIP_PARSE_CSEQ_METHOD' } },
  bigcode: { section: '3.1.2.19', expect: { parseError: 'SIP_PARSE_START_LINE' } },
  badbranch: { section: '3.1.3.1', expect: { reject: 400, mentions: /branch/ } },
  insuf: { section: '3.1.4.1', expect: { parseError: 'SIP_PARSE_MISSING_HEADER' } },
  unkscm: { section: '3.1.4.2', expect: { reject: 416, mentions: /Unsupported URI Scheme/ } },
  multi01: { section: '3.1.4.8', expect: { reject: 400, mentions: /multiple/ } },
  mcl01: { section: '3.1.4.9', expect: { parseError: 'SIP_PARSE_CONTENT_LENGTH' } },
  zeromf: { section: '3.1.4.11', expect: { valid: true } },
  inv2543: { section: '3.4.1', expect: { valid: true } },
};

export function fixture(name: string): Buffer {
  return readFileSync(new URL(`fixtures/${name}.dat`, import.meta.url));
}
