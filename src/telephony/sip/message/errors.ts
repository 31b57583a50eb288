// Parse failures of the SIP message layer. The `code` is what callers branch on (never the text):
// a transport drops the datagram or closes the stream, a UA answers 400 with the message as reason.

import type { SipMessage } from './types.ts';

export type SipParseErrorCode =
  /** Nothing but whitespace, or no start line. */
  | 'SIP_PARSE_EMPTY'
  /** The request or status line does not follow RFC 3261 §7.1 / §7.2. */
  | 'SIP_PARSE_START_LINE'
  /** A SIP version other than SIP/2.0. */
  | 'SIP_PARSE_VERSION'
  /** A status code outside 100–699. */
  | 'SIP_PARSE_STATUS'
  /** A header line without a colon, a bad header name, a folded line with nothing to continue. */
  | 'SIP_PARSE_HEADER'
  /** A header every request (or response) needs is absent: To, From, CSeq, Call-ID, Via. */
  | 'SIP_PARSE_MISSING_HEADER'
  /** Content-Length not a number, given twice with different values, larger than the data, or absent on a stream. */
  | 'SIP_PARSE_CONTENT_LENGTH'
  /** CSeq is not `number method`, or its number is 2^31 or more. */
  | 'SIP_PARSE_CSEQ'
  /** The CSeq method of a request differs from its request method. */
  | 'SIP_PARSE_CSEQ_METHOD'
  | 'SIP_PARSE_URI'
  | 'SIP_PARSE_NAME_ADDR'
  | 'SIP_PARSE_VIA'
  /** A Digest challenge or credentials header (WWW-Authenticate, Authorization, Proxy-*). */
  | 'SIP_PARSE_AUTH'
  /** A message on a stream transport grew past the framer's limit: close the connection. */
  | 'SIP_PARSE_TOO_LARGE';

export class SipParseError extends Error {
  override name = 'SipParseError';
  readonly code: SipParseErrorCode;
  /** 1-based line where the problem is, counting the start line as 1 (CRLFs before it are not counted). */
  readonly line: number | undefined;
  /**
   * The message as far as it could be read, when the framing was fine and only a later check failed
   * (a missing header, a CSeq mismatch): enough for a UA to answer 400 to a request.
   */
  readonly partial: SipMessage | undefined;

  constructor(code: SipParseErrorCode, message: string, opts: { line?: number; partial?: SipMessage } = {}) {
    super(opts.line === undefined ? message : `${message} (line ${opts.line})`);
    this.code = code;
    this.line = opts.line;
    this.partial = opts.partial;
  }
}
