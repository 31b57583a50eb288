// Cost of the SIP message layer on an SIPp-style INVITE (12 headers and an SDP body): parse,
// validate, a 200 built and serialized, and what one incoming request costs on its way to the
// transaction layer (parse, validate, Via stamped, transaction and dialog keys, caller and callee).
// Goals: parse ≤ 8 µs, validate ≤ 8 µs, build + serialize ≤ 6 µs. Short (a few seconds).
// Run: scripts/node bench/sip-message.ts

import { buildResponse } from '../src/telephony/sip/message/build.ts';
import { parseMessage } from '../src/telephony/sip/message/parse.ts';
import { serializeMessage } from '../src/telephony/sip/message/serialize.ts';
import type { SipRequest } from '../src/telephony/sip/message/types.ts';
import { validateRequest } from '../src/telephony/sip/message/validate.ts';
import { incomingRequestKey } from '../src/telephony/sip/dialog/dialog-state.ts';
import { serverKey } from '../src/telephony/sip/transaction/key.ts';
import { stampVia } from '../src/telephony/sip/transport/inbound.ts';
import { calledNumber, callerNumber } from '../src/telephony/sip-network/call-parties.ts';
import { machine, median } from './support/machine.ts';

const ROUNDS = 9;
const PER_ROUND = 2_000;
// Enough calls for V8 to have optimized the code: a server runs it hot.
const WARMUP_ROUNDS = 3;
const SOURCE = { address: '127.0.0.1', port: 5061, transport: 'UDP' as const };

const SDP = [
  'v=0',
  'o=sipp 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  '',
].join('\r\n');

function request(method: string, cseq: number, toTag: string, body: string): Buffer {
  const lines = [
    `${method} sip:+15550100300@127.0.0.1:5090;transport=udp SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-${cseq};rport`,
    'From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001',
    `To: <sip:+15550100300@127.0.0.1:5090>${toTag}`,
    'Call-ID: 1-1234@127.0.0.1',
    `CSeq: ${cseq} ${method}`,
    'Contact: <sip:sipp@127.0.0.1:5061;transport=udp>',
    'Max-Forwards: 70',
    'Subject: Ringflow uac-short',
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  return Buffer.from(lines.join('\r\n'));
}

const invite = request('INVITE', 1, '', SDP);
const bye = request('BYE', 2, ';tag=8a3f2c91d0e4b7a6', '');
const validInvite = parseMessage(invite) as SipRequest;
if (validateRequest(validInvite) !== null) throw new Error('the benchmark INVITE is invalid');

/**
 * Times each call on its own, its input made just before by `prepare` (untimed), so that a case
 * that must not see the same message twice gets a new one, as fresh as in the stack. A round's
 * figure is the median of its calls; the result is the median of the rounds (a neighbour's burst
 * spoils a round, not the result).
 */
function measure<T>(label: string, f: (input: T) => unknown, prepare: () => T): number {
  const samples = new Array<number>(PER_ROUND);
  const round = (): number => {
    for (let i = 0; i < PER_ROUND; i++) {
      const input = prepare();
      const t0 = performance.now();
      f(input);
      samples[i] = (performance.now() - t0) * 1000;
    }
    return median(samples);
  };
  for (let i = 0; i < WARMUP_ROUNDS; i++) round();
  const rounds = Array.from({ length: ROUNDS }, round);
  const m = median(rounds);
  console.log(`${label.padEnd(58)} median ${m.toFixed(2).padStart(7)} µs   rounds ${Math.min(...rounds).toFixed(2)}–${Math.max(...rounds).toFixed(2)} µs`);
  return m;
}

/** What the stack does with a request before a transaction sees it, plus the keys and parties read from it. */
function inbound(data: Buffer): unknown {
  const msg = parseMessage(data) as SipRequest;
  if (validateRequest(msg) !== null) throw new Error('the benchmark request is invalid');
  stampVia(msg, SOURCE);
  return [serverKey(msg), incomingRequestKey(msg), calledNumber(msg), callerNumber(msg)];
}

console.log(`SIP message layer — ${machine()}`);
console.log(`${ROUNDS} rounds of ${PER_ROUND} calls each, after ${WARMUP_ROUNDS} warm-up rounds; each call timed alone\n`);
const same = <T>(value: T) => () => value;
const fresh = () => parseMessage(invite) as SipRequest;
const parse = measure('parseMessage(INVITE)', (data: Buffer) => parseMessage(data), same(invite));
// A message parsed just before: nothing the validator learns about one message helps it with the next.
const validate = measure('validateRequest(INVITE), a new message each time', (msg: SipRequest) => validateRequest(msg), fresh);
// Responses are built from a request that was validated, as the stack does; the To tag is new.
const build = measure('serializeMessage(buildResponse(INVITE, 200))', (msg: SipRequest) => serializeMessage(buildResponse(msg, 200)), same(validInvite));
measure('serializeMessage(buildResponse(INVITE, 180, toTag))', (msg: SipRequest) => serializeMessage(buildResponse(msg, 180, undefined, { toTag: 'a1b2c3d4e5f60718' })), same(validInvite));
measure('serializeMessage(buildResponse(INVITE, 100))', (msg: SipRequest) => serializeMessage(buildResponse(msg, 100)), same(validInvite));
measure('INVITE in: parse, validate, stamp Via, keys, parties', inbound, same(invite));
measure('BYE in: parse, validate, stamp Via, keys, parties', inbound, same(bye));
const verdict = (name: string, value: number, goal: number) => `${name} ${value.toFixed(2)} µs (goal ≤ ${goal}): ${value <= goal ? 'met' : 'NOT met'}`;
console.log(`\n${verdict('parse', parse, 8)}; ${verdict('validate', validate, 8)}; ${verdict('build + serialize', build, 6)}`);
