// Header parameters (`;tag=abc`, `;branch=z9…`, `;received=…`): `*( SEMI generic-param )` of
// RFC 3261 §25.1, LWS allowed around ";" and "=". A quoted value keeps its quotes, so what we relay
// is what we received (`+sip.instance="<urn:uuid:…>"`).

import { charSet, inSet, TOKEN_CHARS } from './charset.ts';
import type { Scanner } from './scanner.ts';
import { isToken, lwsEnd } from './scanner.ts';
import type { SipParams } from './types.ts';

/** Characters of an unquoted value: token, host (IPv6 too, as in `received=2001:db8::1`). */
const VALUE_CHARS = charSet(/^[A-Za-z0-9\-.!%*_+`'~:[\]/]$/);

/**
 * Parameter names of RFC 3261 and of the extensions a call meets, written out here so that an
 * object keyed by one of them gets a name V8 already holds: adding a property under a string cut
 * out of a message costs several times more.
 */
const USUAL_NAMES: ReadonlyMap<string, string> = new Map(
  [
    'tag', 'branch', 'rport', 'received', 'maddr', 'ttl', 'transport', 'lr', 'user', 'method', 'expires', 'q',
    'ob', 'alias', 'comp', 'gr', 'phone-context', 'reg-id', '+sip.instance', 'cpc', 'npdi', 'rn', 'ftag', 'nat',
  ].map((name) => [name, name]),
);

/** The same name (in lower case), as a property key that is cheap to add. */
export function paramName(lower: string): string {
  return USUAL_NAMES.get(lower) ?? lower;
}

/**
 * Reads `;name[=value]` pairs from the cursor until something else; names in lower case. The
 * cursor is left after the last pair (LWS after it not taken).
 */
export function parseParams(s: Scanner): SipParams {
  const params: SipParams = {};
  const text = s.text;
  for (;;) {
    // Positions are kept here and handed to the scanner only to read a quoted value or to fail.
    let pos = lwsEnd(text, s.pos);
    if (text.charCodeAt(pos) !== 0x3b) return params;
    pos = lwsEnd(text, pos + 1);
    const nameStart = pos;
    while (pos < text.length && inSet(TOKEN_CHARS, text.charCodeAt(pos))) pos++;
    if (pos === nameStart) {
      s.pos = pos;
      s.token('a parameter name');
    }
    const name = paramName(text.slice(nameStart, pos).toLowerCase());
    const afterName = pos;
    pos = lwsEnd(text, pos);
    let value: string | null = null;
    if (text.charCodeAt(pos) === 0x3d) {
      pos = lwsEnd(text, pos + 1);
      if (text.charCodeAt(pos) === 0x22) {
        s.pos = pos;
        value = s.quoted(true);
        pos = s.pos;
      } else {
        const valueStart = pos;
        while (pos < text.length && inSet(VALUE_CHARS, text.charCodeAt(pos))) pos++;
        value = text.slice(valueStart, pos);
      }
      if (value === '') s.fail(`parameter "${name}" has "=" but no value`);
    } else {
      pos = afterName;
    }
    s.pos = pos;
    // The first occurrence wins: a second `tag` must not silently replace the dialog's tag.
    if (!(name in params)) params[name] = value;
  }
}

export function formatParams(params: SipParams): string {
  let out = '';
  for (const [name, value] of Object.entries(params)) {
    out += value === null ? `;${name}` : `;${name}=${needsQuotes(value) ? quote(value) : value}`;
  }
  return out;
}

function needsQuotes(value: string): boolean {
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) return false;
  return !isToken(value) && !/^[A-Za-z0-9\-.!%*_+`'~:[\]/]+$/.test(value);
}

/** A quoted-string for `value`, escaping `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
