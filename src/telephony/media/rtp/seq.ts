// Serial-number arithmetic for 16-bit sequence numbers and 32-bit timestamps (RFC 1982), so that
// comparisons keep working across the wrap-around.

/** b − a for 16-bit sequence numbers, in −32768…32767. */
export function seqDelta(a: number, b: number): number {
  return ((((b - a) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}

/** b − a for 32-bit timestamps, in −2^31…2^31−1. */
export function tsDelta(a: number, b: number): number {
  return (b - a) | 0;
}

export function addSeq(seq: number, n: number): number {
  return (seq + n) & 0xffff;
}

export function addTs(ts: number, n: number): number {
  return (ts + n) >>> 0;
}
