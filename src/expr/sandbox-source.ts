// Turns a scenario expression or javascript@v1 snippet into the text of a wrapper function that
// QuickJS compiles once: the names the source mentions become locals initialised from the host,
// and the result (plus, for statements, the variables' new values) comes back as one string.

import { SCOPE_GLOBALS, type ScopeGlobal } from './scope.ts';

export type SourceKind = 'expression' | 'statements';

/** What a wrapper needs from the scope, in the order of its parameters. */
export interface WrapperPlan {
  readonly kind: SourceKind;
  /** `$variables` first, then globals; `names[i]` arrives in parameter `__rf_h{i}` or slot i of the JSON array. */
  readonly names: readonly string[];
  /** Index in `names` of the first global. */
  readonly firstGlobal: number;
  /** Statements that mention `call` also hand back `call.attachedData`. */
  readonly returnsAttachedData: boolean;
}

/** The user's source starts on this line of the wrapper text, at column 1. */
export const SOURCE_FIRST_LINE = 2;

const GLOBAL_NAMES: ReadonlySet<string> = new Set(SCOPE_GLOBALS);

/**
 * Names the source may refer to. A superset is fine (a `$name` inside a string literal only costs
 * marshalling it), but a name read as a property (`$gather.input`) is not a reference to the
 * global `input`, so it is left out.
 */
export function planFor(kind: SourceKind, source: string): WrapperPlan {
  const vars = new Set<string>();
  const globals = new Set<ScopeGlobal>();
  for (const m of source.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const word = m[0];
    if (word.charCodeAt(0) === 36 /* $ */) {
      if (word.length > 1) vars.add(word);
    } else if (GLOBAL_NAMES.has(word) && !isPropertyName(source, m.index)) {
      globals.add(word as ScopeGlobal);
    }
  }
  const names = [...[...vars].sort(), ...SCOPE_GLOBALS.filter((g) => globals.has(g))];
  return { kind, names, firstGlobal: vars.size, returnsAttachedData: kind === 'statements' && globals.has('call') };
}

function isPropertyName(source: string, index: number): boolean {
  let i = index - 1;
  while (i >= 0 && (source[i] === ' ' || source[i] === '\t' || source[i] === '\n' || source[i] === '\r')) i--;
  if (source[i] !== '.') return false;
  return !(source[i - 1] === '.' && source[i - 2] === '.'); // `...input` spreads the global
}

/**
 * The wrapper's text. `open`/`close` are the brackets around the factory: `(`/`)` for real use;
 * `[`/`]` lets the engine prove that the source cannot close the outer bracket (see problemOf in
 * sandbox-engine.ts).
 *
 * Each name arrives either in its handle parameter (a cached frozen value, or `__rf.absent` for
 * undefined) or, when that parameter is undefined, in the JSON array `__rf_s`.
 */
export function wrapperText(plan: WrapperPlan, source: string, open = '(', close = ')'): string {
  const { names } = plan;
  const params = ['__rf_s', ...names.map((_, i) => `__rf_h${i}`)].join(',');
  let locals = '';
  names.forEach((name, i) => {
    const inline = `__rf_a[${i}]`;
    const value = `__rf_h${i}===undefined?${inline}:__rf_h${i}===__rf.absent?undefined:__rf_h${i}`;
    locals += name === 'now' ? `let now=new Date(${inline});` : `let ${name}=${value};`;
  });
  const head =
    `${open}function(__rf){"use strict";return __rf.seal(function(${params}){` +
    `const __rf_a=__rf_s===undefined?__rf.none:JSON.parse(__rf_s);${locals}`;
  if (plan.kind === 'expression') {
    return `${head}return __rf.out((\n${source}\n));})}${close}`;
  }
  const slots = ['__rf_r', ...names.slice(0, plan.firstGlobal)].join(',');
  const call = plan.returnsAttachedData ? ',true,call' : '';
  return `${head}const __rf_r=(function(){\n${source}\n})();return __rf.outs([${slots}]${call});})}${close}`;
}

/** The factory's own source text, as Function.prototype.toString reports it. */
export function factoryText(wrapper: string): string {
  return wrapper.slice(1, -1);
}

/** A 1-based line and column inside `source`, clamped to it. */
export function sourcePosition(source: string, offset: number): { line: number; col: number } {
  const clamped = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < clamped; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: clamped - lineStart + 1 };
}

/** Offset in `source` where 1-based `line` starts, or undefined past the end. */
export function lineStartOffset(source: string, line: number): number | undefined {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = source.indexOf('\n', offset);
    if (nl === -1) return undefined;
    offset = nl + 1;
  }
  return offset;
}
