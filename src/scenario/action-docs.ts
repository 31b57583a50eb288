// The action reference of docs/scenario-language.md, rendered from the action definitions so the
// docs say exactly what the validator accepts.

import { actionId, type ActionDefinition } from '../actions/action.ts';

type Schema = Record<string, unknown>;

export function actionReference(actions: readonly ActionDefinition[]): string {
  return actions.map(section).join('\n');
}

function section(action: ActionDefinition): string {
  const needs = { none: 'works with or without a call', call: 'needs a call', answered: 'needs an answered call (answers a ringing one first, with a warning)' }[action.needs];
  const rows = paramRows(JSON.parse(JSON.stringify(action.params)) as Schema, '');
  const table = rows.length === 0
    ? 'No params.\n'
    : ['| param | type | default | meaning |', '|---|---|---|---|', ...rows.map((r) => `| \`${r.name}\` | ${r.type} | ${r.default} | ${r.description} |`)].join('\n') + '\n';
  const events = action.events?.length ? `\nEvents: ${action.events.map((e) => `\`events.${e}\``).join(', ')}.\n` : '';
  return `### \`${actionId(action)}\`\n\n${action.summary} It ${needs}.\n\n${table}\nResult: ${action.result}.\n${events}`;
}

interface Row {
  name: string;
  type: string;
  default: string;
  description: string;
}

function paramRows(schema: Schema, prefix: string): Row[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows: Row[] = [];
  for (const [name, prop] of Object.entries(properties)) {
    const full = `${prefix}${name}`;
    const byDefault = prop.default === undefined
      ? required.has(name) ? '**required**' : '—'
      : `\`${JSON.stringify(prop.default)}\``;
    rows.push({ name: full, type: typeOf(prop), default: byDefault, description: escape(String(prop.description ?? '')) });
    if (prop.type === 'object' && prop.properties) rows.push(...paramRows(prop, `${full}.`));
    if (prop.type === 'array' && (prop.items as Schema | undefined)?.properties) rows.push(...paramRows(prop.items as Schema, `${full}[].`));
  }
  return rows;
}

function typeOf(schema: Schema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const type = schema.type;
  if (Array.isArray(type)) return type.join(' \\| ');
  if (type === 'array') return `list of ${typeOf((schema.items ?? {}) as Schema)}`;
  if (type === 'object') return schema.properties ? 'map' : 'map of text';
  if (type === 'integer') return 'integer';
  if (typeof type === 'string') return type === 'string' ? 'text' : type;
  return 'any';
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}
