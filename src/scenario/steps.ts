// Reads a branch's list of steps: action steps, if/then/else blocks and gotos, with positions.

import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { RingflowError, type SourcePosition } from '../errors.ts';
import { actionId, type ActionDefinition } from '../actions/action.ts';
import { collapse, expressionsIn, parseTemplateString, type ExprRef, type Template } from '../expr/template.ts';
import type { ActionStep, Step } from './model.ts';
import type { Language } from './language.ts';
import type { ScenarioSource } from './source.ts';
import { hint } from './suggest.ts';
import { VARIABLE_NAME } from './names.ts';

const STEP_KEYS = ['action', 'params', 'result', 'if', 'label', 'id', 'events', 'then', 'else', 'goto'];

/**
 * Where steps are read: the branch they belong to, and the namespace of their labels — the branch's,
 * or a separate one for an action's `events:` steps (they run apart, after the call).
 */
export interface Scope {
  readonly branch: string;
  readonly labels: string;
}

/** Cross-references collected while reading, checked once every branch is known. */
export interface References {
  /** Labels per label namespace (see Scope), with where each was defined. */
  readonly labels: Map<string, Map<string, SourcePosition>>;
  readonly gotoLabels: { branch: string; label: string; position: SourcePosition }[];
  readonly branchTargets: { from: string; target: string; position: SourcePosition; kind: 'goto' | 'answerOnBranch' }[];
}

export function readSteps(src: ScenarioSource, lang: Language, node: unknown, scope: Scope, refs: References): Step[] {
  const list = src.resolve(node);
  if (!isSeq(list)) {
    src.error('RF_SCENARIO_INVALID_VALUE', { what: `in branch "${scope.branch}", then/else/events`, detail: 'must be a list of steps' }, list);
    return [];
  }
  const steps: Step[] = [];
  for (const item of list.items) {
    const step = readStep(src, lang, src.resolve(item), scope, refs);
    if (step) steps.push(step);
  }
  return steps;
}

function readStep(src: ScenarioSource, lang: Language, node: Node | undefined, scope: Scope, refs: References): Step | undefined {
  if (!isMap(node)) {
    src.error('RF_SCENARIO_STEP_INVALID', { detail: 'a step must be a map such as "- action: say@v2"' }, node);
    return undefined;
  }
  const reported = src.problems.length;
  const fields = fieldsOf(src, node);
  for (const [key, pair] of fields) {
    if (!STEP_KEYS.includes(key)) src.error('RF_SCENARIO_UNKNOWN_KEY', { key, where: 'a step', hint: hint(key, STEP_KEYS) }, pair.key);
  }
  const position = src.pos(node);
  const label = readLabel(src, fields.get('label'), scope, refs);
  const condition = fields.has('if') ? readCondition(src, lang, fields.get('if')!.value) : undefined;
  const has = (k: string) => fields.has(k);

  if (has('action')) {
    for (const k of ['then', 'else', 'goto']) {
      if (has(k)) src.error('RF_SCENARIO_STEP_INVALID', { detail: `a step with "action" cannot also have "${k}"; put it in a step of its own` }, fields.get(k)!.key);
    }
    return readActionStep(src, lang, fields, position, label, condition, scope, refs);
  }
  for (const k of ['params', 'result', 'id', 'events']) {
    if (has(k)) src.error('RF_SCENARIO_STEP_INVALID', { detail: `"${k}" belongs to an action step, and this step has no "action"` }, fields.get(k)!.key);
  }
  if (has('then')) {
    if (has('goto')) src.error('RF_SCENARIO_STEP_INVALID', { detail: 'a step cannot have both "then" and "goto"; put the goto inside then' }, fields.get('goto')!.key);
    if (!condition) {
      src.error('RF_SCENARIO_STEP_INVALID', { detail: '"then" needs an "if" condition' }, fields.get('then')!.key);
      return undefined;
    }
    const then = readSteps(src, lang, fields.get('then')!.value, scope, refs);
    const otherwise = has('else') ? readSteps(src, lang, fields.get('else')!.value, scope, refs) : [];
    return { kind: 'if', position, label, condition, then, else: otherwise };
  }
  if (has('else')) {
    src.error('RF_SCENARIO_STEP_INVALID', { detail: '"else" needs "if" and "then"' }, fields.get('else')!.key);
    return undefined;
  }
  if (has('goto')) {
    const target = readGoto(src, fields.get('goto')!.value, scope, refs);
    return target ? { kind: 'goto', position, label, condition, target } : undefined;
  }
  if (label !== undefined && !condition) return { kind: 'if', position, label, condition: { source: 'true', position }, then: [], else: [] };
  // One clear message per step: the specific ones above already said what is wrong.
  if (src.problems.length > reported) return undefined;
  src.error('RF_SCENARIO_STEP_INVALID', { detail: 'a step needs "action", "if" with "then", or "goto"' }, node);
  return undefined;
}

