// Reads a scenario document: YAML with positions, the top-level keys, every branch, then the
// cross-reference checks. All problems are collected, so a user fixes them in one pass.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Pair } from 'yaml';
import type { Branch, Problem, Scenario, ScenarioDefaults } from './model.ts';
import type { Language } from './language.ts';
import { ExpansionLimit, ScenarioSource } from './source.ts';
import { fieldsOf, readSteps, type References } from './steps.ts';
import { checkReferences } from './references.ts';
import { hint } from './suggest.ts';
import { VARIABLE_NAME } from './names.ts';

export interface ParseOptions {
  /** Used in positions (`file:line:col`). */
  file?: string | undefined;
}

export interface ParseResult {
  /** Present when there is no error (warnings allowed). */
  readonly scenario: Scenario | undefined;
  readonly problems: readonly Problem[];
}

const TOP_KEYS = ['description', 'compat', 'defaults', 'variables', 'branches'];
const DEFAULT_KEYS = ['language', 'autoAnswer', 'voice', 'timezone'];
export const KNOWN_COMPAT_VERSIONS = ['2025-09-01'];
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function parseScenario(text: string, lang: Language, options: ParseOptions = {}): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const src = new ScenarioSource(text, doc, lines, options.file);
  try {
    return readDocument(text, lang, options, doc, src);
  } catch (e) {
    if (!(e instanceof ExpansionLimit)) throw e;
    src.error('RF_YAML_SYNTAX', { detail: e.message }, undefined, src.at(0));
    return { scenario: undefined, problems: sortProblems(src.problems) };
  }
}

function readDocument(text: string, lang: Language, options: ParseOptions, doc: ReturnType<typeof parseDocument>, src: ScenarioSource): ParseResult {
  for (const e of doc.errors) {
    const code = e.code === 'DUPLICATE_KEY' ? 'RF_YAML_DUPLICATE_KEY' : 'RF_YAML_SYNTAX';
    const key = code === 'RF_YAML_DUPLICATE_KEY' ? /^\s*([^:\n]+):/.exec(text.slice(e.pos[0]))?.[1]?.trim() ?? '' : '';
    const detail = e.code === 'MULTIPLE_DOCS' ? 'a scenario is one YAML document: remove the --- separator or split the file' : e.message.split('\n')[0];
    src.error(code, { detail, key }, undefined, src.at(e.pos[0]));
  }
  if (src.hasErrors) return { scenario: undefined, problems: src.problems };

  const root = src.resolve(doc.contents);
  if (!isMap(root)) {
    src.error('RF_SCENARIO_NOT_A_MAP', { what: 'a scenario' }, root);
    return { scenario: undefined, problems: src.problems };
  }
  const top = fieldsOf(src, root);
  for (const [key, pair] of top) {
    if (!TOP_KEYS.includes(key)) src.error('RF_SCENARIO_UNKNOWN_KEY', { key, where: 'the scenario', hint: hint(key, TOP_KEYS) }, pair.key);
  }
  const description = readText(src, top.get('description'), 'description');
  const compatVersion = readCompat(src, top.get('compat'));
  const defaults = readDefaults(src, top.get('defaults'));
  const variables = readVariables(src, top.get('variables'));
  const refs: References = { labels: new Map(), gotoLabels: [], branchTargets: [] };
  const branches = readBranches(src, lang, top.get('branches'), root, refs);
  checkReferences(src, branches, refs);

  const problems = sortProblems(src.problems);
  if (src.hasErrors) return { scenario: undefined, problems };
  return { scenario: { description, compatVersion, defaults, variables, branches, file: options.file }, problems };
}

function readText(src: ScenarioSource, pair: Pair | undefined, what: string): string | undefined {
  if (!pair) return undefined;
  const n = src.resolve(pair.value);
  if (isScalar(n) && (n.value === null || typeof n.value !== 'object')) return n.value === null ? undefined : String(n.value);
  src.error('RF_SCENARIO_INVALID_VALUE', { what, detail: 'must be text' }, n);
  return undefined;
}

function readCompat(src: ScenarioSource, pair: Pair | undefined): string | undefined {
  if (!pair) return undefined;
  const n = src.resolve(pair.value);
  if (!isMap(n)) {
    src.error('RF_SCENARIO_NOT_A_MAP', { what: 'compat' }, n);
    return undefined;
  }
  const fields = fieldsOf(src, n);
  for (const [key, p] of fields) {
    if (key !== 'version') src.error('RF_SCENARIO_UNKNOWN_KEY', { key, where: 'compat', hint: hint(key, ['version']) }, p.key);
  }
  const versionNode = src.resolve(fields.get('version')?.value);
  if (!versionNode) return undefined;
  const raw = isScalar(versionNode) ? versionNode.value : undefined;
  // An unquoted date may arrive as a Date under YAML 1.1 rules; both spellings mean the same.
  const version = raw instanceof Date ? raw.toISOString().slice(0, 10) : raw === null || raw === undefined ? undefined : String(raw);
  if (version === undefined) {
    src.error('RF_SCENARIO_INVALID_VALUE', { what: 'compat.version', detail: 'must be a date such as 2025-09-01' }, versionNode);
  } else if (!KNOWN_COMPAT_VERSIONS.includes(version)) {
    src.warn('RF_SCENARIO_COMPAT', { version, known: KNOWN_COMPAT_VERSIONS.join(', ') }, versionNode);
  }
  return version;
}

