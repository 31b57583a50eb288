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

/** Other headers a call carries, so that the lookups below know them too. */
const COMMON = [
  'authorization',
  'content-disposition',
  'date',
  'diversion',
  'expires',
  'history-info',
  'max-forwards',
  'min-expires',
  'min-se',
  'organization',
  'p-preferred-identity',
  'priority',
  'privacy',
  'proxy-authenticate',
  'proxy-authorization',
  'retry-after',
  'server',
  'subscription-state',
  'timestamp',
  'user-agent',
];

function computeCanonicalName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

function computeWireName(name: string): string {
  const lower = computeCanonicalName(name);
  const special = SPELLING[lower];
  if (special !== undefined) return special;
  return capitalized(lower);
}

function capitalized(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

const FULL_NAMES = [...Object.values(COMPACT), ...Object.keys(SPELLING), ...LIST_HEADERS, ...COMMON];
/** The full names as written in this file: comparing with them, or keying by them, is cheapest. */
const LITERAL: ReadonlyMap<string, string> = new Map(FULL_NAMES.map((name) => [name, name]));

/**
 * The spellings a header name usually arrives in (`via`, `Via`, `VIA`, `v`, `V`, `Call-ID`,
 * `Call-Id`…) → its canonical and its wire name, computed once: every header of every message is
 * looked up here, and a hit costs no case conversion. Built by the functions above, so a hit and
 * a miss give the same answer.
 */
const KNOWN: ReadonlyMap<string, { canonical: string; wire: string }> = new Map(
  [...Object.keys(COMPACT), ...FULL_NAMES]
    .flatMap((name) => [name, name.toUpperCase(), capitalized(name), computeWireName(name)])
    .map((spelling) => {
      const canonical = computeCanonicalName(spelling);
      return [spelling, { canonical: LITERAL.get(canonical) ?? canonical, wire: computeWireName(spelling) }];
    }),
);

/**
 * The full and compact names in lower case by length, each with its canonical name: what a parser
 * compares the name in a header line with, in place, before cutting it out of the line.
 */
const BY_LENGTH: readonly (readonly { lower: string; canonical: string }[])[] = (() => {
  const buckets: { lower: string; canonical: string }[][] = [];
  for (const lower of new Set([...Object.keys(COMPACT), ...FULL_NAMES])) {
    (buckets[lower.length] ??= []).push({ lower, canonical: KNOWN.get(lower)!.canonical });
  }
  return buckets;
})();

/**
 * The canonical name when `text.slice(from, to)` is a known name in any ASCII case, else undefined
 * (then it may be anything, a token or not). Reads the text in place: no string is made.
 */
export function knownNameAt(text: string, from: number, to: number): string | undefined {
  const candidates = BY_LENGTH[to - from];
  if (candidates === undefined) return undefined;
  next: for (const { lower, canonical } of candidates) {
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== lower.charCodeAt(i - from)) continue next;
    }
    return canonical;
  }
  return undefined;
}

/** `V`, `via`, `VIA` → `via`: the key headers are stored and looked up under. */
export function canonicalName(name: string): string {
  return KNOWN.get(name)?.canonical ?? computeCanonicalName(name);
}

/** `call-id` → `Call-ID`, `via` → `Via`: the full form we send. */
export function wireName(name: string): string {
  return KNOWN.get(name)?.wire ?? computeWireName(name);
}

export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(canonicalName(name));
}
