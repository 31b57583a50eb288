// The outbound HTTP safety guard (SPEC §2.5): a scenario author must not be able to make Ringflow
// call its own loopback services, the operator's private network or the cloud metadata endpoint.
// The client applies it to the address it actually connects to, after DNS, on every redirect hop.

import { domainToASCII } from 'node:url';
import { RingflowError } from '../errors.ts';
import { inRange, parseCidr, parseIp, unmapIpv4, type IpAddress, type IpRange } from './ip.ts';

export type BlockReason =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'not-an-address';

export type AddressClass = 'public' | BlockReason;

const REASON_TEXT: Readonly<Record<BlockReason, string>> = {
  loopback: 'loopback address',
  private: 'private network address',
  'link-local': 'link-local address',
  metadata: 'cloud metadata address',
  unspecified: 'unspecified address',
  multicast: 'multicast address',
  broadcast: 'broadcast address',
  reserved: 'reserved or special-purpose address',
  'not-an-address': 'not an IP address',
};

/** A short phrase for messages: "loopback address", "cloud metadata address"… */
export function blockReasonText(reason: BlockReason): string {
  return REASON_TEXT[reason];
}

type Rule = readonly [range: IpRange, verdict: BlockReason | 'embedded-v4' | 'public'];

function rules(table: readonly (readonly [string, Rule[1]])[]): readonly Rule[] {
  return Object.freeze(table.map(([cidr, verdict]) => [parseCidr(cidr)!, verdict] as const));
}

// First match wins, so the specific entries (metadata) come before the ranges holding them.
// Sources: RFC 6890 special-purpose registries; cloud providers' metadata endpoints.
const V4_RULES = rules([
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OCI, DigitalOcean…
  ['169.254.170.2/32', 'metadata'], // AWS ECS task metadata
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud
  ['0.0.0.0/8', 'unspecified'], // "this network": 0.0.0.0 reaches the local host on Linux
  ['127.0.0.0/8', 'loopback'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['100.64.0.0/10', 'private'], // carrier-grade NAT, also used inside clouds and Tailscale
  ['169.254.0.0/16', 'link-local'],
  ['255.255.255.255/32', 'broadcast'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'reserved'], // documentation
  ['192.88.99.0/24', 'reserved'], // 6to4 relay anycast (deprecated)
  ['198.18.0.0/15', 'reserved'], // benchmarking, used as internal ranges in practice
  ['198.51.100.0/24', 'reserved'], // documentation
  ['203.0.113.0/24', 'reserved'], // documentation
]);

const V6_RULES = rules([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fd00:ec2::254/128', 'metadata'], // AWS IMDS over IPv6
  ['64:ff9b::/96', 'embedded-v4'], // NAT64: the gateway connects to the embedded IPv4 address
  ['2002::/16', 'embedded-v4'], // 6to4: routed to the embedded IPv4 address
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['::/8', 'reserved'], // IPv4-compatible (::a.b.c.d) and other reserved forms
  ['100::/64', 'reserved'], // discard-only
  ['2001:db8::/32', 'reserved'], // documentation
  ['2001::/23', 'reserved'], // IETF protocol assignments, Teredo
  ['3fff::/20', 'reserved'], // documentation
  ['fc00::/7', 'private'], // unique local
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'], // deprecated site-local
  ['ff00::/8', 'multicast'],
  ['2000::/3', 'public'], // the only block allocated for global unicast
  ['::/0', 'reserved'],
]);

/**
 * Whether an address is on the public internet, or why not. IPv4-mapped IPv6 (::ffff:127.0.0.1)
 * and the transition prefixes that embed an IPv4 address (NAT64, 6to4) are judged by that address.
 */
export function classifyAddress(address: string | IpAddress): AddressClass {
  const parsed = typeof address === 'string' ? parseIp(address) : address;
  if (!parsed) return 'not-an-address';
  const ip = unmapIpv4(parsed);
  for (const [range, verdict] of ip.version === 4 ? V4_RULES : V6_RULES) {
    if (!inRange(ip, range)) continue;
    if (verdict !== 'embedded-v4') return verdict;
    const offset = ip.bytes[0] === 0x20 ? 2 : 12; // 2002:AABB:CCDD:: or 64:ff9b::AABB:CCDD
    return classifyAddress({ version: 4, bytes: ip.bytes.slice(offset, offset + 4) });
  }
  return 'public';
}

/** What the operator allowed on top of the public internet (RINGFLOW_HTTP_ALLOW / --http-allow). */
export interface AllowList {
  /** Exact host names, lower-case ASCII, no trailing dot. */
  readonly hosts: readonly string[];
  /** From `*.corp.example`: `corp.example`, matching its subdomains (not the name itself). */
  readonly domains: readonly string[];
  /** Ranges from CIDR entries; single addresses as /32 or /128. */
  readonly ranges: readonly IpRange[];
}

export const EMPTY_ALLOW_LIST: AllowList = Object.freeze({ hosts: [], domains: [], ranges: [] });

/**
 * Parses a comma-separated allow-list: `127.0.0.1, 10.0.0.0/8, api.internal, *.corp.example, ::1`.
 * Blank entries are skipped; an invalid one throws a RingflowError naming it, so a typo in the
 * operator's configuration fails at start-up instead of silently blocking (or allowing).
 */
export function parseAllowList(text: string | undefined): AllowList {
  const hosts: string[] = [];
  const domains: string[] = [];
  const ranges: IpRange[] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry.includes('/')) {
      ranges.push(parseCidr(entry) ?? invalidEntry(entry, 'not a valid CIDR range'));
      continue;
    }
    const ip = parseIp(entry);
    if (ip) {
      const single = unmapIpv4(ip);
      ranges.push({ base: single, prefix: single.bytes.length * 8 });
    } else if (entry.startsWith('*.')) {
      domains.push(normalizeHostEntry(entry.slice(2)) ?? invalidEntry(entry, 'not a valid wildcard'));
    } else {
      hosts.push(normalizeHostEntry(entry) ?? invalidEntry(entry, 'not a host name, IP address or CIDR range'));
    }
  }
  return Object.freeze({ hosts: Object.freeze(hosts), domains: Object.freeze(domains), ranges: Object.freeze(ranges) });
}

