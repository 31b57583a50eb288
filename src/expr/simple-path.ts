// Most `${{ }}` in real scenarios only read a value: `$target`, `$dial.status`, `call.fromNumber`,
// `$api?.json?.results`. Those are resolved here, in the host, without entering the sandbox — but
// only when every step is an own property of plain JSON data, where JavaScript could not behave
// differently. Anything else (a missing property, which might be inherited; a property of
// undefined, which throws; a prototype member) goes to the sandbox, which gives the exact answer.

import type { EvalScope, ScopeGlobal } from './scope.ts';
import { SCOPE_GLOBALS } from './scope.ts';

const PATH = /^(\$[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)((?:\??\.[A-Za-z_$][A-Za-z0-9_$]*|\[\d+\])*)$/;
const SEGMENT = /\??\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]/g;
const GLOBALS: ReadonlySet<string> = new Set<string>(SCOPE_GLOBALS.filter((g) => g !== 'now'));

export interface SimplePath {
  readonly root: string;
  readonly keys: readonly (string | number)[];
}

/** The path an expression reads, or undefined when it is anything more than a path. */
export function parseSimplePath(source: string): SimplePath | undefined {
  const match = PATH.exec(source.trim());
  if (!match) return undefined;
  const root = match[1]!;
  if (!root.startsWith('$') && !GLOBALS.has(root)) return undefined;
  const keys: (string | number)[] = [];
  for (const m of match[2]!.matchAll(SEGMENT)) keys.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return { root, keys };
}

/** `{ value }` when the path resolves through own data properties only; otherwise undefined. */
export function resolveSimplePath(path: SimplePath, scope: EvalScope): { value: unknown } | undefined {
  let value = path.root.startsWith('$') ? scope.getVar(path.root) : scope.getGlobal(path.root as ScopeGlobal);
  for (const key of path.keys) {
    if (typeof value === 'string') {
      if (key !== 'length') return undefined;
      value = value.length;
      continue;
    }
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      if (key === 'length') value = value.length;
      else if (typeof key === 'number' && key < value.length) value = value[key];
      else return undefined;
      continue;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype || !Object.hasOwn(value, key)) return undefined;
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if (!('value' in descriptor)) return undefined;
    value = descriptor.value;
  }
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean') return { value };
  if (typeof value === 'number') return Number.isFinite(value) ? { value } : undefined;
  // A copy, as the sandbox would give: params are filled in place and must not touch variables.
  if (typeof value === 'object') return { value: structuredClone(value) };
  return undefined;
}
