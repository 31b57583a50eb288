// The header section as text → header entries (RFC 3261 §7.3): lines end with CRLF or a bare LF,
// folded lines are joined (§7.3.1), names made canonical, list headers split at top-level commas.
// Read by position: a line is never cut out of the text, only the values are.

import { SipParseError } from './errors.ts';
import { canonicalName, isListHeader, knownNameAt } from './header-names.ts';
import { clip, isToken } from './scanner.ts';
import type { SipHeader } from './types.ts';

/** The start line of a header section: its first line, line end removed. */
export function startLineOf(head: string): string {
  return head.slice(0, contentEnd(head, 0, lineEnd(head, 0)));
}

/**
 * The headers of a header section `head` (start line first, then header lines; the empty line
 * that ends the section not included). Throws SipParseError for a line that is no header.
 */
export function readHeaders(head: string): SipHeader[] {
  const out: SipHeader[] = [];
  // `line` numbers lines from 1, the start line being 1.
  let line = 1;
  let pos = lineEnd(head, 0) + 1;
  while (pos < head.length) {
    line++;
    let end = lineEnd(head, pos);
    const stop = contentEnd(head, pos, end);
    // Continuation lines are read with the header they continue, so this one has none before it.
    if (isLws(head.charCodeAt(pos)) && pos < stop) throw new SipParseError('SIP_PARSE_HEADER', 'a folded line continues no header', { line });
    const colon = head.indexOf(':', pos);
    if (colon === -1 || colon >= stop) {
      throw new SipParseError('SIP_PARSE_HEADER', `header line "${clip(head.slice(pos, stop))}" has no colon`, { line });
    }
    let nameEnd = colon;
    while (nameEnd > pos && isLws(head.charCodeAt(nameEnd - 1))) nameEnd--;
    let name = knownNameAt(head, pos, nameEnd);
    if (name === undefined) {
      const rawName = head.slice(pos, nameEnd);
      if (!isToken(rawName)) throw new SipParseError('SIP_PARSE_HEADER', `"${clip(rawName)}" is not a header name`, { line });
      name = canonicalName(rawName);
    }
    let value = trimmed(head, colon + 1, stop);
    // Lines starting with a space or a tab continue this one.
    while (end + 1 < head.length && isLws(head.charCodeAt(end + 1))) {
      const from = end + 1;
      end = lineEnd(head, from);
      line++;
      const more = trimmed(head, from, contentEnd(head, from, end));
      value = value === '' ? more : more === '' ? value : `${value} ${more}`;
    }
    if (value.includes(',') && isListHeader(name)) {
      const items = splitList(value);
      if (items.length === 0) out.push({ name, value: '' });
      for (const item of items) out.push({ name, value: item });
    } else {
      // Without a comma a list is its one (possibly empty) item.
      out.push({ name, value });
    }
    pos = end + 1;
  }
  return out;
}

/** The LF ending the line that starts at `from`, or the end of the text. */
function lineEnd(text: string, from: number): number {
  const lf = text.indexOf('\n', from);
  return lf === -1 ? text.length : lf;
}

/** Where the line's content ends: before its CR, if any. */
function contentEnd(text: string, from: number, end: number): number {
  return end > from && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
}

function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `text` from `from` to `to` without leading and trailing spaces and tabs. */
function trimmed(text: string, from: number, to: number): string {
  let start = from;
  let end = to;
  while (start < end && isLws(text.charCodeAt(start))) start++;
  while (end > start && isLws(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Splits at commas outside quoted strings and <…>; drops empty items (`a,,b`, §7.3.1 allows none). */
export function splitList(value: string): string[] {
  const items: string[] = [];
  let quoted = false;
  let angle = false;
  let from = 0;
  const push = (to: number): void => {
    const item = trimmed(value, from, to);
    if (item !== '') items.push(item);
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x3c) {
      angle = true;
    } else if (c === 0x3e) {
      angle = false;
    } else if (c === 0x2c && !angle) {
      push(i);
      from = i + 1;
    }
  }
  push(value.length);
  return items;
}
