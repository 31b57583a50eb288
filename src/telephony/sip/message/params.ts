// Header parameters (`;tag=abc`, `;branch=z9…`, `;received=…`): `*( SEMI generic-param )` of
// RFC 3261 §25.1, LWS allowed around ";" and "=". A quoted value keeps its quotes, so what we relay
// is what we received (`+sip.instance="<urn:uuid:…>"`).

import type { Scanner } from './scanner.ts';
import { isToken } from './scanner.ts';
import type { SipParams } from './types.ts';

/** Characters of an unquoted value: token, host (IPv6 too, as in `received=2001:db8::1`). */
function isValueChar(c: string): boolean {
  return /^[A-Za-z0-9\-.!%*_+`'~:[\]/]$/.test(c);
}

/** Reads `;name[=value]` pairs from the cursor until something else; names in lower case. */
export function parseParams(s: Scanner): SipParams {
  const params: SipParams = {};
  for (;;) {
    const save = s.pos;
    s.skipLws();
    if (!s.eat(';')) {
      s.pos = save;
      return params;
    }
    s.skipLws();
    const name = s.token('a parameter name').toLowerCase();
    const beforeEq = s.pos;
    s.skipLws();
    let value: string | null = null;
    if (s.eat('=')) {
      s.skipLws();
      value = s.peek() === '"' ? s.quoted(true) : s.takeWhile(isValueChar);
      if (value === '') s.fail(`parameter "${name}" has "=" but no value`);
    } else {
      s.pos = beforeEq;
    }
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
