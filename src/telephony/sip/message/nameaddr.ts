// From, To, Contact, Route, Record-Route values (RFC 3261 §20.10, §25.1):
//   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT, display-name = *(token LWS) / quoted-string
//   or a bare addr-spec, whose ";params" then belong to the header, not to the URI.

import { charSet, inSet, TOKEN_CHARS } from './charset.ts';
import { formatParams, parseParams, quote } from './params.ts';
import { lwsEnd, Scanner } from './scanner.ts';
import type { NameAddr } from './types.ts';
import { formatUri, parseUri } from './uri.ts';
import { SipParseError } from './errors.ts';

/** What ends a bare addr-spec. */
const ADDR_SPEC_END = charSet(/^[; \t]$/);

export function parseNameAddr(text: string): NameAddr {
  const s = new Scanner(text, 'SIP_PARSE_NAME_ADDR', 'address');
  s.skipLws();
  let displayName: string | null = null;
  let uriText: string;

  if (s.peek() === '"') {
    displayName = s.quoted();
    s.skipLws();
    if (s.peek() !== '<') s.fail('a quoted display name must be followed by <uri>');
    uriText = bracketed(s);
  } else if (hasAngle(text)) {
    // Unquoted display name: tokens separated by LWS, nothing else (RFC 4475 baddn has a comma).
    // The words are read in place; the scanner only reports a character that is not one.
    let pos = s.pos;
    while (text.charCodeAt(pos) !== 0x3c) {
      const start = pos;
      while (pos < text.length && inSet(TOKEN_CHARS, text.charCodeAt(pos))) pos++;
      if (pos === start) {
        s.pos = pos;
        s.token('a display name word (quote display names with other characters)');
      }
      const word = text.slice(start, pos);
      displayName = displayName === null ? word : `${displayName} ${word}`;
      pos = lwsEnd(text, pos);
    }
    s.pos = pos;
    uriText = bracketed(s);
  } else {
    // Bare addr-spec: it ends at the first ";" or LWS. A URI needing "?" or "," must be in <> (§20.10).
    uriText = s.takeUntil(ADDR_SPEC_END);
    if (uriText === '') s.fail('no URI');
    if (/[?,]/.test(uriText)) s.fail('a URI with "?" or "," must be enclosed in <>');
  }

  const uri = parseUriHere(s, uriText);
  const params = parseParams(s);
  s.skipLws();
  if (!s.done) s.fail(`unexpected "${s.peek()}"`);
  return { displayName, uri, params };
}

/** Whether a `<` comes before any `;`: then the value is a name-addr, else a bare addr-spec. */
function hasAngle(text: string): boolean {
  const angle = text.indexOf('<');
  const semi = text.indexOf(';');
  return angle !== -1 && (semi === -1 || angle < semi);
}

function bracketed(s: Scanner): string {
  s.expect('<');
  const start = s.pos;
  const close = s.text.indexOf('>', start);
  if (close === -1) s.fail('missing ">"');
  s.pos = close + 1;
  return s.text.slice(start, close);
}

function parseUriHere(s: Scanner, uriText: string) {
  try {
    return parseUri(uriText);
  } catch (e) {
    if (e instanceof SipParseError) s.fail(e.message);
    throw e;
  }
}

/** Always the `<uri>` form, so URI parameters never get mistaken for header parameters. */
export function formatNameAddr(na: NameAddr): string {
  const name = na.displayName === null ? '' : `${quote(na.displayName)} `;
  return `${name}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}