function readActionStep(
  src: ScenarioSource, lang: Language, fields: Map<string, Pair>, position: SourcePosition,
  label: string | undefined, condition: ExprRef | undefined, scope: Scope, refs: References,
): ActionStep | undefined {
  const actionNode = fields.get('action')!.value;
  const action = lookupAction(src, lang, actionNode);
  const paramsNode = src.resolve(fields.get('params')?.value);
  if (paramsNode !== undefined && !isMap(paramsNode) && !(isScalar(paramsNode) && paramsNode.value === null)) {
    src.error('RF_SCENARIO_NOT_A_MAP', { what: 'params' }, paramsNode);
  }
  const params = isMap(paramsNode) ? templateFromNode(src, paramsNode) : { kind: 'const' as const, value: {} };
  const result = readResult(src, fields.get('result')?.value);
  const idNode = src.resolve(fields.get('id')?.value);
  const id = isScalar(idNode) && idNode.value !== null ? String(idNode.value) : undefined;
  const events = new Map<string, Step[]>();
  const eventsNode = src.resolve(fields.get('events')?.value);
  if (eventsNode !== undefined) {
    if (!isMap(eventsNode)) src.error('RF_SCENARIO_NOT_A_MAP', { what: 'events' }, eventsNode);
    else {
      for (const [name, pair] of fieldsOf(src, eventsNode)) {
        if (action && !(action.events ?? []).includes(name)) {
          src.error('RF_SCENARIO_UNKNOWN_EVENT', { action: actionId(action), event: name, known: (action.events ?? []).join(', ') || 'no events' }, pair.key);
        }
        const eventScope = { branch: scope.branch, labels: `${scope.branch}, events.${name} at line ${src.pos(pair.key).line}` };
        events.set(name, readSteps(src, lang, pair.value, eventScope, refs));
      }
    }
  }
  if (!action) return undefined;
  checkParams(src, lang, action, paramsNode, params, fields.get('action')!.key);
  for (const name of action.branchParams ?? []) {
    const t = params.kind === 'object' ? params.entries.find(([k]) => k === name)?.[1] : undefined;
    const value = params.kind === 'const' ? (params.value as Record<string, unknown>)[name] : t?.kind === 'const' ? t.value : undefined;
    const position = src.pos(paramNode(src, paramsNode, [name]) ?? paramsNode);
    if (typeof value === 'string') refs.branchTargets.push({ from: scope.branch, target: value, position, kind: 'answerOnBranch' });
    // An expression may name any branch: every branch counts as reachable from here.
    else if (t !== undefined || (params.kind === 'object' && params.entries.some(([k]) => k === name))) refs.branchTargets.push({ from: scope.branch, target: '*', position, kind: 'answerOnBranch' });
  }
  const codeNode = action.codeParam ? paramNode(src, paramsNode, [action.codeParam]) : undefined;
  const codePosition = codeNode ? src.positionInString(codeNode, 0) : undefined;
  return { kind: 'action', position, label, condition, action, params, result, id, events, codePosition };
}

function lookupAction(src: ScenarioSource, lang: Language, node: unknown): ActionDefinition | undefined {
  const n = src.resolve(node);
  if (!isScalar(n) || typeof n.value !== 'string') {
    src.error('RF_SCENARIO_STEP_INVALID', { detail: 'action must be text such as "say@v2"' }, n);
    return undefined;
  }
  const id = n.value.trim();
  const found = lang.registry.get(id);
  if (found) return found;
  const match = /^([A-Za-z][\w-]*)(?:@v(\d+))?$/.exec(id);
  const name = match?.[1] ?? id;
  const versions = lang.registry.versionsOf(name);
  if (lang.registry.isUnsupported(name) && (versions.length === 0 || match?.[2] !== undefined)) {
    src.error('RF_SCENARIO_UNSUPPORTED_ACTION', { action: id }, n);
  } else if (versions.length === 0) {
    const ids = lang.registry.names().map((a) => `${a}@v${lang.registry.versionsOf(a).at(-1) ?? 1}`);
    const suggestion = hint(id.includes('@') ? id : `${id}@v1`, ids) || hint(name, lang.registry.names());
    src.error('RF_SCENARIO_UNKNOWN_ACTION', { action: id, hint: suggestion }, n);
  } else if (match?.[2] === undefined) {
    src.error('RF_SCENARIO_MISSING_VERSION', { action: name, latest: versions[versions.length - 1] }, n);
  } else {
    src.error('RF_SCENARIO_UNKNOWN_VERSION', { name, version: `v${match[2]}`, known: versions.map((v) => `${name}@v${v}`).join(', ') }, n);
  }
  return undefined;
}

