// Generated files are committed; they must match what the code generates today.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { GENERATED, readCurrent } from '../../scripts/generate.ts';

for (const [file, render] of Object.entries(GENERATED)) {
  it(`${file} is up to date (run npm run generate)`, async () => {
    const current = readCurrent(file);
    assert.equal(current, await render(current));
  });
}
