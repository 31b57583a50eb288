// What a scenario author sees from `${{ }}`, `if:` and javascript@v1: values keep their types,
// the usual JavaScript works, and snippets change variables and attached data as written.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, type Sandbox } from '../../src/expr/sandbox.ts';
import type { EvalScope, ScopeGlobal } from '../../src/expr/scope.ts';
import { failsWith } from '../helpers/fails-with.ts';

const NOW = Date.UTC(2026, 2, 3, 10, 0, 0);

interface TestScope extends EvalScope {
  vars: Map<string, unknown>;
  writes: [string, unknown][];
  attached: Record<string, unknown>[];
}

function scopeOf(vars: Record<string, unknown> = {}, globals: Partial<Record<ScopeGlobal, unknown>> = {}): TestScope {
  const scope: TestScope = {
    vars: new Map(Object.entries(vars)),
    writes: [],
    attached: [],
    getVar: (name) => scope.vars.get(name),
    setVar: (name, value) => {
      scope.writes.push([name, value]);
      scope.vars.set(name, value);
    },
    getGlobal: (name) => globals[name],
    now: () => NOW,
    setAttachedData: (data) => {
      scope.attached.push(data);
    },
  };
  return scope;
}

let sandbox: Sandbox;
before(async () => {
  sandbox = await createSandbox();
});
after(() => sandbox.dispose());

const api = {
  ok: true,
  status: 200,
  headers: { 'content-type': 'application/json' },
  json: { results: [{ id: 1, name: 'Alice' }, { id: 2, name: 'Bob' }], total: 2 },
};
const call = { fromNumber: '+33612345678', toNumber: '+33187654321', fromType: 'MOBILE', direction: 'inbound', attachedData: { lang: 'fr' } };

describe('a ${{ }} expression keeps the type of its value', () => {
  const scope = scopeOf({ $api: api, $n: 41, $name: 'Alice' });
  const cases: [string, unknown][] = [
    ['$n + 1', 42],
    ['$api.json.results[1]', { id: 2, name: 'Bob' }],
    ['$api.json.results.map((r) => r.id)', [1, 2]],
    ['$api.ok && $api.json.results.length > 0', true],
    ['$api.status === 404', false],
    ['$api.missing', undefined],
    ['null', null],
    ['$name.toUpperCase()', 'ALICE'],
    ["'é😀\\u0000'", 'é😀\u0000'],
    ["'\\ud800' + 'x'", '\ud800x'],
    ['0 / 0', Number.NaN],
    ['-1 / 0', Number.NEGATIVE_INFINITY],
    ['({ a: undefined, b: 1 })', { b: 1 }],
    ['new Date(0)', '1970-01-01T00:00:00.000Z'],
    ['() => 1', undefined],
    ["Symbol('x')", undefined],
  ];
  for (const [source, expected] of cases) {
    test(source, () => {
      assert.deepEqual(sandbox.evaluate(source, scope), expected);
    });
  }
});

describe('everyday JavaScript in expressions', () => {
  const scope = scopeOf({ $dtmf: { ok: true, input: '1' }, $contact: { firstName: 'Alice' } }, { call });

  test('optional chaining on a variable that is set and one that is not', () => {
    assert.equal(sandbox.evaluate("$dtmf?.input == '1'", scope), true);
    assert.equal(sandbox.evaluate('$user?.name', scope), undefined);
  });

  test('a regex literal against a call field', () => {
    assert.deepEqual(sandbox.evaluate('call.fromType.match(/MOBILE/)?.[0]', scope), 'MOBILE');
    assert.equal(sandbox.evaluate('/^\\+33/.test(call.fromNumber)', scope), true);
  });

  test('a template literal', () => {
    assert.equal(sandbox.evaluate('`Bonjour ${$contact.firstName}, tapez ${$dtmf.input}`', scope), 'Bonjour Alice, tapez 1');
  });

  test('now is a Date of scope.now()', () => {
    assert.equal(sandbox.evaluate('now instanceof Date && now.getTime()', scope), NOW);
    assert.equal(sandbox.evaluate('now.toISOString()', scope), '2026-03-03T10:00:00.000Z');
  });

  test('a variable that is unset is undefined, and reading through it is a TypeError', () => {
    assert.equal(sandbox.evaluate('typeof $missing', scope), 'undefined');
    const e = failsWith(() => sandbox.evaluate('$missing.x', scope), 'RF_EXPR_ERROR');
    assert.match(e.message, /TypeError: cannot read property 'x' of undefined/);
  });

  test('a global the scope does not provide is undefined', () => {
    assert.equal(sandbox.evaluate('recording === undefined && typeof env', scope), 'undefined');
  });

  test('a property named like a global is not the global', () => {
    const s = scopeOf({ $gather: { input: '42' } }, { input: { digits: '7' } });
    assert.equal(sandbox.evaluate('$gather.input + input.digits', s), '427');
  });

  test('two variables with equal values are still two objects', () => {
    const s = scopeOf({ $a: { list: [1, 2, 3, 4, 5, 6, 7] }, $b: { list: [1, 2, 3, 4, 5, 6, 7] } });
    assert.equal(sandbox.evaluate('$a !== $b && $a.list !== $b.list', s), true);
  });

  test('an expression that changes its own copy of a variable works, and the variable is unchanged after', () => {
    const s = scopeOf({ $list: { items: [3, 1, 2, 5, 4, 9, 8, 7] } });
    assert.deepEqual(sandbox.evaluate('$list.items.sort((a, b) => a - b)', s), [1, 2, 3, 4, 5, 7, 8, 9]);
    assert.equal(sandbox.evaluate('($list.extra = 1, $list.extra)', s), 1);
    assert.deepEqual(sandbox.evaluate('$list', s), { items: [3, 1, 2, 5, 4, 9, 8, 7] });
    assert.deepEqual(s.vars.get('$list'), { items: [3, 1, 2, 5, 4, 9, 8, 7] });
    assert.deepEqual(s.writes, []);
  });

  test('a later change of a variable is seen by the next evaluation', () => {
    const s = scopeOf({ $api: structuredClone(api) });
    assert.equal(sandbox.evaluate('$api.json.results.length', s), 2);
    s.vars.set('$api', { ...api, json: { results: [] } });
    assert.equal(sandbox.evaluate('$api.json.results.length', s), 0);
  });
});

