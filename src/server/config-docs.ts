// The settings table of docs/operations.md, rendered from the configuration schema.

import { ConfigSchema } from './config-schema.ts';

type Schema = Record<string, unknown>;

export function settingsReference(): string {
  const rows: string[] = ['| setting | type | default | meaning |', '|---|---|---|---|'];
  walk(JSON.parse(JSON.stringify(ConfigSchema)) as Schema, '', rows);
  return rows.join('\n');
}

function walk(schema: Schema, prefix: string, rows: string[]): void {
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    const path = `${prefix}${name}`;
    const nested = prop.type === 'object' && prop.properties;
    if (!nested || prop.description) {
      rows.push(`| \`${path}\` | ${typeOf(prop)} | ${prop.default === undefined || nested ? '—' : `\`${JSON.stringify(prop.default)}\``} | ${String(prop.description ?? '').replace(/\|/g, '\\|')} |`);
    }
    if (nested) walk(prop, `${path}.`, rows);
    if (prop.type === 'array' && (prop.items as Schema | undefined)?.properties) walk(prop.items as Schema, `${path}[].`, rows);
    if (prop.type === 'object' && prop.patternProperties) {
      const [value] = Object.values(prop.patternProperties as Record<string, Schema>);
      if (value?.properties) walk(value, `${path}.<number>.`, rows);
    }
  }
}

function typeOf(schema: Schema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (schema.type === 'array') return `list of ${typeOf((schema.items ?? {}) as Schema)}`;
  if (schema.type === 'object') return 'map';
  return String(schema.type ?? 'any').replace('string', 'text');
}
