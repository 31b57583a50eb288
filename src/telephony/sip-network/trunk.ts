// Where an outgoing call goes: a number through the trunk (prefix, number format, caller-id rules,
// digest credentials, the trunk as outbound proxy), a sip: URI straight to its host.

export interface SipTrunk {
  name: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  username?: string | undefined;
  password?: string | undefined;
  domain?: string | undefined;
  callerId?: string | undefined;
  callerIdAllowed?: readonly string[] | undefined;
  prefix: string;
  numberFormat: 'e164' | 'e164-no-plus';
}

export interface TrunkTarget {
  uri: string;
  from: string;
  credentials?: { username: string; password: string } | undefined;
  proxy?: { host: string; port: number; transport: 'udp' | 'tcp' } | undefined;
}

/** Undefined when a number is dialled and no trunk is configured. */
export function trunkTarget(trunk: SipTrunk | undefined, to: string, from: string): TrunkTarget | undefined {
  if (/^sips?:/i.test(to)) {
    const host = to.replace(/^sips?:(?:[^@]*@)?/i, '').split(/[;>?]/)[0] ?? 'invalid';
    return { uri: to, from: `sip:${userPart(from)}@${host}` };
  }
  if (!trunk) return undefined;
  const domain = trunk.domain ?? trunk.host;
  const number = trunk.numberFormat === 'e164-no-plus' ? to.replace(/^\+/, '') : to;
  const credentials = trunk.username !== undefined ? { username: trunk.username, password: trunk.password ?? '' } : undefined;
  return {
    uri: `sip:${trunk.prefix}${number}@${domain}`,
    from: `sip:${userPart(callerIdFor(trunk, from))}@${domain}`,
    credentials,
    proxy: { host: trunk.host, port: trunk.port, transport: trunk.transport },
  };
}

/**
 * The caller id the trunk will accept: `from` when it is allowed (exact, or a prefix ending in *),
 * else the trunk's own callerId (carriers drop or rewrite calls with a caller id they don't own).
 */
export function callerIdFor(trunk: SipTrunk, from: string): string {
  const allowed = trunk.callerIdAllowed;
  if (!allowed || allowed.length === 0) return from || trunk.callerId || 'anonymous';
  const ok = allowed.some((rule) => (rule.endsWith('*') ? from.startsWith(rule.slice(0, -1)) : from === rule));
  return ok ? from : (trunk.callerId ?? 'anonymous');
}

/** A user part may hold +, digits and the unreserved marks; anything else is escaped. */
function userPart(text: string): string {
  return text.replace(/[^A-Za-z0-9+\-_.!~*'()&=$,;?/]/g, (c) => encodeURIComponent(c));
}
