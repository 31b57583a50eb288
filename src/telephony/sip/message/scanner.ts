// A cursor over one header value, for the structured parsers (name-addr, Via, CSeq, params, Digest).
// It knows the RFC 3261 §25.1 basics: LWS, token, quoted-string; everything else is the caller's.

import { SipParseError, type SipParseErrorCode } from './errors.ts';

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]$/;

/** RFC 3261 token character: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
export function isTokenChar(c: string): boolean {
  return TOKEN.test(c);
}

export function isToken(text: string): boolean {
  return /^[A-Za-z0-9\-.!%*_+`'~]+$/.test(text);
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
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos])) this.pos++;
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
    while (this.pos < this.text.length && isTokenChar(this.text[this.pos])) this.pos++;
    if (this.pos === start) this.fail(`expected ${what} ${this.#where()}`);
    return this.text.slice(start, this.pos);
  }

  /** Characters while `accept` says yes (possibly none). */
  takeWhile(accept: (c: string) => boolean): string {
    const start = this.pos;
    while (this.pos < this.text.length && accept(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /**
   * A quoted-string starting at the cursor. Returns the content with quoted-pairs resolved
   * (`\"` → `"`), or with `raw` the text as written, quotes included.
   */
  quoted(raw = false): string {
    const start = this.pos;
    this.expect('"');
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail(`unterminated quoted string ${this.#where(start)}`);
      const c = this.text[this.pos++];
      if (c === '"') break;
      if (c === '\\') {
        if (this.pos >= this.text.length) this.fail(`unterminated quoted string ${this.#where(start)}`);
        const next = this.text[this.pos++];
        // quoted-pair excludes CR and LF (§25.1).
        if (next === '\r' || next === '\n') this.fail(`bad escape in quoted string ${this.#where(start)}`);
        out += next;
        continue;
      }
      out += c;
    }
    return raw ? this.text.slice(start, this.pos) : out;
  }

  fail(detail: string): never {
    throw new SipParseError(this.#code, `${this.#what} "${clip(this.text)}": ${detail}`);
  }

  #where(at = this.pos): string {
    return at >= this.text.length ? 'at the end' : `at position ${at + 1}`;
  }
}

/** Keeps error messages readable when a value is huge (RFC 4475 longreq has 200-character names). */
export function clip(text: string, max = 80): string {
  const printable = text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return printable.length <= max ? printable : `${printable.slice(0, max)}…`;
}
