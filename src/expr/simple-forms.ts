// The commonest expressions and statements of real scenarios, done in the host without entering the
// sandbox: `$tries--`, `$result = 'confirmed'`, `$dtmf?.input == '1'`, `$repeat <= 0`. Each form is
// taken only where JavaScript could not behave differently (a number stays a number, a comparison
// is between values of the same type); anything else goes to the sandbox, which has the last word.

import type { EvalScope } from './scope.ts';
import { parseSimplePath, resolveSimplePath, type SimplePath } from './simple-path.ts';

type Literal = string | number | boolean;
const LITERAL = String.raw`'[^'\\\n]*'|"[^"\\\n]*"|-?(?:0|[1-9]\d*)(?:\.\d+)?|true|false`;
const VARIABLE = String.raw`\$[A-Za-z_][A-Za-z0-9_]*`;
const PATH = String.raw`[$A-Za-z_][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[\d+\])*`;
const COMPARISON = new RegExp(`^\\s*(${PATH})\\s*(===|!==|==|!=|<=|>=|<|>)\\s*(${LITERAL})\\s*$`);
const STEP = new RegExp(`^\\s*(?:(${VARIABLE})\\s*(\\+\\+|--)|(\\+\\+|--)\\s*(${VARIABLE}))\\s*;?\\s*$`);
const ASSIGN = new RegExp(`^\\s*(${VARIABLE})\\s*=\\s*(${LITERAL})\\s*;?\\s*$`);

export type SimpleExpression =
  | { kind: 'path'; path: SimplePath }
  | { kind: 'compare'; path: SimplePath; op: string; literal: Literal };

export type SimpleStatement =
  | { kind: 'step'; name: string; delta: 1 | -1 }
  | { kind: 'assign'; name: string; literal: Literal };

export function parseSimpleExpression(source: string): SimpleExpression | undefined {
  const path = parseSimplePath(source);
  if (path) return { kind: 'path', path };
  const m = COMPARISON.exec(source);
  if (!m) return undefined;
  const left = parseSimplePath(m[1]!);
  return left ? { kind: 'compare', path: left, op: m[2]!, literal: literalOf(m[3]!) } : undefined;
}

export function parseSimpleStatement(source: string): SimpleStatement | undefined {
  const step = STEP.exec(source);
  if (step) return { kind: 'step', name: (step[1] ?? step[4])!, delta: (step[2] ?? step[3]) === '++' ? 1 : -1 };
  const assign = ASSIGN.exec(source);
  return assign ? { kind: 'assign', name: assign[1]!, literal: literalOf(assign[2]!) } : undefined;
}

/** `{ value }` when the host can answer exactly; undefined sends the source to the sandbox. */
export function evaluateSimple(form: SimpleExpression, scope: EvalScope): { value: unknown } | undefined {
  const resolved = resolveSimplePath(form.path, scope);
  if (!resolved || form.kind === 'path') return resolved;
  const value = resolved.value;
  const { op, literal } = form;
  if (typeof value !== typeof literal) return undefined; // JavaScript would convert: the sandbox decides
  switch (op) {
    case '==': case '===': return { value: value === literal };
    case '!=': case '!==': return { value: value !== literal };
    default:
      if (typeof value !== 'number') return undefined;
      return { value: op === '<' ? value < (literal as number) : op === '<=' ? value <= (literal as number) : op === '>' ? value > (literal as number) : value >= (literal as number) };
  }
}

/** true when the host ran the statement; false sends it to the sandbox. Its result is undefined. */
export function executeSimple(form: SimpleStatement, scope: EvalScope): boolean {
  if (form.kind === 'assign') {
    scope.setVar(form.name, form.literal);
    return true;
  }
  const value = scope.getVar(form.name);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  scope.setVar(form.name, value + form.delta);
  return true;
}

function literalOf(text: string): Literal {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text.startsWith("'") || text.startsWith('"')) return text.slice(1, -1);
  return Number(text);
}
