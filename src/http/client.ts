// The outbound HTTP client behind fetch@v2 and the other integrations: one exchange at a time,
// each hop resolved, vetted by the safety guard and pinned to the vetted address, under a deadline
// kept by the injected clock, with a capped body. Remote failures come back as values.

import { lookup as dnsLookup } from 'node:dns/promises';
import { STATUS_CODES } from 'node:http';
import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { formatMessage } from '../errors.ts';
import type { Clock } from '../time/clock.ts';
import { readCapped } from './capped-body.ts';
import type { HttpClient, HttpErrorKind, HttpRequest, HttpResponse } from './exchange.ts';
import { blockReasonText, checkDestination, EMPTY_ALLOW_LIST, type AllowList, type BlockReason } from './guard.ts';
import { classifyNetworkError } from './network-error.ts';
import { ConnectionPool } from './connection-pool.ts';
import { isRedirectStatus, redirectedRequest, type HopRequest } from './redirect.ts';
import { isValidMethod, prepareHeaders } from './request-headers.ts';
import { decodeText, parseJsonBody } from './response-body.ts';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to all its addresses; rejects when it cannot (NXDOMAIN, SERVFAIL…). */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface HttpClientOptions {
  readonly clock: Clock;
  /** Destinations allowed besides the public internet (parseAllowList). Default: none. */
  readonly allow?: AllowList | undefined;
  /** Default cap on response bodies, in bytes; a request may set its own. Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /** Sent unless the request sets its own user-agent. Default `Ringflow/0.1`. */
  readonly userAgent?: string | undefined;
  /** DNS resolution. Default: the system resolver (node:dns lookup, all addresses). */
  readonly lookup?: HostLookup | undefined;
  /** Keep-alive connections kept for reuse (default 64). */
  readonly maxConnections?: number | undefined;
  /** Extra trusted CA certificates (PEM) for https, on top of Node's roots: an internal CRM's CA, tests. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[] | undefined;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_USER_AGENT = 'Ringflow/0.1';
export const DEFAULT_MAX_REDIRECTS = 5;
/** Keep-alive connections kept open, one per (origin, address). */
export const DEFAULT_MAX_CONNECTIONS = 64;

/** setTimeout's ceiling; a larger deadline would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true });

interface Settings {
  readonly clock: Clock;
  readonly allow: AllowList;
  readonly maxBodyBytes: number;
  readonly userAgent: string;
  readonly lookup: HostLookup;
  readonly ca: HttpClientOptions['ca'];
  readonly pool: ConnectionPool;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const settings: Settings = {
    clock: options.clock,
    allow: options.allow ?? EMPTY_ALLOW_LIST,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    lookup: options.lookup ?? systemLookup,
    ca: options.ca,
    pool: new ConnectionPool(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, { ca: options.ca }),
  };
  return { send: (request, signal) => send(settings, request, signal), close: () => settings.pool.close() };
}

/** A failure with a kind a scenario can branch on; becomes a `status: 0` response. */
class ExchangeFailure extends Error {
  readonly kind: HttpErrorKind;

  constructor(kind: HttpErrorKind, detail: string) {
    super(detail);
    this.kind = kind;
  }
}

/** The abort reason of the exchange when its deadline passes, told apart from the caller's. */
class DeadlineExceeded extends Error {}

/** Where the exchange has got to, kept up to date hop by hop, for failures as well as responses. */
interface Trail {
  url: string;
  readonly redirects: { status: number; location: string }[];
}

type ResponsePart = Omit<HttpResponse, 'duration' | 'url' | 'redirects'>;

async function send(settings: Settings, request: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
  signal.throwIfAborted();
  const { clock } = settings;
  const started = clock.now();
  const trail: Trail = { url: request.url, redirects: [] };
  const finish = (part: ResponsePart): HttpResponse => ({
    ...part,
    duration: Math.max(0, Math.round(clock.now() - started)),
    url: trail.url,
    // A copy: after a timeout the abandoned exchange may still be settling.
    redirects: [...trail.redirects],
  });
  const fail = (kind: HttpErrorKind, detail: string): HttpResponse =>
    finish({ ok: false, status: 0, statusText: '', headers: {}, body: '', error: kind, errorDetail: detail });

  // One signal for everything in flight, aborted by the deadline or by the caller hanging up.
  const exchange = new AbortController();
  let timedOut = false;
  // DNS and sockets are real I/O: a virtual clock must flow at the real rate meanwhile, or the
  // deadline would fire before the server had a chance (or never, with nothing else to wait for).
  const release = clock.hold();
  const timer = clock.setTimer(deadlineMs(request.timeoutMs), () => {
    timedOut = true;
    exchange.abort(new DeadlineExceeded(`no complete response within ${request.timeoutMs} ms`));
  });
  const onCallerAbort = () => exchange.abort(signal.reason);
  signal.addEventListener('abort', onCallerAbort, { once: true });
  try {
    // untilAborted: a DNS lookup cannot be cancelled, yet the caller must not wait for it.
    return finish(await untilAborted(exchangeHops(settings, request, exchange.signal, trail), exchange.signal));
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (timedOut) return fail('timeout', `no complete response within ${request.timeoutMs} ms`);
    if (err instanceof ExchangeFailure) return fail(err.kind, err.message);
    const failure = classifyNetworkError(err);
    return fail(failure.kind, failure.detail);
  } finally {
    timer.cancel();
    signal.removeEventListener('abort', onCallerAbort);
    release();
  }
}

function deadlineMs(timeoutMs: number): number {
  return Number.isNaN(timeoutMs) ? 0 : Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS);
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

async function exchangeHops(settings: Settings, request: HttpRequest, signal: AbortSignal, trail: Trail): Promise<ResponsePart> {
  let url = parseHttpUrl(request.url);
  trail.url = url.href;
  const method = request.method.toUpperCase();
  if (!isValidMethod(method)) throw new ExchangeFailure('invalid-url', `invalid HTTP method "${request.method}"`);
  const prepared = prepareHeaders(request.headers, request.body, settings.userAgent);
  // No better kind exists for a request that cannot be sent as written; the detail says which part.
  if (!prepared.ok) throw new ExchangeFailure('invalid-url', prepared.problem);
  let hop: HopRequest = { method, headers: prepared.headers, body: request.body };
  const maxRedirects = request.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxBodyBytes = request.maxBodyBytes ?? settings.maxBodyBytes;

  for (;;) {
    const address = await resolveVetted(settings, url, signal);
    signal.throwIfAborted();
    const origin = url.origin;
    const connection = settings.pool.acquire(origin, address);
    // Only a connection whose exchange ended cleanly, body read to the end, goes back to the pool;
    // destroying it otherwise closes the socket now, whatever undici is doing with the request.
    let reusable = false;
    const closeNow = () => settings.pool.discard(origin, address, connection);
    signal.addEventListener('abort', closeNow, { once: true });
    try {
      const response = await transport(signal, () =>
        connection.request({ path: url.pathname + url.search, method: hop.method, headers: hop.headers, body: hop.body, signal }),
      );
      // Errors surface through the read below; an unread body must not crash the process.
      response.body.on('error', () => {});
      const location = headerValue(response.headers.location);
      if (isRedirectStatus(response.statusCode) && location !== undefined) {
        if (trail.redirects.length < maxRedirects) {
          const next = parseHttpUrl(location, url);
          trail.redirects.push({ status: response.statusCode, location: next.href });
          hop = redirectedRequest(hop, response.statusCode, url, next);
          url = next;
          trail.url = url.href;
          continue;
        }
        // Past the limit the last redirect response is the answer (ok false, as a 3xx): the
        // scenario sees where it was being sent and can branch on the status, like fetch's
        // `redirect: 'manual'`. No `error`, since a response did arrive.
        const last = await readResponse(response, maxBodyBytes, signal);
        reusable = true;
        return {
          ...last,
          errorDetail: `stopped after ${maxRedirects} redirect${maxRedirects === 1 ? '' : 's'} (the limit); this is the last redirect response`,
        };
      }
      const part = await readResponse(response, maxBodyBytes, signal);
      reusable = true;
      return part;
    } finally {
      signal.removeEventListener('abort', closeNow);
      if (!reusable) closeNow();
    }
  }
}

function parseHttpUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new ExchangeFailure('invalid-url', formatMessage('RF_HTTP_INVALID_URL', { url: text, detail: 'not a valid URL' }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ExchangeFailure('invalid-url', formatMessage('RF_HTTP_INVALID_URL', { url: text, detail: `only http and https are supported, not ${url.protocol.slice(0, -1)}` }));
  }
  return url;
}

/**
 * The address to connect to for `url`: an IP literal as is, a name through DNS; the first one the
 * guard lets through. A name resolving to both a public and a private address reaches the public
 * one only (the connection is pinned to it), so that case is allowed rather than blocked.
 */
async function resolveVetted(settings: Settings, url: URL, signal: AbortSignal): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let candidates: readonly ResolvedAddress[];
  if (isIP(host)) {
    candidates = [{ address: host, family: isIP(host) }];
  } else {
    try {
      candidates = await settings.lookup(host);
    } catch (err) {
      signal.throwIfAborted();
      const code = (err as { code?: unknown }).code;
      throw new ExchangeFailure('dns', `cannot resolve ${host}: ${typeof code === 'string' ? code : String((err as Error)?.message ?? err)}`);
    }
    signal.throwIfAborted();
    if (candidates.length === 0) throw new ExchangeFailure('dns', `cannot resolve ${host}: no address`);
  }
  let refused: { address: string; reason: BlockReason } | undefined;
  for (const { address } of candidates) {
    const verdict = checkDestination(host, address, settings.allow);
    if (verdict.allowed) return address;
    refused ??= { address, reason: verdict.reason };
  }
  throw new ExchangeFailure(
    'blocked',
    formatMessage('RF_HTTP_BLOCKED', { host: url.hostname, address: refused!.address, reason: blockReasonText(refused!.reason) }),
  );
}

