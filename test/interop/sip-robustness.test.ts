// Inbound robustness against a running Ringflow server over real sockets (SPEC §4.2: "a malformed
// SIP message gets a 400 (or is dropped) and never disturbs other calls"):
// - the RFC 4475 torture messages thrown at the SIP port (UDP, a few over TCP) while a SIPp call
//   gathers digits: valid requests are answered, invalid ones get 400 (or are dropped), the server
//   keeps answering /v2.0/ping and the call completes with its digits;
// - refusals: an unassigned number (404), an offer without PCMU/PCMA (488), inbound digest auth
//   (401 without or with wrong credentials, answered with the right ones);
// - peers that misbehave: one that never ACKs our 200 (telephony.sip.ackTimeoutSeconds), one that
//   goes silent or is killed mid-call (rtp.timeoutSeconds); each time Ringflow hangs up and the
//   scenario's hangup branch runs;
// - RTP from a stranger during a call, or before the caller's first packet, is ignored, and garbage
//   between calls leaves the next call working.
// The caller is SIPp where its scenarios fit, else a small raw SIP/RTP peer written here (it sees
// every byte Ringflow sends: the 200's retransmissions, the BYE, the RTP port of the answer).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { createScenario } from '../helpers/api-server.ts';
import { eventually } from '../helpers/server.ts';
import { startSipServer, type SipTestServer } from '../helpers/sip-server.ts';
import { killAllSipp, runSipp, type SippResult } from '../helpers/sipp.ts';
import { fixture, TORTURE } from '../telephony/sip/message/fixtures.ts';

// ---- a raw SIP peer ------------------------------------------------------------------------------

interface SipMsg {
  raw: string;
  status: number | null;
  method: string | null;
  /** Lower-case full names (compact forms expanded), values in order. */
  headers: Record<string, string[]>;
  body: string;
  at: number;
}

