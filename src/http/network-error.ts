// Maps what Node and undici throw on a failed exchange to the few error kinds a scenario can branch
// on (SPEC §2.1), keeping the original message for the timeline.

import type { HttpErrorKind } from './exchange.ts';

export interface NetworkFailure {
  readonly kind: HttpErrorKind;
  readonly detail: string;
}

const DNS_CODES: ReadonlySet<string> = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'EAI_ADDRFAMILY',
  'ENODATA', 'ESERVFAIL', 'ENOTIMP', 'EBADNAME', 'EBADRESP', 'ETIMEOUT',
]);

// Not listed in the spec, but they mean the same to a scenario: nobody took the connection.
const REFUSED_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** OpenSSL verification results as Node reports them, plus Node's own TLS codes. */
function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_') ||
    code.startsWith('UNABLE_TO_') ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'HOSTNAME_MISMATCH' ||
    code === 'INVALID_CA' ||
    code === 'INVALID_PURPOSE' ||
    code === 'EPROTO'
  );
}

/** The error and everything it wraps (cause chains, AggregateError from happy-eyeballs connects). */
function* chain(err: unknown, depth = 0): Generator<Error> {
  if (!(err instanceof Error) || depth > 8) return;
  yield err;
  if (err instanceof AggregateError) for (const e of err.errors) yield* chain(e, depth + 1);
  yield* chain(err.cause, depth + 1);
}

/**
 * The kind of a transport failure. Anything unrecognised counts as `reset`: the connection broke
 * before a complete response arrived.
 */
export function classifyNetworkError(err: unknown): NetworkFailure {
  const errors = [...chain(err)];
  const codes = errors.map((e) => (e as { code?: unknown }).code).filter((c): c is string => typeof c === 'string');
  const detail = describe(errors[0], err);
  // A handshake the server cut short surfaces as ECONNRESET; only the message tells it apart.
  const handshake = errors.some((e) => /before secure TLS connection|SSL routines|certificate/i.test(e.message));
  if (codes.some(isTlsCode) || handshake) return { kind: 'tls', detail };
  if (codes.some((c) => REFUSED_CODES.has(c))) return { kind: 'refused', detail };
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return { kind: 'timeout', detail };
  if (codes.some((c) => DNS_CODES.has(c))) return { kind: 'dns', detail };
  if (codes.includes('UND_ERR_HEADERS_OVERFLOW')) return { kind: 'too-large', detail };
  if (codes.includes('UND_ERR_INVALID_ARG')) return { kind: 'invalid-url', detail };
  return { kind: 'reset', detail };
}

function describe(first: Error | undefined, err: unknown): string {
  if (!first) return String(err);
  const code = (first as { code?: unknown }).code;
  const message = first.message || (first instanceof AggregateError ? first.errors.map((e) => String((e as Error)?.message ?? e)).join('; ') : first.name);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
