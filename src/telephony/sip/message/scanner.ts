// A cursor over one header value, for the structured parsers (name-addr, Via, CSeq, params, Digest).
// It knows the RFC 3261 §25.1 basics: LWS, token, quoted-string; everything else is the caller's.

import { allInSet, inSet, TOKEN_CHARS, type CharSet } from './charset.ts';
import { SipParseError, type SipParseErrorCode } from './errors.ts';

/** RFC 3261 token character: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
export function isTokenChar(c: string): boolean {
  return c.length === 1 && inSet(TOKEN_CHARS, c.charCodeAt(0));
}

export function isToken(text: string): boolean {
  return text.length > 0 && allInSet(TOKEN_CHARS, text);
}

export class Scanner {
  readonly text: string;
  readonly #code: SipParseErrorCode;
  readonly #what: string;
  pos = 0;

  /** `what` names the thing being parsed in error messages ("Via", "From header"…). */
  constructor(text: string, code: SipParseErrorCode, what: string) {
    this.text = text;
    this.#code = code;
    this.#what = what;
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipLws(): void {
    this.pos = lwsEnd(this.text, this.pos);
  }

  eat(c: string): boolean {
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  expect(c: string): void {
    if (!this.eat(c)) this.fail(`expected "${c}" ${this.#where()}`);
  }

  /** One or more token characters. */
  token(what = 'a token'): string {
    const start = this.pos;
    const taken = this.takeSet(TOKEN_CHARS);
    if (this.pos === start) this.fail(`expected ${what} ${this.#where()}`);
    return taken;
  }

  /** Characters while `accept` says yes (possibly none). */
  takeWhile(accept: (c: string) => boolean): string {
    const start = this.pos;
    while (this.pos < this.text.length && accept(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Characters of `set` (possibly none). */
  takeSet(set: CharSet): string {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    while (pos < text.length && inSet(set, text.charCodeAt(pos))) pos++;
    this.pos = pos;
    return text.slice(start, pos);
  }

  /** Characters up to the first one in `stops` or the end (possibly none); any other character is taken. */
  takeUntil(stops: CharSet): string {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    while (pos < text.length && !inSet(stops, text.charCodeAt(pos))) pos++;
    this.pos = pos;
    return text.slice(start, pos);
  }

  /**
   * A quoted-string starting at the cursor. Returns the content with quoted-pairs resolved
   * (`\"` → `"`), or with `raw` the text as written, quotes included.
   */
  quoted(raw = false): string {
    const start = this.pos;
    this.expect('"');
    const text = this.text;
    let out = '';
    // Runs without a backslash are copied in one slice.
    let run = this.pos;
    for (;;) {
      if (this.pos >= text.length) this.fail(`unterminated quoted string ${this.#where(start)}`);
      const c = text.charCodeAt(this.pos++);
      if (c === 0x22) break;
      if (c === 0x5c) {
        if (this.pos >= text.length) this.fail(`unterminated quoted string ${this.#where(start)}`);
        const next = text.charCodeAt(this.pos++);
        // quoted-pair excludes CR and LF (§25.1).
        if (next === 0x0d || next === 0x0a) this.fail(`bad escape in quoted string ${this.#where(start)}`);
        out += text.slice(run, this.pos - 2) + text[this.pos - 1];
        run = this.pos;
      }
    }
    if (raw) return text.slice(start, this.pos);
    return out + text.slice(run, this.pos - 1);
  }

  fail(detail: string): never {
    throw new SipParseError(this.#code, `${this.#what} "${clip(this.text)}": ${detail}`);
  }

  #where(at = this.pos): string {
    return at >= this.text.length ? 'at the end' : `at position ${at + 1}`;
  }
}

/** Where the run of LWS (space, tab, CR, LF) starting at `pos` ends. */
export function lwsEnd(text: string, pos: number): number {
  let i = pos;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
  }
  return i;
}

/** Keeps error messages readable when a value is huge (RFC 4475 longreq has 200-character names). */
export function clip(text: string, max = 80): string {
  const printable = text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return printable.length <= max ? printable : `${printable.slice(0, max)}…`;
}