function readDefaults(src: ScenarioSource, pair: Pair | undefined): ScenarioDefaults {
  const defaults: ScenarioDefaults = { language: 'en-US', autoAnswer: true, voice: undefined, timezone: undefined };
  if (!pair) return defaults;
  const n = src.resolve(pair.value);
  if (!isMap(n)) {
    src.error('RF_SCENARIO_NOT_A_MAP', { what: 'defaults' }, n);
    return defaults;
  }
  for (const [key, p] of fieldsOf(src, n)) {
    const v = src.resolve(p.value);
    const value = isScalar(v) ? v.value : undefined;
    switch (key) {
      case 'language':
        if (typeof value === 'string' && LANGUAGE_TAG.test(value)) defaults.language = value;
        else src.error('RF_SCENARIO_INVALID_VALUE', { what: 'defaults.language', detail: 'must be a language tag such as en-GB' }, v);
        break;
      case 'autoAnswer':
        if (typeof value === 'boolean') defaults.autoAnswer = value;
        else src.error('RF_SCENARIO_INVALID_VALUE', { what: 'defaults.autoAnswer', detail: 'must be true or false' }, v);
        break;
      case 'voice':
        if (typeof value === 'string' && value !== '') defaults.voice = value;
        else src.error('RF_SCENARIO_INVALID_VALUE', { what: 'defaults.voice', detail: 'must be a voice name' }, v);
        break;
      case 'timezone':
        if (typeof value === 'string' && isTimeZone(value)) defaults.timezone = value;
        else src.error('RF_SCENARIO_INVALID_VALUE', { what: 'defaults.timezone', detail: 'must be an IANA time zone such as Europe/Paris' }, v);
        break;
      default:
        src.error('RF_SCENARIO_UNKNOWN_KEY', { key, where: 'defaults', hint: hint(key, DEFAULT_KEYS) }, p.key);
    }
  }
  return defaults;
}

function readVariables(src: ScenarioSource, pair: Pair | undefined): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  if (!pair) return variables;
  const n = src.resolve(pair.value);
  if (isScalar(n) && n.value === null) return variables;
  if (!isMap(n)) {
    src.error('RF_SCENARIO_NOT_A_MAP', { what: 'variables' }, n);
    return variables;
  }
  for (const [name, p] of fieldsOf(src, n)) {
    if (!VARIABLE_NAME.test(name)) {
      src.error('RF_SCENARIO_VARIABLE_NAME', { name }, p.key);
      continue;
    }
    const value = src.toJS(p.value);
    // The bare word `undefined` stands for JavaScript's undefined, as in Callr's examples.
    variables[name] = value === 'undefined' ? undefined : value;
  }
  return variables;
}

function readBranches(src: ScenarioSource, lang: Language, pair: Pair | undefined, root: unknown, refs: References): Map<string, Branch> {
  const branches = new Map<string, Branch>();
  const n = src.resolve(pair?.value);
  if (!pair || (isScalar(n) && n.value === null) || (isMap(n) && n.items.length === 0)) {
    src.error('RF_SCENARIO_NO_BRANCHES', {}, pair?.key ?? root);
    return branches;
  }
  if (!isMap(n)) {
    src.error('RF_SCENARIO_NOT_A_MAP', { what: 'branches' }, n);
    return branches;
  }
  for (const [name, p] of fieldsOf(src, n)) {
    const body = src.resolve(p.value);
    let list: unknown;
    if (isSeq(body)) list = body;
    else if (isMap(body)) {
      const fields = fieldsOf(src, body);
      for (const [key, kp] of fields) {
        if (key !== 'actions') src.error('RF_SCENARIO_UNKNOWN_KEY', { key, where: `branch "${name}"`, hint: hint(key, ['actions']) }, kp.key);
      }
      list = fields.get('actions')?.value;
      if (!isSeq(src.resolve(list))) {
        src.error('RF_SCENARIO_BRANCH_NOT_LIST', { branch: name }, src.resolve(list) ?? body);
        continue;
      }
    } else {
      src.error('RF_SCENARIO_BRANCH_NOT_LIST', { branch: name }, body ?? p.key);
      continue;
    }
    branches.set(name, { name, position: src.pos(p.key), steps: readSteps(src, lang, list, { branch: name, labels: name }, refs) });
  }
  return branches;
}

/** In file order, so a user reads them top to bottom. */
function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.col ?? 0) - (b.position?.col ?? 0));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
