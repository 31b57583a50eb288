// Params of action steps: validated against the action's schema when the scenario loads (values that
// are expressions are checked later) and again after rendering, just before the action runs.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { cloneJson } from '../clone-json.ts';
import { RingflowError, type ErrorCode } from '../errors.ts';
import { actionId, type ActionDefinition } from '../actions/action.ts';
import { hint } from './suggest.ts';

export interface ParamIssue {
  readonly code: ErrorCode;
  readonly params: Record<string, unknown>;
  /** Path to the offending value inside params (keys and indexes). */
  readonly path: readonly (string | number)[];
}

export interface ParamsValidator {
  /** Problems in params as written; values holding `${{ }}` are not judged yet. */
  check(action: ActionDefinition, params: unknown): ParamIssue[];
  /**
   * Validates rendered params, filling defaults and coercing scalars ("30" → 30) in place.
   * Throws RF_PARAMS_INVALID naming each problem.
   */
  prepare(action: ActionDefinition, params: unknown): Record<string, unknown>;
}

export function createParamsValidator(): ParamsValidator {
  // verbose: errors carry their schema, so an unknown param can be matched against the known ones.
  const loose = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
  const coercing = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false });
  const cache = new WeakMap<ActionDefinition, { check: ValidateFunction; prepare: ValidateFunction }>();
  const compiled = (action: ActionDefinition) => {
    let entry = cache.get(action);
    if (!entry) {
      entry = { check: loose.compile(action.params), prepare: coercing.compile(action.params) };
      cache.set(action, entry);
    }
    return entry;
  };

  return {
    check(action, params) {
      const value = cloneJson(params ?? {});
      const validate = compiled(action).check;
      if (validate(value)) return [];
      return (validate.errors ?? [])
        .filter((e) => !underExpression(value, pathOf(e)))
        .map((e) => toIssue(action, e))
        .filter(uniqueIssues());
    },
    prepare(action, params) {
      const value = params ?? {};
      const validate = compiled(action).prepare;
      if (!validate(value)) {
        const detail = (validate.errors ?? []).map((e) => describeRuntime(e)).join('; ');
        throw new RingflowError('RF_PARAMS_INVALID', { action: actionId(action), detail });
      }
      return value as Record<string, unknown>;
    },
  };
}

function pathOf(e: ErrorObject): (string | number)[] {
  if (e.instancePath === '') return [];
  return e.instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** True when the value at `path`, or one holding it, is a string with an expression. */
function underExpression(root: unknown, path: readonly (string | number)[]): boolean {
  let node = root;
  for (let i = 0; ; i++) {
    if (typeof node === 'string' && node.includes('${{')) return true;
    if (i === path.length || node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[path[i]!];
  }
}

export function displayPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function toIssue(action: ActionDefinition, e: ErrorObject): ParamIssue {
  const path = pathOf(e);
  const id = actionId(action);
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { code: 'RF_SCENARIO_UNKNOWN_PARAM', params: { param: displayPath([...path, extra]), action: id, hint: hint(extra, known) }, path: [...path, extra] };
    }
    case 'required': {
      const missing = String(e.params.missingProperty);
      return { code: 'RF_SCENARIO_MISSING_PARAM', params: { param: displayPath([...path, missing]), action: id }, path };
    }
    default:
      return { code: 'RF_SCENARIO_PARAM_TYPE', params: { param: displayPath(path) || '(params)', action: id, detail: describe(e) }, path };
  }
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'type':
      return `must be ${article(String(e.params.type))}, not ${kindOf(e.data)}`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(e.data)}`;
    default:
      return e.message ?? e.keyword;
  }
}

function describeRuntime(e: ErrorObject): string {
  const path = displayPath(pathOf(e));
  if (e.keyword === 'additionalProperties') return `unknown param "${displayPath([...pathOf(e), String(e.params.additionalProperty)])}"`;
  if (e.keyword === 'required') return `missing "${displayPath([...pathOf(e), String(e.params.missingProperty)])}"`;
  const detail = e.keyword === 'type' ? `must be ${article(String(e.params.type))}, got ${kindOf(e.data)}` : e.keyword === 'enum' ? `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : e.message;
  return `${path || 'params'} ${detail}`;
}

function article(type: string): string {
  return type
    .split(',')
    .map((t) => (t === 'integer' ? 'an integer' : t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`))
    .join(' or ');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function uniqueIssues(): (i: ParamIssue) => boolean {
  const seen = new Set<string>();
  return (i) => {
    const key = `${i.code}:${JSON.stringify(i.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}
