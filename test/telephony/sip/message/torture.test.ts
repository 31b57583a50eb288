import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { SipParseError } from '../../../../src/telephony/sip/message/errors.ts';
import { header, headers } from '../../../../src/telephony/sip/message/headers.ts';
import { parseNameAddr } from '../../../../src/telephony/sip/message/nameaddr.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../../../src/telephony/sip/message/types.ts';
import { parseUri } from '../../../../src/telephony/sip/message/uri.ts';
import { validateRequest, validateResponse } from '../../../../src/telephony/sip/message/validate.ts';
import { parseVia } from '../../../../src/telephony/sip/message/via.ts';
import { fixture, TORTURE } from './fixtures.ts';

function req(name: string): SipRequest {
  const m = parseMessage(fixture(name));
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}

test('every fixture file has an expectation, and every expectation a file', () => {
  const files = readdirSync(new URL('fixtures/', import.meta.url))
    .filter((f) => f.endsWith('.dat'))
    .map((f) => f.slice(0, -4))
    .sort();
  assert.deepEqual(files, Object.keys(TORTURE).sort());
});

for (const [name, { section, expect }] of Object.entries(TORTURE)) {
  test(`RFC 4475 §${section} ${name}`, () => {
    const data = fixture(name);
    if ('parseError' in expect) {
      assert.throws(
        () => parseMessage(data),
        (e: unknown) => e instanceof SipParseError && e.code === expect.parseError,
      );
      return;
    }
    const msg: SipMessage = parseMessage(data);
    const verdict = msg.kind === 'request' ? validateRequest(msg) : validateResponse(msg);
    if ('valid' in expect) {
      assert.equal(verdict, null);
      return;
    }
    assert.ok(msg.kind === 'request' && verdict !== null && typeof verdict === 'object', `${name} should be rejected`);
    assert.equal(verdict.status, expect.reject);
    assert.match(verdict.reason, expect.mentions);
  });
}

test('wsinv: folding, compact forms, odd spacing and comma-separated Vias come out right', () => {
  const m = req('wsinv');
  assert.equal(m.method, 'INVITE');
  assert.equal(header(m, 'Max-Forwards'), '0068');
  assert.equal(header(m, 'cseq'), '0009 INVITE');
  assert.equal(header(m, 'subject'), '');
  assert.equal(header(m, 'NewFangledHeader'), 'newfangled value continued newfangled value');
  assert.equal(header(m, 'UnknownHeaderWithUnusualValue'), ';;,,;;,;');
  const vias = headers(m, 'v').map(parseVia);
  assert.deepEqual(
    vias.map((v) => [v.transport, v.host, v.params.branch]),
    [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ],
  );
  assert.equal(vias[0].params.rport, null);
  const to = parseNameAddr(header(m, 'to')!);
  assert.equal(to.params.tag, '1918181833n');
  const from = parseNameAddr(header(m, 'from')!);
  assert.equal(from.displayName, 'J Rosenberg \\"');
  assert.equal(from.params.tag, '98asjd8');
  const contact = parseNameAddr(header(m, 'm')!);
  assert.equal(contact.displayName, 'Quoted string ""');
  assert.deepEqual(contact.params, { newparam: 'newvalue', secondparam: null, q: '0.33' });
  assert.equal(m.body.length, 150);
  assert.deepEqual(parseUri(m.uri).params, { unknownparam: null });
});

test('intmeth: unusual method, URI user and password, control characters in a quoted display name', () => {
  const m = req('intmeth');
  assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
  const uri = parseUri(m.uri);
  assert.equal(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  assert.equal(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  assert.equal(parseNameAddr(header(m, 'to')!).displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
  const from = parseNameAddr(header(m, 'from')!);
  assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-");
  assert.equal(from.params.tag, "_token~1'+`*%!-.");
  assert.equal(from.params["fromparam''~+*_!.-%"], '"работающий"');
  assert.equal(header(m, 'call-id'), `intmeth.word%ZK-!.*_+'@word\`~)(><:\\/"][?}{`);
  assert.equal(header(m, "extensionHeader-!.%*+_`'~"), '\uFEFF大停電');
});

test('esc01 / escnull / esc02: escapes decode in URIs, not in methods or quoted strings', () => {
  const e1 = req('esc01');
  assert.equal(parseUri(e1.uri).user, 'sips:user@example.com');
  assert.equal(parseNameAddr(header(e1, 'to')!).uri.user, 'user');
  assert.equal(parseNameAddr(header(e1, 'from')!).uri.user, 'I have spaces');
  const contact = parseNameAddr(header(e1, 'contact')!).uri;
  assert.equal(contact.user, 'caller');
  assert.deepEqual(contact.params, { lr: null, name: 'value%41' });
  assert.equal(header(e1, 'content-type'), 'application/sdp');

  const n = req('escnull');
  assert.equal(parseNameAddr(header(n, 'to')!).uri.user, 'null-\x00-null');
  assert.deepEqual(
    headers(n, 'contact').map((c) => parseNameAddr(c).uri.user),
    ['\x00', '\x00\x00'],
  );

  const e2 = req('esc02');
  assert.equal(e2.method, 'RE%47IST%45R');
  assert.equal(parseNameAddr(header(e2, 'to')!).displayName, '%Z%45');
  assert.equal(headers(e2, 'contact').length, 2, 'C%6Fntact is an extension header, not Contact');
  assert.equal(header(e2, 'c%6fntact'), '<sip:alias2@host2.example.com>');
});

test('dblreq: only Content-Length bytes are the body; the rest of the datagram is ignored', () => {
  const m = req('dblreq');
  assert.equal(m.method, 'REGISTER');
  assert.equal(m.body.length, 0);
});

test('semiuri, transports, lwsdisp, longreq, mpart01', () => {
  const s = req('semiuri');
  assert.equal(parseUri(s.uri).user, 'user;par=u@example.net');
  assert.equal(headers(s, 'accept').length, 6);
  assert.deepEqual(
    headers(req('transports'), 'via').map((v) => parseVia(v).transport),
    ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
  );
  assert.equal(parseNameAddr(header(req('lwsdisp'), 'from')!).displayName, 'caller');
  const long = req('longreq');
  assert.equal(headers(long, 'via').length, 33);
  assert.match(parseNameAddr(header(long, 'to')!).displayName!, /^I have a user name of (extreme){10} proportion$/);
  const mp = req('mpart01');
  assert.equal(mp.body.length, Number(header(mp, 'content-length')));
  assert.ok(mp.body.includes(Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00])));
});

test('unreason / noreason: any UTF-8 reason phrase, or none at all', () => {
  const u = parseMessage(fixture('unreason')) as SipResponse;
  assert.equal(u.status, 200);
  assert.equal(u.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  const n = parseMessage(fixture('noreason')) as SipResponse;
  assert.equal(n.status, 100);
  assert.equal(n.reason, '');
});

test('inv2543: without Content-Length on a datagram, the body is the rest', () => {
  const m = req('inv2543');
  assert.equal(m.body.length, 150);
  assert.equal(header(m, 'max-forwards'), undefined);
});

test('parse errors after framing carry the message, so a UA can answer 400', () => {
  for (const name of ['insuf', 'mismatch01']) {
    try {
      parseMessage(fixture(name));
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof SipParseError);
      assert.equal(e.partial?.kind, 'request');
    }
  }
});
