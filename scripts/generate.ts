// Writes the generated files that are committed: the scenario JSON Schema, the action reference in
// docs/scenario-language.md, the settings table in docs/operations.md, and the OpenAPI document. `npm run generate`; the test suite fails when one is out of date.

import { readFileSync, writeFileSync } from 'node:fs';
import { BUILTIN_ACTIONS } from '../src/actions/builtin.ts';
import { actionReference } from '../src/scenario/action-docs.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';
import { settingsReference } from '../src/server/config-docs.ts';
import { openapiDocument } from '../src/api/openapi-document.ts';

const root = new URL('../', import.meta.url);

/** Replaces what lies between `<!-- NAME:start … -->` and `<!-- NAME:end -->`. */
export function fillSection(text: string, name: string, content: string): string {
  const start = new RegExp(`(<!-- ${name}:start[^>]*-->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!start.test(text)) throw new Error(`no ${name} markers`);
  return text.replace(start, (_, open: string, close: string) => `${open}\n${content}\n${close}`);
}

/** Each generated file: its path and its expected content given the current one. */
export const GENERATED: Record<string, (current: string) => string | Promise<string>> = {
  'docs/openapi.json': async () => `${JSON.stringify(await openapiDocument(), null, 2)}\n`,
  'schema/scenario.schema.json': () => `${JSON.stringify(scenarioSchema(BUILTIN_ACTIONS), null, 2)}\n`,
  'docs/scenario-language.md': (current) => fillSection(current, 'actions', actionReference(BUILTIN_ACTIONS)),
  'docs/operations.md': (current) => fillSection(current, 'settings', settingsReference()),
};

export function readCurrent(file: string): string {
  try {
    return readFileSync(new URL(file, root), 'utf8');
  } catch {
    return '';
  }
}

if (import.meta.main) {
  for (const [file, render] of Object.entries(GENERATED)) {
    writeFileSync(new URL(file, root), await render(readCurrent(file)));
    console.log(`wrote ${file}`);
  }
}
