// Binding a UDP socket to one given port, telling "taken" apart from real failures.

import { createSocket, type Socket } from 'node:dgram';
import { literalLookup } from '../../literal-lookup.ts';

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
