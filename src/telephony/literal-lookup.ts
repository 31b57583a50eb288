// The lookup the UDP sockets of SIP and RTP use (dgram's `lookup` option).

import { lookup } from 'node:dns';
import { isIP } from 'node:net';

/**
 * Every unconnected send() asks the socket's lookup for the destination's address; Node's default
 * (dns.lookup) answers even an IP literal on the next tick, an allocation and a queue turn per
 * packet. RTP destinations are IP literals from the SDP (or the source latched onto), SIP replies go to
 * a Via's address: answered at once. A host name (an SDP or a Via may carry one) still goes to
 * dns.lookup.
 */
export function literalLookup(address: string, family: unknown, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const version = isIP(address);
  if (version !== 0) return callback(null, address, version);
  lookup(address, family as number, callback);
}
