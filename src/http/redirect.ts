// How a request changes when a redirect is followed, after the Fetch standard (§4.4 HTTP-redirect
// fetch): which statuses are followed, when POST becomes GET, which headers must not travel on.

/** One request on the wire; header names lower-case. */
export interface HopRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** 300 and 304 are not redirects to follow: there is no single next location. */
export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

// Headers describing the body; they go when the body goes.
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

// Credentials for one origin must not be handed to another one the first origin points at.
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * The request for the next hop. 303 turns anything but HEAD into a GET, and 301/302 turn a POST
 * into a GET (what every browser does), both without body; 307/308 keep method and body.
 */
export function redirectedRequest(previous: HopRequest, status: number, from: URL, to: URL): HopRequest {
  const toGet = (status === 303 && previous.method !== 'HEAD') || ((status === 301 || status === 302) && previous.method === 'POST');
  const drop = new Set<string>();
  if (toGet) BODY_HEADERS.forEach((h) => drop.add(h));
  if (from.origin !== to.origin) CREDENTIAL_HEADERS.forEach((h) => drop.add(h));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(previous.headers)) if (!drop.has(name)) headers[name] = value;
  return { method: toGet ? 'GET' : previous.method, headers, body: toGet ? undefined : previous.body };
}
