// A fetch for binary downloads (play@v1 prompts) under the same safety guard as fetch@v2: every
// connection, redirects included, goes to an address the guard approved, chosen at connect time
// so a DNS answer cannot change between the check and the connection.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { blockReasonText, checkDestination, type AllowList } from './guard.ts';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export interface GuardedFetch {
  fetch(url: string, init: { signal: AbortSignal; redirect: 'follow'; headers: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export function createGuardedFetch(allow: AllowList): GuardedFetch {
  const lookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    const vet = (addresses: LookupAddress[]): void => {
      let reason = '';
      for (const a of addresses) {
        const verdict = checkDestination(hostname, a.address, allow);
        if (verdict.allowed) return options.all ? callback(null, [a]) : callback(null, a.address, a.family);
        reason = `${a.address}: ${blockReasonText(verdict.reason)}`;
      }
      const err: NodeJS.ErrnoException = new Error(`request to ${hostname} blocked (${reason}); allow it with RINGFLOW_HTTP_ALLOW`);
      err.code = 'RF_HTTP_BLOCKED';
      callback(err, '');
    };
    if (isIP(hostname)) return vet([{ address: hostname, family: isIP(hostname) }]);
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? callback(err, '') : vet(addresses)));
  };
  const agent = new Agent({ connect: { lookup: lookup as never } });
  // A literal address never reaches `lookup`: it is checked here, on every hop (redirects are
  // followed by hand for that reason).
  const checkLiteral = (url: URL): void => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!isIP(host)) return;
    const verdict = checkDestination(host, host, allow);
    if (!verdict.allowed) throw new Error(`request to ${host} blocked (${blockReasonText(verdict.reason)}); allow it with RINGFLOW_HTTP_ALLOW`);
  };
  return {
    async fetch(url, init) {
      let target = new URL(url);
      for (let hop = 0; ; hop++) {
        checkLiteral(target);
        const response = (await undiciFetch(target, { signal: init.signal, headers: init.headers, redirect: 'manual', dispatcher: agent })) as unknown as Response;
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || !location) return response;
        await response.body?.cancel().catch(() => {});
        if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
        const next = new URL(location, target);
        // Credentials meant for one host are not handed to another.
        if (next.host !== target.host) init = { ...init, headers: withoutAuthorization(init.headers) };
        target = next;
      }
    },
    close: () => agent.close(),
  };
}

const MAX_REDIRECTS = 5;

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
}
