// Finding the end of the header section and reading Content-Length, shared by the datagram parser
// and the stream framer so both frame a message the same way.

import { SipParseError } from './errors.ts';

export interface HeadBounds {
  /** Offset of the empty line that ends the headers (the header text is before it). */
  headEnd: number;
  /** Offset of the first body byte, just after that empty line. */
  bodyStart: number;
}

/** Skips the CRLFs a peer may send before a start line (§7.5) or as a keep-alive (RFC 5626 §3.5.1). */
export function skipLeadingLineEnds(data: Buffer, from = 0): number {
  let i = from;
  while (i < data.length && (data[i] === 0x0d || data[i] === 0x0a)) i++;
  return i;
}

/** The first empty line at or after `from` (CRLF or bare LF line ends), or null if there is none yet. */
export function findHeadEnd(data: Buffer, from: number): HeadBounds | null {
  // An empty line is an LF or a CRLF at a line start: at `from`, or after an LF. One pass in JS
  // costs less than a native indexOf call per line.
  const n = data.length;
  for (let lineStart = from; lineStart < n; ) {
    if (data[lineStart] === 0x0a) return { headEnd: lineStart, bodyStart: lineStart + 1 };
    if (data[lineStart] === 0x0d && data[lineStart + 1] === 0x0a) return { headEnd: lineStart, bodyStart: lineStart + 2 };
    let i = lineStart;
    while (i < n && data[i] !== 0x0a) i++;
    lineStart = i + 1;
  }
  return null;
}

/**
 * The Content-Length of a message from its header values (already unfolded), or null when absent.
 * Several equal values are tolerated; differing ones are an error, since the body cannot be framed
 * (RFC 4475 §3.1.4.9, mcl01).
 */
export function contentLengthOf(values: readonly string[]): number | null {
  let length: number | null = null;
  for (const v of values) {
    if (!/^\d+$/.test(v)) throw new SipParseError('SIP_PARSE_CONTENT_LENGTH', `Content-Length "${v}" is not a non-negative number`);
    if (v.length > 9) throw new SipParseError('SIP_PARSE_CONTENT_LENGTH', `Content-Length ${v} is too large`);
    const n = Number(v);
    if (length !== null && length !== n) throw new SipParseError('SIP_PARSE_CONTENT_LENGTH', `Content-Length is given twice, as ${length} and ${n}`);
    length = n;
  }
  return length;
}