/** Runs a transport step, turning its failures into kinds; an abort passes through untouched. */
async function transport<T>(signal: AbortSignal, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    signal.throwIfAborted();
    const failure = classifyNetworkError(err);
    throw new ExchangeFailure(failure.kind, failure.detail);
  }
}

async function readResponse(response: Dispatcher.ResponseData, maxBodyBytes: number, signal: AbortSignal): Promise<ResponsePart> {
  const status = response.statusCode;
  const headers = flattenHeaders(response.headers);
  const tooLarge = (size: string) =>
    new ExchangeFailure('too-large', `the response body (status ${status}) is ${size}, over the limit of ${maxBodyBytes} bytes`);
  // A declared length over the cap fails before a single body byte is read.
  const declared = Number(headers['content-length'] ?? NaN);
  if (declared > maxBodyBytes) throw tooLarge(`${declared} bytes`);
  const body = await transport(signal, () => readCapped(response.body, maxBodyBytes));
  if (!body.complete) throw tooLarge(`more than ${maxBodyBytes} bytes`);
  const text = decodeText(body.bytes, headers['content-type']);
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: response.statusText || STATUS_CODES[status] || '',
    headers,
    body: text,
    ...parseJsonBody(text, headers['content-type']),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Lower-case names, repeated values joined with ", " (set-cookie included). */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    Object.defineProperty(out, name.toLowerCase(), {
      value: Array.isArray(value) ? value.join(', ') : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
