// Positions of syntax errors inside the user's source. quickjs-ng reports the line of a syntax
// error reliably but not its column, and the line is that of the wrapper the source was put in.

import { lineStartOffset, SOURCE_FIRST_LINE, sourcePosition } from './sandbox-source.ts';

export interface CompileError {
  readonly message: string;
  /** 1-based line in the wrapper text. */
  readonly line: number | undefined;
}

export interface Located {
  readonly message: string;
  readonly line: number;
  readonly col: number;
}

// Messages that name a token of the wrapper when the source simply ended too early.
const WRAPPER_TOKEN = /^(unexpected token in expression: '.*'|Unexpected token '.*'|expecting '.*')$/;

/**
 * The column is found as the shortest prefix of the error's line that, compiled in the same
 * wrapper, fails with the same message on the same line: the prefix then ends inside the token
 * QuickJS stopped at. `compilePrefix` compiles `source.slice(0, end)` in that wrapper.
 */
export function locateSyntaxError(source: string, error: CompileError, compilePrefix: (prefix: string) => CompileError | undefined): Located {
  const { message } = error;
  const line = (error.line ?? SOURCE_FIRST_LINE) - SOURCE_FIRST_LINE + 1;
  const start = line < 1 ? 0 : lineStartOffset(source, line);
  if (start === undefined) {
    // Past the end: QuickJS tripped over the wrapper's closing tokens, which the user never wrote.
    return { message: WRAPPER_TOKEN.test(message) ? 'unexpected end of input' : message, ...sourcePosition(source, source.length) };
  }
  const lineEnd = source.indexOf('\n', start) === -1 ? source.length : source.indexOf('\n', start);
  const same = (end: number): boolean => {
    const e = compilePrefix(source.slice(0, end));
    return e !== undefined && e.message === message && e.line === error.line;
  };
  if (line < 1 || !same(lineEnd)) {
    const indent = /^[ \t]*/.exec(source.slice(start, lineEnd))?.[0].length ?? 0;
    return { message, line: Math.max(line, 1), col: indent + 1 };
  }
  let lo = start + 1;
  let hi = lineEnd;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (same(mid)) hi = mid;
    else lo = mid + 1;
  }
  // A message that quotes the token it met ("Unexpected identifier '$b'") only matches once the
  // whole token is in the prefix: step back to the token's first character.
  // Likewise a word (a keyword, a number) fails only once it is complete.
  const quoted = /'([^']+)'$/.exec(message)?.[1];
  let tokenStart = quoted && !message.startsWith('expecting') && source.slice(lo - quoted.length, lo) === quoted ? lo - quoted.length : lo - 1;
  if (isWordChar(source[tokenStart])) while (tokenStart > start && isWordChar(source[tokenStart - 1])) tokenStart--;
  return { message, line, col: tokenStart - start + 1 };
}

/**
 * The first `)`, `]` or `}` with no opening bracket before it, skipping strings and comments (a
 * regex literal holding a bracket can mislead it: the result only places an error message).
 */
export function firstUnmatchedCloser(source: string): { line: number; col: number } | undefined {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 1;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return sourcePosition(source, i);
      depth--;
    }
  }
  return undefined;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\w$]/.test(c);
}