function checkParams(src: ScenarioSource, lang: Language, action: ActionDefinition, paramsNode: Node | undefined, params: Template, actionKey: unknown): void {
  const plain = isMap(paramsNode) ? src.toJS(paramsNode) : {};
  for (const issue of lang.params.check(action, plain)) {
    const at = paramNode(src, paramsNode, issue.path) ?? paramsNode ?? actionKey;
    const pairKey = issue.code === 'RF_SCENARIO_UNKNOWN_PARAM' ? keyNode(src, paramsNode, issue.path) : undefined;
    src.error(issue.code, issue.params, pairKey ?? at);
  }
  if (lang.checkSyntax) {
    for (const expr of expressionsIn(params)) checkExpression(src, lang, expr);
    if (action.codeParam && params.kind !== 'expr') {
      const codeNode = paramNode(src, paramsNode, [action.codeParam]);
      const code = isScalar(codeNode) ? codeNode.value : undefined;
      if (typeof code === 'string' && !code.includes('${{')) {
        const problem = lang.checkSyntax(code, 'statements');
        if (problem) src.error('RF_EXPR_SYNTAX', { detail: problem.message }, codeNode, src.positionInString(codeNode, offsetOf(code, problem)));
      }
    }
  }
}

function checkExpression(src: ScenarioSource, lang: Language, expr: ExprRef): void {
  const problem = lang.checkSyntax?.(expr.source, 'expression');
  if (problem) src.error('RF_EXPR_SYNTAX', { detail: `${problem.message} in "${expr.source}"` }, undefined, expr.position);
}

/** Turns a YAML node into a template, keeping the position of every expression. */
export function templateFromNode(src: ScenarioSource, node: unknown): Template {
  const n = src.resolve(node);
  if (isMap(n)) {
    const entries: (readonly [string, Template])[] = [];
    for (const [key, pair] of fieldsOf(src, n)) {
      if (key.includes('${{')) src.error('RF_SCENARIO_INVALID_VALUE', { what: `the key "${key}"`, detail: 'expressions are evaluated in values, not in keys' }, pair.key);
      entries.push([key, templateFromNode(src, pair.value)]);
    }
    return collapse({ kind: 'object', entries });
  }
  if (isSeq(n)) return collapse({ kind: 'array', items: n.items.map((i) => templateFromNode(src, i)) });
  if (isScalar(n) && typeof n.value === 'string') {
    try {
      return parseTemplateString(n.value, (offset) => src.positionInString(n, offset));
    } catch (e) {
      if (e instanceof RingflowError) src.error(e.code, e.params, n, e.position);
      else throw e;
      return { kind: 'const', value: n.value };
    }
  }
  return { kind: 'const', value: isScalar(n) ? n.value : src.toJS(n) };
}

function readCondition(src: ScenarioSource, lang: Language, node: unknown): ExprRef | undefined {
  const n = src.resolve(node);
  if (!isScalar(n) || n.value === null || typeof n.value === 'object') {
    src.error('RF_SCENARIO_INVALID_VALUE', { what: 'if', detail: 'must be a JavaScript expression such as "$dtmf?.input == \'1\'"' }, n);
    return undefined;
  }
  let source = String(n.value).trim();
  let offset = String(n.value).indexOf(source);
  // Tolerate `if: ${{ expr }}`: the expression is the same either way.
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(source);
  if (wrapped) {
    offset += 3 + (wrapped[1]!.length - wrapped[1]!.trimStart().length);
    source = wrapped[1]!.trim();
  }
  const ref: ExprRef = { source, position: src.positionInString(n, offset) };
  const problem = lang.checkSyntax?.(source, 'expression');
  if (problem) src.error('RF_EXPR_SYNTAX', { detail: problem.message }, n, src.positionInString(n, offset + offsetOf(source, problem)));
  return ref;
}

