// The shape of one outbound HTTP exchange, as actions see it and as the timeline records it.

export type HttpErrorKind = 'timeout' | 'dns' | 'refused' | 'reset' | 'tls' | 'too-large' | 'blocked' | 'invalid-url';

export interface HttpRequest {
  url: string;
  /** Any method; upper-cased before sending. */
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Whole request, connect to last byte. */
  timeoutMs: number;
  /** Response bodies longer than this fail with `too-large` (default: the client's cap, 1 MiB). */
  maxBodyBytes?: number | undefined;
  /** Redirects followed at most (default 5); each hop is checked by the safety guard. */
  maxRedirects?: number | undefined;
}

export interface HttpResponse {
  /** 2xx. */
  ok: boolean;
  /** 0 when no response arrived (see `error`). */
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as text (UTF-8), capped. */
  body: string;
  /** The decoded body when the response is JSON (by content-type or by shape); absent otherwise. */
  json?: unknown;
  /** Milliseconds from the start of the request to the last byte (or the failure). */
  duration: number;
  /** Why no usable response arrived. */
  error?: HttpErrorKind | undefined;
  /** A human explanation of `error` (the blocked address, the DNS failure). */
  errorDetail?: string | undefined;
  /** The URL that answered, after redirects. */
  url: string;
  /** Each redirect followed, in order. */
  redirects: { status: number; location: string }[];
}

export interface HttpClient {
  /**
   * Sends a request. Remote failures never throw: they come back with `ok: false`, `status: 0` and
   * `error`. Rejects only with `signal.reason` when the signal aborts (the caller hung up).
   */
  send(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse>;
  /** Closes kept-alive connections (when the engine shuts down). */
  close?(): Promise<void>;
}
