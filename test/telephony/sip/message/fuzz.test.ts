// Mutates the RFC 4475 fixtures at random (seeded, so a failure replays) and checks the parser and
// the structured parsers only ever fail with SipParseError: a malformed datagram must never crash
// the process or disturb other calls (SPEC §4.2).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCSeq } from '../../../../src/telephony/sip/message/cseq.ts';
import { SipParseError } from '../../../../src/telephony/sip/message/errors.ts';
import { headers } from '../../../../src/telephony/sip/message/headers.ts';
import { parseNameAddr } from '../../../../src/telephony/sip/message/nameaddr.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize.ts';
import { SipStreamFramer } from '../../../../src/telephony/sip/message/stream.ts';
import { parseUri } from '../../../../src/telephony/sip/message/uri.ts';
import { validateRequest, validateResponse } from '../../../../src/telephony/sip/message/validate.ts';
import { parseVia } from '../../../../src/telephony/sip/message/via.ts';
import { fixture, TORTURE } from './fixtures.ts';

const ITERATIONS = 2000;

/** mulberry32: small, fast, good enough to spread mutations; the seed makes a run repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes that matter to a SIP parser, more likely to find an edge than uniform noise. */
const INTERESTING = Buffer.from(' \t\r\n:;,="<>@%\\/[]?0123456789\x00\xff-');

function mutate(data: Buffer, rnd: () => number): Buffer {
  const pick = (n: number) => Math.floor(rnd() * n);
  let out = Buffer.from(data);
  const edits = 1 + pick(4);
  for (let i = 0; i < edits; i++) {
    const at = pick(out.length + 1);
    const byte = rnd() < 0.7 ? INTERESTING[pick(INTERESTING.length)] : pick(256);
    switch (pick(6)) {
      case 0: // replace one byte
        if (at < out.length) out[at] = byte;
        break;
      case 1: // insert one byte
        out = Buffer.concat([out.subarray(0, at), Buffer.from([byte]), out.subarray(at)]);
        break;
      case 2: // delete a run
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + pick(16)))]);
        break;
      case 3: {
        // duplicate a run (repeated headers, doubled separators)
        const run = out.subarray(at, Math.min(out.length, at + 1 + pick(40)));
        out = Buffer.concat([out.subarray(0, at), run, run, out.subarray(at + run.length)]);
        break;
      }
      case 4: // truncate
        out = out.subarray(0, at);
        break;
      default: // swap a digit run for a huge number
        out = Buffer.concat([out.subarray(0, at), Buffer.from('99999999999999999999'), out.subarray(at)]);
    }
  }
  return out;
}

/** Everything a UA would run on a received datagram. */
function process(data: Buffer): void {
  const msg = parseMessage(data);
  if (msg.kind === 'request') validateRequest(msg);
  else validateResponse(msg);
  for (const v of headers(msg, 'via')) tolerate(() => parseVia(v));
  for (const name of ['from', 'to', 'contact', 'route', 'record-route']) {
    for (const v of headers(msg, name)) tolerate(() => parseNameAddr(v));
  }
  tolerate(() => parseCSeq(headers(msg, 'cseq')[0]));
  if (msg.kind === 'request') tolerate(() => parseUri(msg.uri));
  parseMessage(serializeMessage(msg));
}

function tolerate(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
  }
}

test(`fuzz: ${ITERATIONS} mutated torture messages throw only SipParseError`, () => {
  const rnd = prng(0x5eed4475);
  const sources = Object.keys(TORTURE).map(fixture);
  const seen = { parsed: 0, rejected: 0 };
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(sources[i % sources.length], rnd);
    try {
      process(input);
      seen.parsed++;
    } catch (e) {
      if (!(e instanceof SipParseError)) {
        assert.fail(`iteration ${i}: ${String(e)}\ninput (base64): ${input.toString('base64')}`);
      }
      seen.rejected++;
    }
  }
  // Both outcomes must occur, or the mutations are too weak (or too strong) to test anything.
  assert.ok(seen.parsed > 100 && seen.rejected > 100, JSON.stringify(seen));
});

test('fuzz: the stream framer, fed mutated messages in random chunks, throws only SipParseError', () => {
  const rnd = prng(0x7c9);
  const sources = Object.keys(TORTURE).map(fixture);
  for (let i = 0; i < 300; i++) {
    const framer = new SipStreamFramer({ maxMessageBytes: 8192 });
    const data = Buffer.concat([mutate(sources[i % sources.length], rnd), mutate(sources[(i * 7) % sources.length], rnd)]);
    let at = 0;
    try {
      while (at < data.length) {
        const n = 1 + Math.floor(rnd() * 200);
        framer.push(data.subarray(at, at + n));
        at += n;
      }
    } catch (e) {
      if (!(e instanceof SipParseError)) assert.fail(`iteration ${i}: ${String(e)}`);
    }
  }
});
