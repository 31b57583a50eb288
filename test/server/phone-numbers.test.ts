import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkNumber, NumberChecker } from '../../src/server/phone-numbers.ts';

it('NumberChecker answers as checkNumber does, strict and not, from its cache on the second ask', () => {
  const numbers = new NumberChecker('FR', 2);
  for (const [text, strict] of [['01 84 88 00 00', true], ['+15550100100', false], ['+15550100100', true], ['12', false]] as const) {
    assert.deepEqual(numbers.check(text, strict), checkNumber(text, 'FR', strict), `${text} strict=${strict}`);
    assert.deepEqual(numbers.check(text, strict), checkNumber(text, 'FR', strict), `${text} strict=${strict}, cached`);
  }
  // A test number is possible but does not exist: the two kinds of check are kept apart.
  assert.equal(numbers.check('+15550100100', false).valid, true);
  assert.equal(numbers.check('+15550100100', true).valid, false);
});
