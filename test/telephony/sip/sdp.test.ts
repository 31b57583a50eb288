import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerDirection, answerOffer, buildSdp, parseSdp, SdpError } from '../../../src/telephony/sip/sdp.ts';

const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

/** SIPp's uac_pcap offer: PCMA and telephone-event on 101. */
const SIPP_OFFER = crlf([
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 8 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-11,16',
]);

/** baresip-like: wideband codecs first, G.711 later, rtcp-mux, connection at media level. */
const BARESIP_OFFER = crlf([
  'v=0',
  'o=- 1946328101 3469297380 IN IP4 192.0.2.20',
  's=-',
  't=0 0',
  'a=tool:baresip 3.10.1',
  'm=audio 10000 RTP/AVP 96 9 0 8 97 101',
  'c=IN IP4 192.0.2.20',
  'b=AS:97',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 stereo=1;sprop-stereo=1',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:97 telephone-event/48000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:20',
  'a=sendrecv',
  'a=rtcp-mux',
]);

test('SIPp offer: PCMA on 8 and DTMF on 101, answered with exactly those numbers', () => {
  const offer = parseSdp(SIPP_OFFER);
  assert.deepEqual(offer, {
    address: '127.0.0.1',
    port: 6000,
    direction: 'sendrecv',
    hold: false,
    formats: [
      { pt: 8, name: 'PCMA', rate: 8000 },
      { pt: 101, name: 'telephone-event', rate: 8000 },
    ],
    telephoneEventPt: 101,
    ptime: null,
    media: [{ type: 'audio', protocol: 'RTP/AVP', payloads: '8 101' }],
    audioIndex: 0,
  });
  const choice = answerOffer(offer, ['PCMU', 'PCMA']);
  assert.deepEqual(choice, { codec: 'PCMA', pt: 8, telephoneEventPt: 101, direction: 'sendrecv' });
  const answer = buildSdp({ address: '192.0.2.4', port: 20000, codecs: [{ name: choice!.codec, pt: choice!.pt }], telephoneEvent: choice!.telephoneEventPt, sessionId: 42, version: 1 });
  assert.match(answer, /\r\nm=audio 20000 RTP\/AVP 8 101\r\n/);
  assert.match(answer, /\r\na=rtpmap:101 telephone-event\/8000\r\na=fmtp:101 0-16\r\n/);
});

test('baresip offer: many codecs; the first G.711 in the offer order wins, DTMF at 8 kHz is found', () => {
  const offer = parseSdp(BARESIP_OFFER);
  assert.equal(offer.address, '192.0.2.20');
  assert.deepEqual(
    offer.formats.map((f) => `${f.pt}:${f.name}/${f.rate}`),
    ['96:opus/48000', '9:G722/8000', '0:PCMU/8000', '8:PCMA/8000', '97:telephone-event/48000', '101:telephone-event/8000'],
  );
  assert.equal(offer.telephoneEventPt, 101);
  assert.equal(offer.ptime, 20);
  assert.equal(answerOffer(offer, ['PCMA', 'PCMU'])?.codec, 'PCMU', 'the offer order decides, not ours');
  assert.equal(answerOffer(offer, ['PCMA'])?.pt, 8);
  const reordered = parseSdp(BARESIP_OFFER.replace('RTP/AVP 96 9 0 8 97 101', 'RTP/AVP 96 9 8 0 97 101'));
  assert.equal(answerOffer(reordered, ['PCMU', 'PCMA'])?.codec, 'PCMA');
});

