// IP address literals as bytes, so the guard can compare them against ranges without string tricks
// (an attacker controls how an address is spelled: ::ffff:7f00:1 is 127.0.0.1).

import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  readonly version: 4 | 6;
  /** 4 bytes for IPv4, 16 for IPv6, network order. */
  readonly bytes: Uint8Array;
}

export interface IpRange {
  readonly base: IpAddress;
  /** Number of leading bits that must match, 0..32 or 0..128. */
  readonly prefix: number;
}

/**
 * Parses an IPv4 dotted quad or an IPv6 literal (brackets and a `%zone` suffix tolerated, as DNS
 * and URLs hand them out). Undefined when `text` is not an address.
 */
export function parseIp(text: string): IpAddress | undefined {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIPv4(s)) return { version: 4, bytes: Uint8Array.from(s.split('.'), Number) };
  if (isIPv6(s)) return { version: 6, bytes: parseIpv6(s) };
  return undefined;
}

/** net.isIPv6 has validated the text already; this only converts it. */
function parseIpv6(s: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  let text = s;
  if (s.includes('.', lastColon)) {
    // Embedded IPv4 in the last 32 bits (::ffff:1.2.3.4).
    tail = s.slice(lastColon + 1).split('.').map(Number);
    text = s.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(rest);
  const all = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  all.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  return bytes;
}

/** ::ffff:a.b.c.d as the IPv4 address it stands for; any other address unchanged. */
export function unmapIpv4(ip: IpAddress): IpAddress {
  if (ip.version === 6 && isV4Mapped(ip.bytes)) return { version: 4, bytes: ip.bytes.slice(12) };
  return ip;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** True when the first `prefix` bits of `ip` equal those of `base` (same version only). */
export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.version !== range.base.version) return false;
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (ip.bytes[i] !== range.base.bytes[i]) return false;
  const bits = range.prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (ip.bytes[full]! & mask) === (range.base.bytes[full]! & mask);
}

/**
 * Parses `a.b.c.d/n` or `v6/n`. Host bits past the prefix are cleared rather than refused
 * (10.1.2.3/8 means 10.0.0.0/8). An IPv4-mapped v6 range of /96 or longer becomes the IPv4 range,
 * since addresses are unmapped before matching. Undefined when invalid.
 */
export function parseCidr(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const base = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!base || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const prefix = Number(bitsText);
  if (prefix > base.bytes.length * 8) return undefined;
  const range = { base: maskTo(base, prefix), prefix };
  if (base.version === 6 && prefix >= 96 && isV4Mapped(base.bytes)) {
    return { base: unmapIpv4(range.base), prefix: prefix - 96 };
  }
  return range;
}

function maskTo(ip: IpAddress, prefix: number): IpAddress {
  const bytes = ip.bytes.slice();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return { version: ip.version, bytes };
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (via URL, which implements it). */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) return ip.bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i]! << 8) | ip.bytes[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
