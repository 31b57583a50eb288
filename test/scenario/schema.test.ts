// The published JSON Schema agrees with the validator: it accepts every example and rejects the
// mistakes the validator reports.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import YAML from 'yaml';

const schema = JSON.parse(readFileSync(new URL('../../schema/scenario.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const examples = new URL('../../examples/', import.meta.url);

describe('schema/scenario.schema.json', () => {
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml'))) {
    it(`accepts examples/${file}`, () => {
      const doc = YAML.parse(readFileSync(new URL(file, examples), 'utf8'));
      assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 2));
    });
  }

  const bad: [string, string][] = [
    ['an unknown top-level key', 'branchs: {}\n'],
    ['an unknown action', 'branches:\n  inbound-call:\n    - action: sya@v2\n'],
    ['an unknown param', 'branches:\n  inbound-call:\n    - action: gather@v2\n      params: { maxDigit: 1 }\n'],
    ['a param of the wrong type', 'branches:\n  inbound-call:\n    - action: gather@v2\n      params: { timeout: soon }\n'],
    ['a result that is not a variable', 'branches:\n  inbound-call:\n    - action: answer@v1\n      result: x\n'],
    ['a missing required param', 'branches:\n  inbound-call:\n    - action: say@v2\n'],
  ];
  for (const [what, text] of bad) {
    it(`rejects ${what}`, () => {
      assert.equal(validate(YAML.parse(text)), false);
    });
  }

  it('accepts an expression where a number is expected', () => {
    assert.equal(validate(YAML.parse('branches:\n  inbound-call:\n    - action: gather@v2\n      params: { timeout: "${{ $t }}" }\n')), true);
  });
});
