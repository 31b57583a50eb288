import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RingflowError } from '../../src/errors.ts';
import { checkDestination, classifyAddress, EMPTY_ALLOW_LIST, parseAllowList } from '../../src/http/guard.ts';

describe('classifyAddress', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['::7f00:1', 'reserved'], // IPv4-compatible, deprecated
    ['4000::1', 'reserved'], // outside 2000::/3
    ['example.com', 'not-an-address'],
  ];
  for (const [address, expected] of cases) {
    it(`${address} is ${expected}`, () => assert.equal(classifyAddress(address), expected));
  }

  it('judges IPv4-mapped IPv6 by the IPv4 address, in either spelling', () => {
    assert.equal(classifyAddress('::ffff:127.0.0.1'), 'loopback');
    assert.equal(classifyAddress('::ffff:7f00:1'), 'loopback');
    assert.equal(classifyAddress('[::ffff:169.254.169.254]'), 'metadata');
    assert.equal(classifyAddress('::ffff:10.0.0.1'), 'private');
    assert.equal(classifyAddress('::ffff:0.0.0.0'), 'unspecified');
    assert.equal(classifyAddress('::ffff:8.8.8.8'), 'public');
  });

  it('judges NAT64 and 6to4 addresses by the IPv4 address they carry', () => {
    assert.equal(classifyAddress('64:ff9b::7f00:1'), 'loopback');
    assert.equal(classifyAddress('64:ff9b::a9fe:a9fe'), 'metadata');
    assert.equal(classifyAddress('64:ff9b::808:808'), 'public');
    assert.equal(classifyAddress('2002:0a00:0001::1'), 'private');
    assert.equal(classifyAddress('2002:0808:0808::1'), 'public');
  });
});

describe('parseAllowList', () => {
  it('reads hosts, wildcards, addresses and CIDR ranges', () => {
    const list = parseAllowList('127.0.0.1, 10.0.0.0/8, api.internal, *.corp.example, ::1');
    assert.deepEqual(list.hosts, ['api.internal']);
    assert.deepEqual(list.domains, ['corp.example']);
    assert.deepEqual(
      list.ranges.map((r) => [r.base.version, r.prefix]),
      [[4, 32], [4, 8], [6, 128]],
    );
  });

  it('normalises case, a trailing dot, IDN and blank entries', () => {
    const list = parseAllowList(' API.Internal. ,, *.Corp.Example ,bücher.example,');
    assert.deepEqual(list.hosts, ['api.internal', 'xn--bcher-kva.example']);
    assert.deepEqual(list.domains, ['corp.example']);
  });

  it('is empty for an empty or missing string', () => {
    assert.deepEqual(parseAllowList(''), EMPTY_ALLOW_LIST);
    assert.deepEqual(parseAllowList(undefined), EMPTY_ALLOW_LIST);
  });

  for (const bad of ['10.0.0.0/33', 'localhost:8080', 'http://api.internal', '*', '*.', 'a..b', '-bad.example', '10.0.0', 'fe80::/200', 'api internal', '*.*.example']) {
    it(`refuses "${bad}" with an error naming it`, () => {
      assert.throws(
        () => parseAllowList(`127.0.0.1, ${bad}`),
        (e: unknown) => e instanceof RingflowError && e.code === 'RF_CLI_USAGE' && e.message.includes(`"${bad}"`),
      );
    });
  }
});

describe('checkDestination', () => {
  it('allows public addresses whatever the list', () => {
    assert.deepEqual(checkDestination('example.com', '93.184.216.34'), { allowed: true, via: 'public' });
  });

  it('blocks the rest by default, with the reason', () => {
    assert.deepEqual(checkDestination('localhost', '127.0.0.1'), { allowed: false, reason: 'loopback' });
    assert.deepEqual(checkDestination('crm.fake', '10.1.2.3'), { allowed: false, reason: 'private' });
    assert.deepEqual(checkDestination('169.254.169.254', '169.254.169.254'), { allowed: false, reason: 'metadata' });
    assert.deepEqual(checkDestination('x', 'nonsense'), { allowed: false, reason: 'not-an-address' });
  });

  it('allows by address or CIDR, IPv4-mapped addresses included', () => {
    const allow = parseAllowList('10.0.0.0/8, ::1');
    assert.equal(checkDestination('crm.fake', '10.9.8.7', allow).allowed, true);
    assert.equal(checkDestination('crm.fake', '::ffff:10.9.8.7', allow).allowed, true);
    assert.equal(checkDestination('[::1]', '::1', allow).allowed, true);
    assert.equal(checkDestination('crm.fake', '192.168.0.1', allow).allowed, false);
    assert.equal(checkDestination('crm.fake', '127.0.0.1', allow).allowed, false);
  });

  it('allows by exact host, case-insensitively', () => {
    const allow = parseAllowList('api.internal');
    assert.deepEqual(checkDestination('API.internal.', '10.0.0.5', allow), { allowed: true, via: 'allow-list' });
    assert.equal(checkDestination('x.api.internal', '10.0.0.5', allow).allowed, false);
    assert.equal(checkDestination('api.internal.evil.example', '10.0.0.5', allow).allowed, false);
  });

  it('allows subdomains by wildcard, not the bare domain nor look-alikes', () => {
    const allow = parseAllowList('*.corp.example');
    assert.equal(checkDestination('crm.corp.example', '10.0.0.5', allow).allowed, true);
    assert.equal(checkDestination('a.b.corp.example', '10.0.0.5', allow).allowed, true);
    assert.equal(checkDestination('corp.example', '10.0.0.5', allow).allowed, false);
    assert.equal(checkDestination('evilcorp.example', '10.0.0.5', allow).allowed, false);
  });
});