function readLabel(src: ScenarioSource, pair: Pair | undefined, scope: Scope, refs: References): string | undefined {
  if (!pair) return undefined;
  const n = src.resolve(pair.value);
  const label = nameOf(n);
  if (label === undefined || label.trim() === '') {
    src.error('RF_SCENARIO_INVALID_VALUE', { what: 'label', detail: 'must be a name' }, n ?? pair.key);
    return undefined;
  }
  const labels = refs.labels.get(scope.labels) ?? new Map<string, SourcePosition>();
  refs.labels.set(scope.labels, labels);
  const earlier = labels.get(label);
  if (earlier) src.error('RF_SCENARIO_DUPLICATE_LABEL', { label, line: earlier.line, branch: scope.labels }, n);
  else labels.set(label, src.pos(n));
  return label;
}

function readGoto(src: ScenarioSource, node: unknown, scope: Scope, refs: References): { label: string } | { branch: string } | undefined {
  const n = src.resolve(node);
  const shorthand = nameOf(n);
  if (shorthand !== undefined) {
    refs.gotoLabels.push({ branch: scope.labels, label: shorthand, position: src.pos(n) });
    return { label: shorthand };
  }
  if (isMap(n)) {
    const fields = fieldsOf(src, n);
    for (const [key, pair] of fields) {
      if (key !== 'label' && key !== 'branch') src.error('RF_SCENARIO_UNKNOWN_KEY', { key, where: 'goto', hint: hint(key, ['label', 'branch']) }, pair.key);
    }
    if (fields.has('label') && fields.has('branch')) {
      src.error('RF_SCENARIO_INVALID_VALUE', { what: 'goto', detail: 'give either label or branch, not both' }, n);
      return undefined;
    }
    const labelNode = src.resolve(fields.get('label')?.value);
    const branchNode = src.resolve(fields.get('branch')?.value);
    const label = nameOf(labelNode);
    const target = nameOf(branchNode);
    if (label !== undefined) {
      refs.gotoLabels.push({ branch: scope.labels, label, position: src.pos(labelNode) });
      return { label };
    }
    if (target !== undefined) {
      refs.branchTargets.push({ from: scope.branch, target, position: src.pos(branchNode), kind: 'goto' });
      return { branch: target };
    }
  }
  src.error('RF_SCENARIO_INVALID_VALUE', { what: 'goto', detail: 'must be { label: name }, { branch: name }, or a label name' }, n);
  return undefined;
}

/** A label or branch name: text, or a number written without quotes (`label: 10`). */
function nameOf(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return (typeof v === 'string' && v !== '') || typeof v === 'number' ? String(v) : undefined;
}

function readResult(src: ScenarioSource, node: unknown): string | undefined {
  const n = src.resolve(node);
  if (n === undefined) return undefined;
  const value = isScalar(n) ? String(n.value) : '';
  if (!VARIABLE_NAME.test(value)) {
    src.error('RF_SCENARIO_RESULT_NAME', { value: isScalar(n) ? value : '(not text)' }, n);
    return undefined;
  }
  return value;
}

/** The pairs of a map by key text; non-text keys are reported. */
export function fieldsOf(src: ScenarioSource, map: YAMLMap): Map<string, Pair> {
  const out = new Map<string, Pair>();
  for (const pair of map.items as Pair[]) {
    const key = src.resolve(pair.key);
    if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
      src.error('RF_SCENARIO_INVALID_VALUE', { what: 'a key', detail: 'must be text' }, key ?? map);
      continue;
    }
    out.set(String(key.value), pair);
  }
  return out;
}

function paramNode(src: ScenarioSource, root: Node | undefined, path: readonly (string | number)[]): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of path) {
    node = src.resolve(node);
    if (isMap(node)) node = findPair(src, node, String(segment))?.value as Node | undefined;
    else if (isSeq(node) && typeof segment === 'number') node = node.items[segment] as Node | undefined;
    else return node;
  }
  return src.resolve(node);
}

function keyNode(src: ScenarioSource, root: Node | undefined, path: readonly (string | number)[]): Node | undefined {
  const parent = paramNode(src, root, path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  return findPair(src, parent, String(path[path.length - 1]))?.key as Node | undefined;
}

/** The pair with this key, without reporting anything (for locating problems already found). */
function findPair(src: ScenarioSource, map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => {
    const k = src.resolve(p.key);
    return isScalar(k) && String(k.value) === key;
  });
}

function offsetOf(source: string, p: { line: number; col: number }): number {
  const lines = source.split('\n');
  let offset = 0;
  for (let i = 0; i < p.line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
  return Math.min(source.length, offset + Math.max(0, p.col - 1));
}
