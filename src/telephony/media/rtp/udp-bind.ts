// Binding a UDP socket to one given port, telling "taken" apart from real failures.

import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';

/** A socket bound to `port`, or null when the port is taken (the allocator then tries the next). */
export function bindSocket(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket | null> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type, reuseAddr: false, lookup: literalLookup });
    const onError = (err: NodeJS.ErrnoException) => {
      socket.close();
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(null);
      else reject(err);
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/**
 * Every unconnected send() asks the socket's lookup for the destination's address; Node's default
 * (dns.lookup) answers even an IP literal on the next tick, an allocation and a queue turn per
 * packet. RTP destinations are IP literals from the SDP (or the source latched onto): answered at
 * once. A host name (an SDP may carry one) still goes to dns.lookup.
 */
function literalLookup(address: string, family: unknown, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const version = isIP(address);
  if (version !== 0) return callback(null, address, version);
  lookup(address, family as number, callback);
}