test('static payload types without rtpmap lines are known', () => {
  const offer = parseSdp(crlf(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 18 0 8']));
  assert.deepEqual(offer.formats.map((f) => f.name), ['G729', 'PCMU', 'PCMA']);
  assert.equal(offer.telephoneEventPt, null);
  assert.deepEqual(answerOffer(offer, ['PCMU', 'PCMA']), { codec: 'PCMU', pt: 0, telephoneEventPt: null, direction: 'sendrecv' });
});

test('a dynamic payload type for PCMU is kept in the answer', () => {
  const offer = parseSdp(crlf(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 110', 'a=rtpmap:110 pcmu/8000']));
  assert.deepEqual(answerOffer(offer, ['PCMU']), { codec: 'PCMU', pt: 110, telephoneEventPt: null, direction: 'sendrecv' });
});

test('an offer without G.711, or with the audio stream disabled, gets null (answer 488)', () => {
  const noG711 = BARESIP_OFFER.replace('RTP/AVP 96 9 0 8 97 101', 'RTP/AVP 96 9 97 101');
  assert.equal(answerOffer(parseSdp(noG711), ['PCMU', 'PCMA']), null);
  assert.equal(answerOffer(parseSdp(SIPP_OFFER), ['PCMU']), null);
  assert.equal(answerOffer(parseSdp(SIPP_OFFER.replace('m=audio 6000', 'm=audio 0')), ['PCMA']), null);
});

test('hold: a=sendonly, a=inactive (session or media level) or c=0.0.0.0; the answer mirrors the direction', () => {
  const sendonly = parseSdp(SIPP_OFFER.replace('a=fmtp:101 0-11,16', 'a=fmtp:101 0-11,16\r\na=sendonly'));
  assert.equal(sendonly.hold, true);
  assert.equal(sendonly.direction, 'sendonly');
  assert.equal(answerOffer(sendonly, ['PCMA'])?.direction, 'recvonly');
  const inactive = parseSdp(SIPP_OFFER.replace('t=0 0', 't=0 0\r\na=inactive'));
  assert.equal(inactive.hold, true);
  assert.equal(answerOffer(inactive, ['PCMA'])?.direction, 'inactive');
  const zero = parseSdp(SIPP_OFFER.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0'));
  assert.equal(zero.hold, true);
  assert.equal(zero.direction, 'sendrecv');
  const mediaOverrides = parseSdp(SIPP_OFFER.replace('t=0 0', 't=0 0\r\na=sendonly').replace('a=fmtp:101 0-11,16', 'a=fmtp:101 0-11,16\r\na=sendrecv'));
  assert.equal(mediaOverrides.hold, false);
  assert.equal(parseSdp(SIPP_OFFER).hold, false);
  assert.equal(answerDirection('recvonly'), 'sendonly');
});

test('buildSdp: o=, c=, one m=audio, rtpmaps, fmtp 0-16, ptime 20, direction; parses back', () => {
  const text = buildSdp({ address: '192.0.2.4', port: 20000, codecs: ['PCMU', 'PCMA'], telephoneEvent: 101, sessionId: '8842', version: 3, direction: 'sendonly' });
  assert.equal(
    text,
    crlf([
      'v=0',
      'o=ringflow 8842 3 IN IP4 192.0.2.4',
      's=ringflow',
      'c=IN IP4 192.0.2.4',
      't=0 0',
      'm=audio 20000 RTP/AVP 0 8 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      'a=sendonly',
    ]),
  );
  const back = parseSdp(text);
  assert.equal(back.address, '192.0.2.4');
  assert.equal(back.port, 20000);
  assert.equal(back.direction, 'sendonly');
  assert.equal(back.telephoneEventPt, 101);
  const plain = buildSdp({ address: '192.0.2.4', port: 20000, codecs: ['PCMA'], telephoneEvent: null, sessionId: 1, version: 1 });
  assert.match(plain, /m=audio 20000 RTP\/AVP 8\r\n/);
  assert.match(plain, /a=sendrecv/);
  assert.doesNotMatch(plain, /telephone-event/);
});

test('IPv6 addresses and declining the other m= lines of an offer', () => {
  const v6 = buildSdp({ address: '2001:db8::4', port: 20000, codecs: ['PCMU'], telephoneEvent: null, sessionId: 1, version: 1 });
  assert.match(v6, /o=ringflow 1 1 IN IP6 2001:db8::4\r\n/);
  assert.match(v6, /c=IN IP6 2001:db8::4\r\n/);
  assert.equal(parseSdp(v6).address, '2001:db8::4');

  const offer = parseSdp(SIPP_OFFER.replace('m=audio 6000', 'm=video 6002 RTP/AVP 31\r\nm=audio 6000'));
  assert.equal(offer.audioIndex, 1);
  const answer = buildSdp({ address: '192.0.2.4', port: 20000, codecs: ['PCMA'], telephoneEvent: 101, sessionId: 1, version: 1, offerMedia: offer });
  assert.match(answer, /m=video 0 RTP\/AVP 31\r\nm=audio 20000 RTP\/AVP 8 101\r\n/);
});

test('garbage throws SdpError with a code', () => {
  const cases: [string, string][] = [
    ['', 'SDP_SYNTAX'],
    ['hello', 'SDP_SYNTAX'],
    ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n', 'SDP_NO_AUDIO'],
    ['v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 5000 RTP/AVP 31\r\n', 'SDP_NO_AUDIO'],
    ['v=0\r\nm=audio 5000 RTP/AVP 0\r\n', 'SDP_NO_CONNECTION'],
    ['v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5000 RTP/AVP\r\n', 'SDP_SYNTAX'],
    ['v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5000 RTP/AVP 0 999\r\n', 'SDP_SYNTAX'],
    ['v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 99999 RTP/AVP 0\r\n', 'SDP_SYNTAX'],
    ['v=0\r\nc=IN IP4 <bad>\r\nm=audio 5000 RTP/AVP 0\r\n', 'SDP_SYNTAX'],
  ];
  for (const [text, code] of cases) {
    assert.throws(() => parseSdp(text), (e: unknown) => e instanceof SdpError && e.code === code, JSON.stringify(text));
  }
});

test('fuzz: mutated offers throw only SdpError, and answers stay G.711', () => {
  // mulberry32, seeded so a failure replays.
  let a = 0x5d9;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const noise = ' \r\n:/=0123456789abcPCMUA-.\x00';
  for (let i = 0; i < 1000; i++) {
    let text = i % 2 === 0 ? SIPP_OFFER : BARESIP_OFFER;
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
      const at = Math.floor(rnd() * text.length);
      const cut = Math.floor(rnd() * 6);
      text = text.slice(0, at) + noise[Math.floor(rnd() * noise.length)] + text.slice(at + cut);
    }
    try {
      const choice = answerOffer(parseSdp(text), ['PCMU', 'PCMA']);
      if (choice !== null) assert.ok(choice.codec === 'PCMU' || choice.codec === 'PCMA');
    } catch (e) {
      if (!(e instanceof SdpError)) assert.fail(`iteration ${i}: ${String(e)}\n${JSON.stringify(text)}`);
    }
  }
});
