// Writes the generated files that are committed: the scenario JSON Schema.
// `npm run generate`; the test suite fails when a committed file is out of date.

import { writeFileSync } from 'node:fs';
import { BUILTIN_ACTIONS } from '../src/actions/builtin.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';

export const GENERATED: Record<string, () => string> = {
  'schema/scenario.schema.json': () => `${JSON.stringify(scenarioSchema(BUILTIN_ACTIONS), null, 2)}\n`,
};

if (import.meta.main) {
  for (const [file, render] of Object.entries(GENERATED)) {
    writeFileSync(new URL(`../${file}`, import.meta.url), render());
    console.log(`wrote ${file}`);
  }
}
