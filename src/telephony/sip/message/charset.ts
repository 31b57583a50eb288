// Character classes of the SIP grammar as lookup tables on UTF-16 code units, so the parsers test a
// character with one array read instead of a regex per character. Every class is ASCII only: a code
// unit at or above 128 is in none of them, exactly as with the regexes they are built from.

/** A table of 128 flags; read it with `inSet`, never write to it. */
export type CharSet = Uint8Array;

/** The ASCII characters that `pattern` (a one-character regex) accepts. */
export function charSet(pattern: RegExp): CharSet {
  const set = new Uint8Array(128);
  for (let c = 0; c < 128; c++) set[c] = pattern.test(String.fromCharCode(c)) ? 1 : 0;
  return set;
}

export function inSet(set: CharSet, code: number): boolean {
  return code < 128 && set[code] === 1;
}

/** Whether every code unit of `text` from `from` to `to` (possibly none) is in `set`. */
export function allInSet(set: CharSet, text: string, from = 0, to = text.length): boolean {
  for (let i = from; i < to; i++) if (!inSet(set, text.charCodeAt(i))) return false;
  return true;
}

/** RFC 3261 token character: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
export const TOKEN_CHARS = charSet(/^[A-Za-z0-9\-.!%*_+`'~]$/);
export const DIGITS = charSet(/^[0-9]$/);
/** A host name or IPv4 address as the Via and URI parsers read it. */
export const HOST_CHARS = charSet(/^[A-Za-z0-9._-]$/);