function invalidEntry(entry: string, why: string): never {
  throw new RingflowError('RF_CLI_USAGE', {
    detail:
      `invalid HTTP allow-list entry "${entry}": ${why}; ` +
      'use host names (api.internal), wildcards (*.corp.example), IP addresses (10.0.0.5) or CIDR ranges (10.0.0.0/8), separated by commas',
  });
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lower-case ASCII (IDN converted) without trailing dot, or undefined when not a host name. */
function normalizeHostEntry(entry: string): string | undefined {
  const ascii = domainToASCII(entry.replace(/\.$/, ''));
  if (!ascii || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  // A last label of digits would make URLs read the name as an IPv4 address ("10.0.0"): a typo.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  return ascii;
}

export type GuardVerdict =
  | { readonly allowed: true; readonly via: 'public' | 'allow-list' }
  | { readonly allowed: false; readonly reason: BlockReason };

/**
 * May Ringflow connect to `address`, reached by resolving `hostname`? Yes when the address is
 * public, or the operator allowed the host name (exactly or by wildcard) or the address.
 * `hostname` is as in a URL (brackets around IPv6 tolerated); case and a trailing dot don't matter.
 */
export function checkDestination(hostname: string, address: string, allow: AllowList = EMPTY_ALLOW_LIST): GuardVerdict {
  const ip = parseIp(address);
  const cls = ip ? classifyAddress(ip) : 'not-an-address';
  if (cls === 'public') return { allowed: true, via: 'public' };
  if (!ip) return { allowed: false, reason: cls };
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const unmapped = unmapIpv4(ip);
  const allowed =
    allow.hosts.includes(host) ||
    allow.domains.some((d) => host.endsWith(`.${d}`)) ||
    allow.ranges.some((r) => inRange(unmapped, r));
  return allowed ? { allowed: true, via: 'allow-list' } : { allowed: false, reason: cls };
}
