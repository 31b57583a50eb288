import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIp, inRange, parseCidr, parseIp, unmapIpv4 } from '../../src/http/ip.ts';

describe('parseIp', () => {
  it('reads IPv4 dotted quads only', () => {
    assert.deepEqual(parseIp('10.1.2.3'), { version: 4, bytes: Uint8Array.from([10, 1, 2, 3]) });
    assert.equal(parseIp('10.1.2'), undefined);
    assert.equal(parseIp('010.1.2.3'), undefined);
    assert.equal(parseIp('example.com'), undefined);
    assert.equal(parseIp(''), undefined);
  });

  it('reads IPv6 in every spelling, with brackets, zone and embedded IPv4', () => {
    const loop = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(parseIp('::1')?.bytes, loop);
    assert.deepEqual(parseIp('[::1]')?.bytes, loop);
    assert.deepEqual(parseIp('0:0:0:0:0:0:0:1')?.bytes, loop);
    assert.deepEqual(parseIp('fe80::1%eth0')?.bytes.slice(0, 2), Uint8Array.from([0xfe, 0x80]));
    assert.deepEqual(parseIp('::ffff:127.0.0.1')?.bytes, parseIp('::ffff:7f00:1')?.bytes);
    assert.deepEqual(parseIp('1:2:3:4:5:6:7:8')?.bytes, Uint8Array.from([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]));
    assert.deepEqual(parseIp('1::')?.bytes, Uint8Array.from([0, 1, ...new Array(14).fill(0)]));
    assert.equal(parseIp('1:::2'), undefined);
  });

  it('unmaps IPv4-mapped IPv6 only', () => {
    assert.equal(formatIp(unmapIpv4(parseIp('::ffff:7f00:1')!)), '127.0.0.1');
    assert.equal(unmapIpv4(parseIp('::7f00:1')!).version, 6);
  });

  it('formats canonically', () => {
    assert.equal(formatIp(parseIp('2001:0db8:0:0:0:0:0:0001')!), '2001:db8::1');
    assert.equal(formatIp(parseIp('192.168.0.1')!), '192.168.0.1');
  });
});

describe('parseCidr and inRange', () => {
  it('matches by prefix, including non-byte-aligned ones', () => {
    const cgn = parseCidr('100.64.0.0/10')!;
    assert.ok(inRange(parseIp('100.127.255.255')!, cgn));
    assert.ok(!inRange(parseIp('100.128.0.0')!, cgn));
    assert.ok(inRange(parseIp('fe80::1')!, parseCidr('fe80::/10')!));
    assert.ok(!inRange(parseIp('fec0::1')!, parseCidr('fe80::/10')!));
  });

  it('clears host bits and never matches across versions', () => {
    const range = parseCidr('10.1.2.3/8')!;
    assert.equal(formatIp(range.base), '10.0.0.0');
    assert.ok(!inRange(parseIp('::1')!, parseCidr('0.0.0.0/0')!));
    assert.ok(inRange(parseIp('8.8.8.8')!, parseCidr('0.0.0.0/0')!));
  });

  it('turns an IPv4-mapped v6 range into the IPv4 one', () => {
    const range = parseCidr('::ffff:10.0.0.0/104')!;
    assert.equal(range.base.version, 4);
    assert.equal(range.prefix, 8);
  });

  it('refuses malformed ranges', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', 'host/8', '10.0.0.0/-1', '10.0.0.0']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });
});
