// `${{ }}` templates inside action params. A param whose whole value is one `${{ }}` keeps the
// expression's type; inside a longer string each value is stringified (SPEC §1.4). Templates are
// parsed once, when the scenario is loaded, and rendered on every step.

import { cloneJson } from '../clone-json.ts';
import { RingflowError, type SourcePosition } from '../errors.ts';

export interface ExprRef {
  readonly source: string;
  readonly position: SourcePosition | undefined;
}

export type Template =
  | { readonly kind: 'const'; readonly value: unknown }
  | { readonly kind: 'expr'; readonly expr: ExprRef }
  | { readonly kind: 'concat'; readonly parts: readonly (string | ExprRef)[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, Template])[] }
  | { readonly kind: 'array'; readonly items: readonly Template[] };

const OPEN = '${{';

/**
 * Splits a string into literal text and expressions. The closing `}}` is the first one outside
 * the expression's own braces and string literals, so `${{ {a: {b: 1}} }}` works.
 * `positionAt(offset)` maps an offset in `text` to its place in the file, when known.
 */
export function parseTemplateString(
  text: string,
  positionAt: (offset: number) => SourcePosition | undefined = () => undefined,
): Template {
  if (!text.includes(OPEN)) return { kind: 'const', value: text };
  const parts: (string | ExprRef)[] = [];
  let cursor = 0;
  for (;;) {
    const start = text.indexOf(OPEN, cursor);
    if (start < 0) break;
    if (start > cursor) parts.push(text.slice(cursor, start));
    const bodyStart = start + OPEN.length;
    const end = findClose(text, bodyStart);
    if (end < 0) {
      throw new RingflowError('RF_EXPR_SYNTAX', { detail: 'this ${{ has no closing }}' }, positionAt(start));
    }
    const source = text.slice(bodyStart, end).trim();
    if (source === '') {
      throw new RingflowError('RF_EXPR_SYNTAX', { detail: 'empty ${{ }}' }, positionAt(start));
    }
    parts.push({ source, position: positionAt(start) });
    cursor = end + 2;
  }
  if (cursor < text.length) parts.push(text.slice(cursor));
  if (parts.length === 1 && typeof parts[0] !== 'string') return { kind: 'expr', expr: parts[0]! };
  return { kind: 'concat', parts };
}

function findClose(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/** An object or array whose children are all constant becomes one constant. */
export function collapse(t: Template): Template {
  if (t.kind === 'array' && t.items.every((i) => i.kind === 'const')) {
    return { kind: 'const', value: t.items.map((i) => (i as { value: unknown }).value) };
  }
  if (t.kind === 'object' && t.entries.every(([, v]) => v.kind === 'const')) {
    return { kind: 'const', value: Object.fromEntries(t.entries.map(([k, v]) => [k, (v as { value: unknown }).value])) };
  }
  return t;
}

/** Renders a template, evaluating each expression with `evaluate`. Constants are copied, never shared. */
export function renderTemplate(t: Template, evaluate: (expr: ExprRef) => unknown): unknown {
  switch (t.kind) {
    case 'const':
      return copy(t.value);
    case 'expr':
      return evaluate(t.expr);
    case 'concat':
      return t.parts.map((p) => (typeof p === 'string' ? p : stringify(evaluate(p)))).join('');
    case 'array':
      return t.items.map((i) => renderTemplate(i, evaluate));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of t.entries) out[k] = renderTemplate(v, evaluate);
      return out;
    }
  }
}

/** How a value reads inside a longer string: undefined and null are empty, objects are JSON. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Every expression in a template, in document order (for static checks). */
export function expressionsIn(t: Template): ExprRef[] {
  switch (t.kind) {
    case 'const':
      return [];
    case 'expr':
      return [t.expr];
    case 'concat':
      return t.parts.filter((p): p is ExprRef => typeof p !== 'string');
    case 'array':
      return t.items.flatMap(expressionsIn);
    case 'object':
      return t.entries.flatMap(([, v]) => expressionsIn(v));
  }
}

function copy(value: unknown): unknown {
  return cloneJson(value);
}
