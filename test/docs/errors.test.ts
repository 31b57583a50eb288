// Every error code a user can meet is documented, with its status, and nothing documented is stale.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS } from '../../src/errors.ts';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map([...doc.matchAll(/^\| `(RF_[A-Z_]+)` \| (\w+) \|/gm)].map((m) => [m[1]!, m[2]!]));

it('documents every code of src/errors.ts with its HTTP status', () => {
  for (const [code, spec] of Object.entries(ERRORS)) {
    assert.ok(documented.has(code), `${code} is not in docs/errors.md`);
    const status = documented.get(code)!;
    assert.ok(status === String(spec.status) || (status === 'warning' && spec.status === 200), `${code}: docs say ${status}, code says ${spec.status}`);
  }
});

it('documents no code that does not exist', () => {
  for (const code of documented.keys()) assert.ok(code in ERRORS, `docs/errors.md lists ${code}, which src/errors.ts does not have`);
});
