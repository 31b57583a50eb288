// A connection that can only ever reach the address the guard vetted. Resolving the name again at
// connect time would let a DNS answer with a short TTL swap a public address for 127.0.0.1 between
// the check and the connect (DNS rebinding); here the connect-time lookup returns the vetted
// address, while the URL's host name still drives the Host header, SNI and certificate checks.

import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Client } from 'undici';

export interface PinnedConnectionOptions {
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[] | undefined;
}

/**
 * An undici Client for `origin` whose socket connects to `address` only. One exchange per Client:
 * the caller destroys it afterwards, which really closes the socket.
 */
export function openPinnedConnection(origin: string, address: string, options: PinnedConnectionOptions = {}): Client {
  const family = isIP(address);
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    // net.connect asks for all addresses when it may race IPv4 and IPv6 (autoSelectFamily).
    if (lookupOptions.all) (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const ca = options.ca === undefined ? undefined : [...rootCertificates, ...[options.ca].flat()];
  return new Client(origin, {
    connect: { lookup, ...(ca ? { ca } : {}) },
    // The exchange's deadline runs on the injected clock; undici's own timers would fire on wall
    // time regardless of it (and its 10 s connect default would cut a longer scenario timeout).
    connectTimeout: 0,
    headersTimeout: 0,
    bodyTimeout: 0,
    // One request per connection: HTTP/2 would bring nothing but a session to tear down.
    allowH2: false,
  });
}
