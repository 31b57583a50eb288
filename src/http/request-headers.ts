// The headers Ringflow puts on the wire for a scenario's request: the author's, checked and
// lower-cased, minus those the HTTP layer owns, plus a user-agent and the body length.

/** Set by the connection, not by a scenario: a stale Host after a redirect, or a framing header, would break the exchange. */
const OWNED_BY_TRANSPORT: ReadonlySet<string> = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'upgrade', 'expect', 'te', 'trailer',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What HTTP/1.1 can carry in a field value (undici and node:http refuse the rest).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export type PreparedHeaders =
  | { readonly ok: true; readonly headers: Record<string, string> }
  | { readonly ok: false; readonly problem: string };

/** Checks an HTTP method name (any token; upper-casing is the caller's). */
export function isValidMethod(method: string): boolean {
  return TOKEN.test(method);
}

/**
 * Lower-cases names (a later spelling of the same name wins), drops transport-owned ones, adds
 * `user-agent` unless present and `content-length` when there is a body. Reports the first header
 * that cannot be sent instead of letting the transport throw.
 */
export function prepareHeaders(input: Readonly<Record<string, string>>, body: string | undefined, userAgent: string): PreparedHeaders {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const value = String(raw);
    if (!TOKEN.test(name)) return { ok: false, problem: `invalid header name "${name}"` };
    if (!FIELD_VALUE.test(value)) return { ok: false, problem: `header "${name}" has a value with line breaks or characters HTTP cannot carry` };
    const lower = name.toLowerCase();
    if (!OWNED_BY_TRANSPORT.has(lower)) headers[lower] = value;
  }
  if (headers['user-agent'] === undefined) headers['user-agent'] = userAgent;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body, 'utf8'));
  return { ok: true, headers };
}
