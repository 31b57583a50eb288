// Secrets in HTTP headers never reach the timeline or the logs (SPEC §2.4): what a scenario sends
// to a CRM is shown to anyone debugging the run, the credentials it carries are not.

export const REDACTED = '[redacted]';

const SECRET_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'apikey',
  'api_key',
  'passwd',
]);

// Catches the many vendor spellings (x-client-secret, x-access-token, x-db-password…).
const SECRET_PARTS = ['secret', 'token', 'password'];

/**
 * Whether a name (any case) carries a credential: a header, or a key of a JSON object. The one rule
 * used for headers, the timeline and the logs.
 */
export function isSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_NAMES.has(lower) || SECRET_PARTS.some((part) => lower.includes(part));
}

export const isSecretHeader = isSecretName;

/** A copy of `headers`, names kept as given, with secret values replaced by `[redacted]`. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // defineProperty, so a header named __proto__ stays a plain entry.
    Object.defineProperty(out, name, {
      value: isSecretHeader(name) ? REDACTED : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
