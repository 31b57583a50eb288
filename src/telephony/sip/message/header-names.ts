// Header names: compact forms (RFC 3261 §7.3.3 and later RFCs), the spelling we write on the wire,
// and which headers may carry several comma-separated values in one line (§7.3.1).

/** Compact form → full name in lower case. */
const COMPACT: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 6665
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 4474
};

/** Names whose usual capitalisation is not "each word capitalised". */
const SPELLING: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'rack': 'RAck',
  'rseq': 'RSeq',
  'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match',
  'p-asserted-identity': 'P-Asserted-Identity',
};

/**
 * Headers whose grammar is a comma-separated list (`#element` in RFC 3261 §25), so one line with
 * commas means several entries. Not the auth headers (their params hold commas), Date (has a comma)
 * nor unknown headers: their grammar is unknown, so a comma may mean anything.
 */
const LIST_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'in-reply-to',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'require',
  'route',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

/** `V`, `via`, `VIA` → `via`: the key headers are stored and looked up under. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** `call-id` → `Call-ID`, `via` → `Via`: the full form we send. */
export function wireName(name: string): string {
  const lower = canonicalName(name);
  const special = SPELLING[lower];
  if (special !== undefined) return special;
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(canonicalName(name));
}