const COMPACT: Record<string, string> = { v: 'via', i: 'call-id', f: 'from', t: 'to', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported' };

function parseSip(raw: string): SipMsg {
  const cut = raw.indexOf('\r\n\r\n');
  const head = cut < 0 ? raw : raw.slice(0, cut);
  const body = cut < 0 ? '' : raw.slice(cut + 4);
  const lines: string[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  const first = lines.shift() ?? '';
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  const status = /^SIP\/2\.0 (\d{3})/.exec(first);
  return { raw, status: status ? Number(status[1]) : null, method: status ? null : (first.split(' ')[0] ?? null), headers, body, at: Date.now() };
}

const h = (m: SipMsg, name: string): string => m.headers[name]?.[0] ?? '';

/** One SIP endpoint of our own on 127.0.0.1 (UDP, or one TCP connection to the server). */
class RawPeer {
  readonly received: SipMsg[] = [];
  readonly #taken = new Set<SipMsg>();
  #wake: (() => void) | undefined;
  #udp: UdpSocket | undefined;
  #tcp: TcpSocket | undefined;
  #buf = Buffer.alloc(0);
  closedByPeer = false;
  port = 0;

  readonly transport: 'UDP' | 'TCP';
  readonly server: { host: string; port: number };

  private constructor(transport: 'UDP' | 'TCP', server: { host: string; port: number }) {
    this.transport = transport;
    this.server = server;
  }

  static async udp(serverPort: number): Promise<RawPeer> {
    const p = new RawPeer('UDP', { host: '127.0.0.1', port: serverPort });
    const s = createSocket('udp4');
    s.on('message', (data) => p.#push(data.toString('latin1')));
    await new Promise<void>((ok) => s.bind(0, '127.0.0.1', ok));
    p.#udp = s;
    p.port = s.address().port;
    return p;
  }

  static async tcp(serverPort: number): Promise<RawPeer> {
    const p = new RawPeer('TCP', { host: '127.0.0.1', port: serverPort });
    const s = connect({ host: '127.0.0.1', port: serverPort });
    await new Promise<void>((ok, fail) => s.once('connect', ok).once('error', fail));
    s.on('error', () => {});
    s.on('close', () => {
      p.closedByPeer = true;
      p.#wake?.();
    });
    s.on('data', (chunk: Buffer) => p.#frame(chunk));
    p.#tcp = s;
    p.port = s.localPort!;
    return p;
  }

  send(data: string | Buffer): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (this.#udp) this.#udp.send(bytes, this.server.port, this.server.host);
    else this.#tcp!.write(bytes);
  }

  /** The first message not yet taken that matches, waiting up to `ms`. */
  async next(match: (m: SipMsg) => boolean, ms: number, what: string): Promise<SipMsg> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.find((m) => !this.#taken.has(m) && match(m));
      if (found) {
        this.#taken.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; got:\n${this.received.map((m) => m.raw.split('\r\n')[0]).join('\n')}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, left);
        this.#wake = () => {
          clearTimeout(t);
          ok();
        };
      });
    }
  }

  /** Resolves true when the server closes the TCP connection within `ms`. */
  async waitClosed(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closedByPeer && Date.now() < deadline) await sleep(20);
    return this.closedByPeer;
  }

  close(): void {
    this.#udp?.close();
    this.#tcp?.destroy();
  }

  #push(raw: string): void {
    this.received.push(parseSip(raw));
    this.#wake?.();
  }

  #frame(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    for (;;) {
      while (this.#buf.length >= 2 && this.#buf[0] === 13 && this.#buf[1] === 10) this.#buf = this.#buf.subarray(2);
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(this.#buf.subarray(0, end + 2).toString('latin1'))?.[1] ?? 0);
      if (this.#buf.length < end + 4 + length) return;
      this.#push(this.#buf.subarray(0, end + 4 + length).toString('latin1'));
      this.#buf = this.#buf.subarray(end + 4 + length);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const token = () => randomBytes(6).toString('hex');

/** A dialog-forming INVITE from `peer` and what is needed to ACK and answer BYEs in its dialog. */
class RawCall {
  readonly callId = `rb-${token()}@127.0.0.1`;
  readonly tag = token();
  readonly branch = `z9hG4bK-rb-${token()}`;
  readonly uri: string;
  readonly peer: RawPeer;
  readonly sdp: string | null;
  readonly extra: string[];

  constructor(peer: RawPeer, user: string, sdp: string | null, extra: string[] = []) {
    this.peer = peer;
    this.sdp = sdp;
    this.extra = extra;
    this.uri = `sip:${user}@127.0.0.1:${peer.server.port}`;
  }

  get via(): string {
    return `SIP/2.0/${this.peer.transport} 127.0.0.1:${this.peer.port};branch=${this.branch};rport`;
  }

  invite(): void {
    const body = this.sdp ?? '';
    this.peer.send([
      `INVITE ${this.uri} SIP/2.0`,
      `Via: ${this.via}`,
      'Max-Forwards: 70',
      `From: <sip:rb@127.0.0.1:${this.peer.port}>;tag=${this.tag}`,
      `To: <${this.uri}>`,
      `Call-ID: ${this.callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:rb@127.0.0.1:${this.peer.port}>`,
      ...this.extra,
      ...(this.sdp ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'));
  }

  response(match: (m: SipMsg) => boolean, ms: number, what: string): Promise<SipMsg> {
    return this.peer.next((m) => m.status !== null && h(m, 'call-id') === this.callId && match(m), ms, what);
  }

  /** ACK of a final response: in the INVITE's transaction for a failure, a new one for a 2xx. */
  ack(final: SipMsg): void {
    const twoHundred = final.status! < 300;
    const target = twoHundred ? (/<([^>]+)>/.exec(h(final, 'contact'))?.[1] ?? this.uri) : this.uri;
    this.peer.send([
      `ACK ${target} SIP/2.0`,
      `Via: ${twoHundred ? `SIP/2.0/${this.peer.transport} 127.0.0.1:${this.peer.port};branch=z9hG4bK-rb-${token()};rport` : this.via}`,
      'Max-Forwards: 70',
      `From: <sip:rb@127.0.0.1:${this.peer.port}>;tag=${this.tag}`,
      `To: ${h(final, 'to')}`,
      `Call-ID: ${this.callId}`,
      'CSeq: 1 ACK',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'));
  }

  /** Waits for the server's BYE and answers it 200. */
  async byeFromServer(ms: number): Promise<SipMsg> {
    const bye = await this.peer.next((m) => m.method === 'BYE' && h(m, 'call-id') === this.callId, ms, 'BYE');
    this.peer.send([
      'SIP/2.0 200 OK',
      ...bye.headers.via!.map((v) => `Via: ${v}`),
      `From: ${h(bye, 'from')}`,
      `To: ${h(bye, 'to')}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${h(bye, 'cseq')}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'));
    return bye;
  }
}

function sdpOffer(rtpPort: number, formats = '8 101', maps = ['a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16']): string {
  return ['v=0', 'o=rb 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${rtpPort} RTP/AVP ${formats}`, ...maps, 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');
}

// ---- raw RTP -------------------------------------------------------------------------------------

function rtpPacket(o: { pt: number; seq: number; ts: number; ssrc: number; marker?: boolean; payload: Buffer }): Buffer {
  const head = Buffer.alloc(12);
  head[0] = 0x80;
  head[1] = (o.marker ? 0x80 : 0) | o.pt;
  head.writeUInt16BE(o.seq & 0xffff, 2);
  head.writeUInt32BE(o.ts >>> 0, 4);
  head.writeUInt32BE(o.ssrc >>> 0, 8);
  return Buffer.concat([head, o.payload]);
}

const EVENT_CODES: Record<string, number> = { '*': 10, '#': 11 };
const eventCode = (d: string) => EVENT_CODES[d] ?? Number(d);

/**
 * A phone's media stream from one UDP socket: PCMA silence every 20 ms, and RFC 4733 events in place
 * of the audio while a key is pressed (100 ms of updates, then three end packets), on one SSRC.
 */
class RtpPhone {
  readonly received: { from: number; at: number }[] = [];
  readonly #socket: UdpSocket;
  #timer: NodeJS.Timeout | undefined;
  #seq = Math.floor(Math.random() * 60000);
  #ts = Math.floor(Math.random() * 2 ** 31);
  readonly #ssrc = randomBytes(4).readUInt32BE(0);
  #keys: { code: number; ts: number; tick: number }[] = [];
  #current: { code: number; ts: number; tick: number } | undefined;
  remote: { host: string; port: number } | undefined;
  port = 0;

  constructor() {
    this.#socket = createSocket('udp4');
    this.#socket.on('message', (_d, r) => this.received.push({ from: r.port, at: Date.now() }));
  }

  async open(): Promise<this> {
    await new Promise<void>((ok) => this.#socket.bind(0, '127.0.0.1', ok));
    this.port = this.#socket.address().port;
    return this;
  }

  start(remote: { host: string; port: number }): void {
    this.remote = remote;
    this.#timer = setInterval(() => this.#tick(), 20);
  }

  press(keys: string): void {
    for (const k of keys) this.#keys.push({ code: eventCode(k), ts: 0, tick: 0 });
  }

  get idle(): boolean {
    return this.#current === undefined && this.#keys.length === 0;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  close(): void {
    this.stop();
    this.#socket.close();
  }

  #tick(): void {
    const r = this.remote!;
    this.#ts = (this.#ts + 160) >>> 0;
    if (!this.#current && this.#keys.length > 0) this.#current = { ...this.#keys.shift()!, ts: this.#ts, tick: 0 };
    const k = this.#current;
    if (k) {
      // Ticks 0-4: updates; 5-7: the end packet three times; 8-17: a gap of audio before the next key.
      if (k.tick < 8) {
        const end = k.tick >= 5;
        const duration = Math.min(k.tick + 1, 6) * 160;
        const payload = Buffer.from([k.code, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
        this.#socket.send(rtpPacket({ pt: 101, seq: this.#seq++, ts: k.ts, ssrc: this.#ssrc, marker: k.tick === 0, payload }), r.port, r.host);
        k.tick++;
        return;
      }
      if (++k.tick >= 18) this.#current = undefined;
    }
    this.#socket.send(rtpPacket({ pt: 8, seq: this.#seq++, ts: this.#ts, ssrc: this.#ssrc, payload: Buffer.alloc(160, 0xd5) }), r.port, r.host);
  }
}

// ---- the server and its scenarios ----------------------------------------------------------------

const NUMBER = '+15550100300';
const UNASSIGNED = '+15550109999';
/** Answers, gathers three digits (10 s), thanks and hangs up; its hangup branch leaves a mark. */
const GATHER = `defaults: { language: en-US }
branches:
  inbound-call:
    - action: answer@v1
    - action: gather@v2
      params:
        maxDigits: 3
        timeout: 10
        prompt: { what: "Hello. Please enter your three digit code." }
      result: $code
    - action: say@v2
      params: { what: "Thank you." }
    - action: hangup@v1
  hangup:
    - action: javascript@v1
      params: { code: "$afterHangup = 'ran'" }
`;

let t: SipTestServer;
let sid: string;
const peers: { close(): void }[] = [];
const track = <T extends { close(): void }>(p: T): T => {
  peers.push(p);
  return p;
};

before(async () => {
  t = await startSipServer({ rtpTimeoutSeconds: 2, ackTimeoutSeconds: 2 });
  sid = await createScenario(t, 'gather', GATHER);
  const put = await t.api(`/v2.0/actions/${sid}/numbers/${encodeURIComponent(NUMBER)}`, { method: 'PUT' });
  assert.ok(put.status < 300, JSON.stringify(put.body));
});
after(async () => {
  killAllSipp();
  for (const p of peers.splice(0)) {
    try {
      p.close();
    } catch {
      // already closed
    }
  }
  await t?.close();
});

async function runSids(server: SipTestServer, scenario: string): Promise<string[]> {
  const list = await server.api(`/v2.0/actions/${scenario}/runs?limit=50`);
  return (list.body.hits ?? []).map((r: { sid: string }) => r.sid);
}

/** The first run of `scenario` not in `known`, once `done` holds for it. */
async function newRun(server: SipTestServer, scenario: string, known: string[], done: (run: any) => boolean, ms = 20_000): Promise<any> {
  return eventually(async () => {
    const fresh = (await runSids(server, scenario)).find((s) => !known.includes(s));
    return fresh ? (await server.api(`/v2.0/runs/${fresh}`)).body : undefined;
  }, (run) => run !== undefined && done(run), ms);
}
const finished = (run: any) => run.status === 'completed' || run.status === 'failed';

async function ping(server: SipTestServer): Promise<void> {
  const r = await server.api('/v2.0/ping');
  assert.equal(r.status, 200, `the server still answers /v2.0/ping: ${JSON.stringify(r.body)}`);
}

function sippOk(r: SippResult): void {
  assert.equal(r.exitCode, 0, `SIPp exit ${r.exitCode}\n${r.errors}\n${r.stderr}\n${r.screen.slice(-2000)}`);
  assert.equal(r.successful, 1);
}

/** A digit-gathering SIPp call (uac-dtmf) to NUMBER, and the checks that it went as in sipp-inbound. */
async function gatherCall(transport: 'udp' | 'tcp', digits: string, holdMs: number, during?: () => Promise<void>): Promise<void> {
  const known = await runSids(t, sid);
  const sipp = runSipp({ scenario: 'uac-dtmf', target: t.sipTarget, transport, service: NUMBER.slice(1), holdMs, vars: { digits, gap_ms: '400', hangup_ms: '-1' }, timeoutMs: 25_000 });
  if (during) {
    const live = await newRun(t, sid, known, (run) => run.status === 'running' && run.calls?.[0]?.status === 'answered', 10_000);
    await during();
    const still = (await t.api(`/v2.0/runs/${live.sid}`)).body;
    assert.equal(still.calls[0].status, 'answered', 'the call was still up while the rest happened');
  }
  const r = await sipp;
  sippOk(r);
  const run = await newRun(t, sid, known, finished);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.equal(run.variables.$code.input, digits);
  assert.equal(run.calls[0].cdr.hangupSource, 'callee', 'Ringflow hung up after its gather, as the scenario says');
  assert.equal(run.variables.$afterHangup, 'ran');
}

// ---- 1. RFC 4475 torture messages during a call --------------------------------------------------

/** What a valid torture request gets (a response only; unreason/noreason are responses: no answer). */
const VALID_ANSWERS: Record<string, number | null> = {
  wsinv: 481, // an INVITE with a To tag: a re-INVITE for a dialog that does not exist
  intmeth: 501, // an unknown method
  esc01: 404, // an INVITE to a number nobody has
  escnull: 405, // REGISTER: known, not served
  esc02: 501, // "RE%47IST%45R" is not REGISTER
  lwsdisp: 200, // OPTIONS
  longreq: 404, // an INVITE (long header values, 34 Vias) to a number nobody has
  dblreq: 405, // the REGISTER; the INVITE trailing in the datagram is ignored
  semiuri: 200,
  transports: 200,
  mpart01: 405, // MESSAGE
  unreason: null,
  noreason: null,
  zeromf: 483, // OPTIONS with Max-Forwards 0
  inv2543: 404, // RFC 2543 INVITE to a number nobody has
};

/**
 * Points the top Via's sent-by at our socket (and its transport at ours), so the answer to a valid
 * request comes back to us rather than to the fixture's example.com hosts. Everything else in the
 * message stays byte for byte (latin1 keeps the binary bodies).
 */
function routeBack(msg: Buffer, transport: 'UDP' | 'TCP', port: number): Buffer {
  const text = msg.toString('latin1');
  const re = /(\r\n(?:via|v)[ \t]*:[ \t\r\n]*SIP[ \t\r\n]*\/[ \t\r\n]*2\.0[ \t\r\n]*\/[ \t\r\n]*)([A-Za-z]+)([ \t\r\n]+)([^;,\s]+)/i;
  assert.ok(re.test(text), 'the fixture has a Via');
  return Buffer.from(text.replace(re, (_all, pre: string, _tr: string, sp: string) => `${pre}${transport}${sp}127.0.0.1:${port}`), 'latin1');
}

describe('RFC 4475 torture messages while a call is in progress', () => {
  it('answers the valid requests, refuses or drops the invalid ones, and the call gets its digits', async () => {
    const outcomes: { name: string; peer: RawPeer; valid: boolean; transport: 'UDP' | 'TCP' }[] = [];
    await gatherCall('udp', '159', 3000, async () => {
      for (const [name, { expect }] of Object.entries(TORTURE)) {
        const peer = track(await RawPeer.udp(t.sipPort));
        const valid = 'valid' in expect;
        // Responses among the valid fixtures (unreason, noreason) are sent as they are.
        const isRequest = !fixture(name).toString('latin1').startsWith('SIP/2.0');
        peer.send(valid && isRequest ? routeBack(fixture(name), 'UDP', peer.port) : fixture(name));
        outcomes.push({ name, peer, valid, transport: 'UDP' });
      }
      // A few over TCP, one connection each (a Content-Length error closes the connection, §18.3).
      for (const name of ['lwsdisp', 'esc01', 'intmeth', 'quotbal', 'badbranch', 'ncl']) {
        const peer = track(await RawPeer.tcp(t.sipPort));
        const valid = 'valid' in TORTURE[name]!.expect;
        peer.send(valid ? routeBack(fixture(name), 'TCP', peer.port) : fixture(name));
        outcomes.push({ name, peer, valid, transport: 'TCP' });
      }
      await sleep(1500);
      await ping(t);
    });
    const report = outcomes.map((o) => `${o.transport} ${o.name}: ${o.peer.received.map((m) => m.status ?? m.method).join(',') || 'nothing'}`).join('\n');
    for (const o of outcomes) {
      const statuses = o.peer.received.map((m) => m.status);
      const finals = statuses.filter((s) => s !== null && s >= 200);
      const expect = TORTURE[o.name]!.expect;
      if (o.valid) {
        const wanted = VALID_ANSWERS[o.name];
        if (wanted === null) assert.deepEqual(statuses, [], `${o.name} is a response: nothing to answer\n${report}`);
        else assert.equal(finals[0], wanted, `${o.transport} ${o.name}\n${report}`);
      } else {
        const allowed = 'reject' in expect ? [expect.reject] : [400];
        for (const s of statuses) assert.ok(s !== null && allowed.includes(s), `${o.transport} ${o.name}: only ${allowed} or nothing, got ${s}\n${report}`);
        if ('reject' in expect) assert.equal(finals[0], expect.reject, `${o.transport} ${o.name} is refused\n${report}`);
      }
    }
    // A stream that can no longer be framed (negative Content-Length) is closed (§18.3).
    const ncl = outcomes.find((o) => o.transport === 'TCP' && o.name === 'ncl')!;
    assert.ok(await ncl.peer.waitClosed(1000), `Ringflow closes the TCP connection after ncl\n${report}`);
  });
});

// ---- 2, 3. calls refused before any scenario runs -----------------------------------------------

describe('calls Ringflow refuses', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`an unassigned number gets 404 (${transport.toUpperCase()})`, async () => {
      const known = await runSids(t, sid);
      const r = await runSipp({ scenario: 'uac-expect-final', target: t.sipTarget, transport, service: UNASSIGNED.slice(1), timeoutMs: 10_000 });
      sippOk(r);
      assert.match(r.logs, /final 404/);
      assert.deepEqual((await runSids(t, sid)).filter((s) => !known.includes(s)), [], 'no run for a refused call');
    });
  }

  it('an offer with only codecs Ringflow lacks (G.729, opus) gets 488', async () => {
    const r = await runSipp({ scenario: 'rb-uac-unsupported-codec', target: t.sipTarget, transport: 'udp', service: NUMBER.slice(1), timeoutMs: 10_000 });
    sippOk(r);
    assert.match(r.logs, /final 488/);
    // The same over our own socket, to read the reason, and with no SDP at all.
    const peer = track(await RawPeer.udp(t.sipPort));
    const g729 = new RawCall(peer, NUMBER.slice(1), sdpOffer(40000, '18 101', ['a=rtpmap:18 G729/8000', 'a=rtpmap:101 telephone-event/8000']));
    g729.invite();
    const refused = await g729.response((m) => m.status! >= 200, 3000, 'a final response');
    g729.ack(refused);
    assert.equal(refused.status, 488, refused.raw);
    const bare = new RawCall(peer, NUMBER.slice(1), null);
    bare.invite();
    const noOffer = await bare.response((m) => m.status! >= 200, 3000, 'a final response');
    bare.ack(noOffer);
    assert.equal(noOffer.status, 488, noOffer.raw);
  });
});

// ---- 4. inbound digest authentication -----------------------------------------------------------

describe('telephony.sip.inboundAuth', () => {
  let a: SipTestServer;
  let asid: string;
  before(async () => {
    a = await startSipServer({ inboundAuth: { realm: 'ringflow.test', users: { alice: 's3cret-pw' } } });
    asid = await createScenario(a, 'held', `branches:
  inbound-call:
    - action: answer@v1
    - action: gather@v2
      params: { maxDigits: 3, timeout: 10 }
`);
    const put = await a.api(`/v2.0/actions/${asid}/numbers/${encodeURIComponent(NUMBER)}`, { method: 'PUT' });
    assert.ok(put.status < 300, JSON.stringify(put.body));
  });
  after(async () => {
    killAllSipp();
    await a?.close();
  });

  /** The Request-URI of our scenarios' INVITEs, without its "sip:" (SIPp adds it). */
  const authUri = (server: SipTestServer) => ['-auth_uri', `${NUMBER.slice(1)}@${server.sipTarget};transport=UDP`];

  it('challenges an INVITE without credentials with 401 and a Digest WWW-Authenticate', async () => {
    const peer = track(await RawPeer.udp(a.sipPort));
    const call = new RawCall(peer, NUMBER.slice(1), sdpOffer(40002));
    call.invite();
    const res = await call.response((m) => m.status! >= 200, 3000, 'a final response');
    call.ack(res);
    assert.equal(res.status, 401, res.raw);
    const challenge = h(res, 'www-authenticate');
    assert.match(challenge, /^Digest /i);
    assert.match(challenge, /realm="ringflow\.test"/);
    assert.match(challenge, /nonce="[^"]+"/);
    assert.deepEqual(await runSids(a, asid), [], 'no run for an unauthenticated call');
  });

  it('answers a caller with the right password (SIPp -au/-ap)', async () => {
    // SIPp's digest uri is sip:<remote_ip>:<remote_port> unless told (-auth_uri); Ringflow checks it
    // against the Request-URI (RFC 2617 §3.2.2.5), as a phone would send it: give SIPp the real one.
    const r = await runSipp({ scenario: 'uac-auth', target: a.sipTarget, transport: 'udp', service: NUMBER.slice(1), auth: { username: 'alice', password: 's3cret-pw' }, holdMs: 1000, timeoutMs: 15_000, extraArgs: authUri(a) });
    sippOk(r);
    const run = await newRun(a, asid, [], finished);
    assert.equal(run.calls[0].cdr.status, 'answered');
    assert.equal(run.calls[0].cdr.hangupSource, 'caller');
  });

  for (const [label, auth] of [['a wrong password', { username: 'alice', password: 'guess' }], ['an unknown user', { username: 'mallory', password: 's3cret-pw' }]] as const) {
    it(`refuses ${label} with 401 again`, async () => {
      const known = await runSids(a, asid);
      const r = await runSipp({ scenario: 'rb-uac-auth-refused', target: a.sipTarget, transport: 'udp', service: NUMBER.slice(1), auth, timeoutMs: 10_000, extraArgs: authUri(a) });
      sippOk(r);
      assert.match(r.logs, /refused 401/);
      assert.deepEqual((await runSids(a, asid)).filter((s) => !known.includes(s)), []);
    });
  }
});

// ---- 5, 6. peers that vanish --------------------------------------------------------------------

describe('a peer that goes away', () => {
  it('never ACKs our 200 OK: the 200 is retransmitted, then after ackTimeoutSeconds (2 s) Ringflow sends BYE and the run ends', async () => {
    const known = await runSids(t, sid);
    const peer = track(await RawPeer.udp(t.sipPort));
    const call = new RawCall(peer, NUMBER.slice(1), sdpOffer(40004));
    call.invite();
    const ok = await call.response((m) => m.status === 200, 5000, '200 OK');
    const bye = await call.byeFromServer(8000);
    const waited = bye.at - ok.at;
    assert.ok(waited >= 1500 && waited < 4500, `BYE ${waited} ms after the 200 (ackTimeoutSeconds: 2)`);
    const twoHundreds = peer.received.filter((m) => m.status === 200 && h(m, 'call-id') === call.callId);
    assert.ok(twoHundreds.length >= 3, `the 200 was retransmitted while no ACK came (${twoHundreds.length} sent)`);
    const run = await newRun(t, sid, known, finished, 10_000);
    assert.equal(run.status, 'completed', `a lost caller is a hang-up, not a failure: ${JSON.stringify(run.error)}`);
    assert.equal(run.variables.$afterHangup, 'ran', 'the hangup branch ran');
    assert.equal(run.calls[0].status, 'ended');
    assert.equal(run.calls[0].cdr.hangupSource, 'system', JSON.stringify(run.calls[0].cdr));
    assert.equal(run.calls[0].cdr.hangupCause, 102, 'Q.850 102: recovery on timer expiry');
    assert.equal(run.variables.$code, undefined, 'the gather never started');
  });

  it('ACKs only after its run was canceled: it gets a BYE at once, not a call nobody runs', async () => {
    const known = await runSids(t, sid);
    const peer = track(await RawPeer.udp(t.sipPort));
    const call = new RawCall(peer, NUMBER.slice(1), sdpOffer(40006));
    call.invite();
    const ok = await call.response((m) => m.status === 200, 5000, '200 OK');
    const run = await newRun(t, sid, known, () => true, 5000);
    const t0 = Date.now();
    const deleting = t.api(`/v2.0/runs/${run.sid}`, { method: 'DELETE' }).then((r) => ({ ...r, at: Date.now() }));
    await sleep(300);
    call.ack(ok);
    const ackAt = Date.now();
    const bye = await call.byeFromServer(3000);
    const del = await deleting;
    assert.ok(del.status < 300, JSON.stringify(del.body));
    assert.ok(bye.at - ackAt < 1000, `BYE ${bye.at - ackAt} ms after the ACK`);
    assert.ok(del.at - t0 < 1500, `the cancel returned once the call was settled (${del.at - t0} ms)`);
    const done = await newRun(t, sid, known, (r) => r.status !== 'running', 5000);
    assert.equal(done.status, 'canceled');
  });

  it('answers but never sends RTP: after rtp.timeoutSeconds (2 s) Ringflow hangs up and the hangup branch runs', async () => {
    const known = await runSids(t, sid);
    const r = await runSipp({ scenario: 'uac-wait-bye', target: t.sipTarget, transport: 'udp', service: NUMBER.slice(1), timeoutMs: 10_000 });
    sippOk(r);
    assert.ok(r.durationMs >= 1800 && r.durationMs < 7000, `BYE came ${r.durationMs} ms into the call`);
    const run = await newRun(t, sid, known, finished);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal(run.calls[0].cdr.hangupSource, 'system');
    assert.equal(run.calls[0].cdr.hangupCause, 102, 'Q.850 102: recovery on timer expiry');
    assert.equal(run.variables.$afterHangup, 'ran');
  });

  it('is killed (SIGKILL) mid-call: its RTP stops, Ringflow hangs up after 2 s and the hangup branch runs', async () => {
    const known = await runSids(t, sid);
    const sipp = runSipp({ scenario: 'uac-dtmf', target: t.sipTarget, transport: 'udp', service: NUMBER.slice(1), holdMs: 6000, vars: { digits: '', gap_ms: '400', hangup_ms: '-1' }, timeoutMs: 20_000 });
    await newRun(t, sid, known, (run) => run.status === 'running' && run.calls?.[0]?.status === 'answered', 10_000);
    await sleep(1000); // RTP is flowing from SIPp's speech pcap
    const killedAt = Date.now();
    killAllSipp();
    const r = await sipp;
    assert.equal(r.signal, 'SIGKILL');
    const run = await newRun(t, sid, known, finished, 10_000);
    const ended = Date.parse(run.calls[0].cdr.ended);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal(run.calls[0].cdr.hangupSource, 'system');
    assert.ok(ended - killedAt >= 1500 && ended - killedAt < 5000, `hung up ${ended - killedAt} ms after the kill`);
    assert.equal(run.variables.$afterHangup, 'ran');
  });
});

// ---- 7. RTP from a stranger ---------------------------------------------------------------------

describe('RTP from an unexpected source', () => {
  it('is ignored: the caller\'s own digits are gathered, the stranger\'s are not, and Ringflow keeps sending to the caller', async () => {
    const known = await runSids(t, sid);
    const peer = track(await RawPeer.udp(t.sipPort));
    const phone = track(await new RtpPhone().open());
    const stranger = track(await new RtpPhone().open());
    const call = new RawCall(peer, NUMBER.slice(1), sdpOffer(phone.port));
    call.invite();
    const ok = await call.response((m) => m.status === 200, 5000, '200 OK');
    call.ack(ok);
    const port = Number(/^m=audio (\d+) /m.exec(ok.body)?.[1]);
    assert.ok(port > 0, ok.body);
    phone.start({ host: '127.0.0.1', port });
    await sleep(400);
    // The stranger: garbage datagrams, then a well-formed stream of its own with a key (9) in it.
    const junk = createSocket('udp4');
    track({ close: () => junk.close() });
    await new Promise<void>((ok) => junk.bind(0, '127.0.0.1', ok));
    for (const bytes of [Buffer.alloc(0), Buffer.from('hello'), randomBytes(11), randomBytes(172), Buffer.from([0x80, 101, 0, 1])]) junk.send(bytes, port, '127.0.0.1');
    stranger.start({ host: '127.0.0.1', port });
    stranger.press('99');
    await eventually(async () => stranger.idle, (idle) => idle, 3000);
    phone.press('427');
    await eventually(async () => phone.idle, (idle) => idle, 5000);
    stranger.stop();
    await call.byeFromServer(8000);
    phone.stop();
    const run = await newRun(t, sid, known, finished);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal(run.variables.$code.input, '427', 'only the caller\'s keys');
    assert.equal(run.calls[0].cdr.hangupSource, 'callee');
    assert.equal(stranger.received.length, 0, 'Ringflow sent nothing to the stranger');
    assert.ok(phone.received.length > 50, `Ringflow's RTP kept coming to the caller (${phone.received.length} packets)`);
  });
});

describe('RTP from an unexpected source before the caller\'s own', () => {
  // With symmetric RTP only the address and port of the caller's SDP count (a private SDP address,
  // a phone behind NAT, is the exception): a stranger spraying the RTP port range between our 200
  // and the caller's first packet cannot take the call's keys or audio.
  it('is not latched in place of the caller', async () => {
    const known = await runSids(t, sid);
    const peer = track(await RawPeer.udp(t.sipPort));
    const phone = track(await new RtpPhone().open());
    const stranger = track(await new RtpPhone().open());
    const call = new RawCall(peer, NUMBER.slice(1), sdpOffer(phone.port));
    call.invite();
    const ok = await call.response((m) => m.status === 200, 5000, '200 OK');
    const port = Number(/^m=audio (\d+) /m.exec(ok.body)?.[1]);
    stranger.start({ host: '127.0.0.1', port });
    call.ack(ok);
    await sleep(300);
    phone.start({ host: '127.0.0.1', port });
    stranger.press('99');
    await sleep(400);
    stranger.stop();
    phone.press('427');
    await eventually(async () => phone.idle, (idle) => idle, 5000);
    await call.byeFromServer(8000).catch(() => {});
    phone.stop();
    const run = await newRun(t, sid, known, finished);
    assert.equal(run.variables.$code?.input, '427', `the caller's keys, not the stranger's: ${JSON.stringify(run.variables.$code)}`);
    assert.equal(run.calls[0].cdr.hangupSource, 'callee');
    assert.ok(phone.received.length > 50, `Ringflow's RTP went to the caller (${phone.received.length} packets; ${stranger.received.length} to the stranger)`);
  });
});

// ---- 8. garbage between calls -------------------------------------------------------------------

describe('malformed SIP between two calls', () => {
  it('garbage datagrams, a truncated message and an oversized TCP message leave the next calls working', async () => {
    await gatherCall('udp', '246', 500);
    // Each piece of garbage from a socket of its own, so that any answer is known to be its answer.
    const good = (port: number, extra = '') => `OPTIONS sip:ringflow@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-rb-${token()}\r\nMax-Forwards: 70\r\nFrom: <sip:rb@127.0.0.1>;tag=${token()}\r\nTo: <sip:ringflow@127.0.0.1>\r\nCall-ID: rb-${token()}\r\nCSeq: 1 OPTIONS\r\n${extra}Content-Length: 0\r\n\r\n`;
    /** What each may get: a final status, or null for nothing. */
    const garbage: Record<string, { bytes: (port: number) => Buffer | string; answer: (number | null)[] }> = {
      'one random byte': { bytes: () => randomBytes(1), answer: [null] },
      'random bytes': { bytes: () => randomBytes(1400), answer: [null] },
      'zeros': { bytes: () => Buffer.alloc(2000, 0), answer: [null] },
      'a bare status line': { bytes: () => 'SIP/2.0\r\n\r\n', answer: [null] },
      'a request line alone': { bytes: () => 'INVITE sip:x@127.0.0.1 SIP/2.0\r\n\r\n', answer: [null] },
      'truncated in its headers': { bytes: (p) => good(p).slice(0, 150), answer: [400] },
      // RFC 3261 §18.3: a datagram shorter than its Content-Length is answered 400.
      'a Content-Length past its end': { bytes: (p) => good(p).replace('Content-Length: 0', 'Content-Length: 500'), answer: [400] },
      'flipped bytes': { bytes: (p) => Buffer.from(good(p), 'latin1').map((b, i) => (i % 7 === 3 ? 0xff : b)) as Buffer, answer: [null] },
      'an INVITE with an unreadable SDP': { bytes: (p) => good(p).replace(/OPTIONS/g, 'INVITE').replace('Content-Length: 0\r\n\r\n', 'Content-Type: application/sdp\r\nContent-Length: 9\r\n\r\nnot a sdp'), answer: [488] },
    };
    const sent: { name: string; peer: RawPeer }[] = [];
    for (const [name, g] of Object.entries(garbage)) {
      const peer = track(await RawPeer.udp(t.sipPort));
      peer.send(g.bytes(peer.port));
      sent.push({ name, peer });
    }
    await sleep(500);
    // TCP: an oversized message (Content-Length past the limit), and an endless header section.
    const big = track(await RawPeer.tcp(t.sipPort));
    big.send(good(big.port).replace('Content-Length: 0', 'Content-Length: 200000').replace(/UDP 127\.0\.0\.1:\d+/, `TCP 127.0.0.1:${big.port}`));
    big.send(Buffer.alloc(70_000, 0x61));
    assert.ok(await big.waitClosed(3000), 'Ringflow closes a connection whose message is over its limit');
    const endless = track(await RawPeer.tcp(t.sipPort));
    endless.send(`OPTIONS sip:ringflow@127.0.0.1 SIP/2.0\r\nX-Long: ${'b'.repeat(80_000)}`);
    assert.ok(await endless.waitClosed(3000), 'Ringflow closes a connection whose headers never end');
    const report = sent.map((x) => `${x.name}: ${x.peer.received.map((m) => m.status).join(',') || 'nothing'}`).join('\n');
    for (const { name, peer } of sent) {
      const finals = peer.received.filter((m) => m.status! >= 200).map((m) => m.status);
      assert.ok(garbage[name]!.answer.includes(finals[0] ?? null), `${name}: ${finals[0] ?? 'nothing'}\n${report}`);
    }
    // A well-formed OPTIONS still gets its 200.
    const udp = track(await RawPeer.udp(t.sipPort));
    udp.send(good(udp.port));
    const pong = await udp.next((m) => m.status === 200, 2000, '200 to OPTIONS');
    assert.match(h(pong, 'allow'), /INVITE/);
    await ping(t);
    await gatherCall('tcp', '380', 500);
    await gatherCall('udp', '805', 500);
  });
});