describe('javascript@v1 statements', () => {
  test('$x-- and an assignment to a new variable persist; the return value is the result', () => {
    const s = scopeOf({ $repeat: 3 });
    assert.equal(sandbox.execute('$repeat--;\n$done = $repeat === 0;\nreturn $repeat;', s), 2);
    assert.deepEqual(Object.fromEntries(s.vars), { $repeat: 2, $done: false });
  });

  test('a change made inside an object persists', () => {
    const s = scopeOf({ $user: { name: 'Alice', tags: ['a'] } });
    sandbox.execute("$user.name = 'Bob';\n$user.tags.push('b');", s);
    assert.deepEqual(s.vars.get('$user'), { name: 'Bob', tags: ['a', 'b'] });
  });

  test('without return the result is undefined; untouched variables are not written', () => {
    const s = scopeOf({ $a: 1, $b: { x: 1 } });
    assert.equal(sandbox.execute('const sum = $a + $b.x;', s), undefined);
    assert.deepEqual(s.writes, []);
  });

  test('a variable set back to undefined is written as undefined', () => {
    const s = scopeOf({ $token: 'abc' });
    sandbox.execute('$token = undefined;', s);
    assert.deepEqual(s.writes, [['$token', undefined]]);
  });

  test('a variable assigned inside a nested function persists', () => {
    const s = scopeOf({ $items: [1, 2, 3] });
    assert.equal(sandbox.execute('$items.forEach((i) => { $total = ($total ?? 0) + i; });\nreturn $total;', s), 6);
    assert.equal(s.vars.get('$total'), 6);
  });

  test('call.attachedData written by the code is handed to setAttachedData', () => {
    const s = scopeOf({}, { call: structuredClone(call) });
    sandbox.execute("call.attachedData.step = 'menu';", s);
    assert.deepEqual(s.attached, [{ lang: 'fr', step: 'menu' }]);
    sandbox.execute('call.attachedData = { fresh: true };', s);
    assert.deepEqual(s.attached.at(-1), { fresh: true });
  });

  test('call.attachedData is not written back when the code only reads it', () => {
    const s = scopeOf({}, { call: structuredClone(call) });
    assert.equal(sandbox.execute('return call.attachedData.lang;', s), 'fr');
    assert.deepEqual(s.attached, []);
  });

  test('call.attachedData replaced by something that is not an object is refused', () => {
    const s = scopeOf({}, { call: structuredClone(call) });
    failsWith(() => sandbox.execute('call.attachedData = 5;', s), 'RF_EXPR_RESULT');
    assert.deepEqual(s.attached, []);
  });

  test('code that throws fails with its message and writes nothing back', () => {
    const s = scopeOf({ $n: 1 });
    const e = failsWith(() => sandbox.execute("$n = 2;\nthrow new Error('no agent available');", s), 'RF_EXPR_ERROR');
    assert.equal(e.params.detail, 'Error: no agent available');
    assert.deepEqual(s.writes, []);
    assert.match(failsWith(() => sandbox.execute("throw 'plain text';", s), 'RF_EXPR_ERROR').message, /plain text/);
  });

  test('a class that names its errors works although prototypes are frozen', () => {
    const code = "class BusyError extends Error { constructor(m) { super(m); this.name = 'BusyError'; } }\nthrow new BusyError('line busy');";
    assert.equal(failsWith(() => sandbox.execute(code, scopeOf()), 'RF_EXPR_ERROR').params.detail, 'BusyError: line busy');
    assert.equal(sandbox.execute('const o = {};\no.toString = () => "mine";\nreturn `${o}`;', scopeOf()), 'mine');
  });
});

describe('values that cannot be brought back', () => {
  test('a BigInt result', () => {
    failsWith(() => sandbox.evaluate('10n ** 20n', scopeOf()), 'RF_EXPR_RESULT');
  });

  test('a BigInt stored in a variable names the variable', () => {
    const e = failsWith(() => sandbox.execute('$big = 2n;', scopeOf()), 'RF_EXPR_RESULT');
    assert.match(e.message, /\$big/);
  });

  test('a circular object', () => {
    failsWith(() => sandbox.evaluate('(() => { const o = {}; o.self = o; return o; })()', scopeOf()), 'RF_EXPR_RESULT');
  });

  test('a Promise', () => {
    failsWith(() => sandbox.evaluate('(async () => 1)()', scopeOf()), 'RF_EXPR_RESULT');
  });
});

describe('the compile cache', () => {
  test('a small cache evicts and recompiles without changing results', async () => {
    const small = await createSandbox({ cacheSize: 2 });
    try {
      const s = scopeOf({ $n: 10 });
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 5; i++) assert.equal(small.evaluate(`$n + ${i}`, s), 10 + i);
      }
    } finally {
      small.dispose();
    }
  });

  test('a disposed sandbox refuses to evaluate', async () => {
    const gone = await createSandbox();
    gone.dispose();
    failsWith(() => gone.evaluate('1', scopeOf()), 'RF_INTERNAL');
  });
});
