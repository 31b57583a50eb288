// The shape of a SIP message once parsed (RFC 3261 §7). Headers keep their order and their raw
// values; the structured parts other layers need (Via, From/To, CSeq, URIs) have their own parsers.

/** One header line: `name` is the full form in lower case (`v` → `via`), `value` as received (trimmed, unfolded). */
export interface SipHeader {
  name: string;
  value: string;
}

interface SipMessageBase {
  /** Always `SIP/2.0` for messages we accept. */
  version: string;
  /** In order of appearance; a comma-separated multi-value header is split into one entry per value. */
  headers: SipHeader[];
  /** The body (SDP, DTMF INFO…), exactly Content-Length bytes. */
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  /** Upper case: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REGISTER, … (extension methods kept as sent). */
  method: string;
  /** The Request-URI as written. */
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Parameters of a URI, a Via, a name-addr (`;tag=…`, `;branch=…`); a parameter without `=` has value null. Names in lower case. */
export type SipParams = Record<string, string | null>;

export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user: string | null;
  password: string | null;
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number | null;
  params: SipParams;
  /** `?name=value` headers of the URI. */
  headers: Record<string, string>;
}

/** From, To, Contact, Route, Record-Route: `"Display" <uri>;params` or `uri;params`. */
export interface NameAddr {
  displayName: string | null;
  uri: SipUri;
  params: SipParams;
}

export interface Via {
  /** `UDP`, `TCP`, `TLS`, `WS`… in upper case. */
  transport: string;
  host: string;
  port: number | null;
  /** branch, received, rport (null when asked for without a value), maddr, ttl… */
  params: SipParams;
}

export interface CSeq {
  seq: number;
  method: string;
}
