// The host-side fast forms must agree with the sandbox on every input: each case runs through both.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, type Sandbox } from '../../src/expr/sandbox.ts';
import { createSandboxEngine } from '../../src/expr/sandbox-engine.ts';
import type { EvalScope } from '../../src/expr/scope.ts';
import { parseSimpleExpression, parseSimpleStatement } from '../../src/expr/simple-forms.ts';

const values: Record<string, unknown> = {
  $s: 'abc', $n: 3, $zero: 0, $neg: -2.5, $t: true, $nul: null, $obj: { a: { b: 'x' }, list: [1, '2', { c: 3 }], n: 0 },
  $arr: [10, 20], $str1: '1', $num1: 1, $nan: Number.NaN, $proto: { toString: 'own' },
};

function scopeWith(vars: Map<string, unknown>): EvalScope {
  return {
    getVar: (n) => vars.get(n),
    setVar: (n, v) => void vars.set(n, v),
    getGlobal: (g) => (g === 'call' ? { fromNumber: '+15550001111', cdr: { status: 'answered' } } : g === 'run' ? { type: 'api' } : undefined),
    now: () => 0,
  };
}

const expressions = [
  '$s', '$n', '$obj.a.b', '$obj?.a?.b', '$obj.list[2].c', '$obj.list.length', '$s.length', '$arr[1]', '$arr[5]', '$missing', '$missing?.x',
  '$obj.nope', '$obj.toString', '$proto.toString', '$obj.list[0]', 'call.fromNumber', 'call.cdr.status', 'run.type', '$nul', '$nan',
  "$s == 'abc'", "$s === 'abd'", "$s != 'abc'", "$str1 == 1", "$num1 == '1'", '$n == 3', '$n === 3.0', '$n <= 3', '$n < 3', '$n > -3', '$neg >= -2.5',
  "$t == true", '$t === false', '$zero == false', "$missing == 'x'", "$nul == 'x'", "$obj.a.b == 'x'", "$s < 'b'", '$nan == 1', '$nan < 1',
  '$obj.n == 0', "$obj.list[1] == '2'", "$obj.list[1] == 2",
];
const statements = ['$n--', '$n++', '--$n', '++$n', '$s--', '$nul++', '$missing--', '$nan++', "$new = 'x'", '$n = 5', '$t = false', '$x = -1.5', "$s = \"q\"", '$n--;'];

describe('simple forms agree with the sandbox', () => {
  let fast: Sandbox;
  let full: Sandbox;
  before(async () => {
    fast = await createSandbox();
    full = await createSandboxEngine({ timeoutMs: 100, memoryBytes: 32 << 20, cacheSize: 100, stackBytes: 64 << 10, valueCacheChars: 0 });
  });
  after(() => {
    fast.dispose();
    full.dispose();
  });

  const outcome = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (e) {
      return { error: (e as { code?: string }).code };
    }
  };

  for (const source of expressions) {
    it(`evaluate ${source}`, () => {
      const a = outcome(() => fast.evaluate(source, scopeWith(new Map(Object.entries(values)))));
      const b = outcome(() => full.evaluate(source, scopeWith(new Map(Object.entries(values)))));
      assert.deepEqual(a, b);
    });
  }
  for (const source of statements) {
    it(`execute ${source}`, () => {
      const fastVars = new Map(Object.entries(values));
      const fullVars = new Map(Object.entries(values));
      assert.deepEqual(outcome(() => fast.execute(source, scopeWith(fastVars))), outcome(() => full.execute(source, scopeWith(fullVars))));
      assert.deepEqual(Object.fromEntries(fastVars), Object.fromEntries(fullVars));
    });
  }

  it('takes the fast way for the common forms, and leaves the rest to the sandbox', () => {
    assert.equal(parseSimpleExpression("$dtmf?.input == '1'")?.kind, 'compare');
    assert.equal(parseSimpleExpression('$repeat <= 0')?.kind, 'compare');
    assert.equal(parseSimpleExpression('$user.name.first')?.kind, 'path');
    assert.equal(parseSimpleExpression('$a + 1'), undefined);
    assert.equal(parseSimpleExpression("$a == $b"), undefined);
    assert.equal(parseSimpleExpression('now.getHours()'), undefined);
    assert.equal(parseSimpleStatement('$repeat--')?.kind, 'step');
    assert.equal(parseSimpleStatement("$result = 'confirmed'")?.kind, 'assign');
    assert.equal(parseSimpleStatement('$user = $api.json.results[0]'), undefined);
    assert.equal(parseSimpleStatement("$a = 'it\\'s'"), undefined);
  });
});
