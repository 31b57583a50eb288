// The sandbox boundary: no way out to the host, nothing one run can leave behind for another, and
// runaway code (endless loop, allocation bomb, deep recursion) stopped and reported while the
// engine goes on evaluating.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RingflowError, type ErrorCode } from '../../src/errors.ts';
import { createSandbox, type Sandbox } from '../../src/expr/sandbox.ts';
import { createSandboxEngine } from '../../src/expr/sandbox-engine.ts';
import type { EvalScope } from '../../src/expr/scope.ts';
import { failsWith } from '../helpers/fails-with.ts';

function scopeOf(vars: Record<string, unknown> = {}): EvalScope & { writes: [string, unknown][] } {
  const map = new Map(Object.entries(vars));
  const writes: [string, unknown][] = [];
  return {
    writes,
    getVar: (name) => map.get(name),
    setVar: (name, value) => {
      writes.push([name, value]);
      map.set(name, value);
    },
    getGlobal: (name) => (name === 'call' ? { fromNumber: '+33612345678', attachedData: {} } : undefined),
    now: () => 0,
  };
}

let sandbox: Sandbox;
before(async () => {
  sandbox = await createSandbox();
});
after(() => sandbox.dispose());

function stillWorks(s: Sandbox = sandbox): void {
  assert.equal(s.evaluate('1+1', scopeOf()), 2);
  assert.equal(s.execute('$x++; return $x;', scopeOf({ $x: 1 })), 2);
}

describe('no way out of the sandbox', () => {
  const attempts: [string, string, ErrorCode | undefined, unknown?][] = [
    ['the constructor of this', "this.constructor.constructor('return process')()", 'RF_EXPR_ERROR'],
    ['the Function constructor via an object', "({}).constructor.constructor('return process')()", 'RF_EXPR_ERROR'],
    ['the Function constructor via a variable', "$v.constructor.constructor('return globalThis.process')()", 'RF_EXPR_ERROR'],
    ['the generator function constructor', "Object.getPrototypeOf(function* () {}).constructor('yield 1')", 'RF_EXPR_ERROR'],
    ['Function by its name', "Function('return 1')()", 'RF_EXPR_ERROR'],
    ['eval', "eval('1')", 'RF_EXPR_ERROR'],
    ['indirect eval', "(0, globalThis.eval)('1')", 'RF_EXPR_ERROR'],
    ['require', "require('fs')", 'RF_EXPR_ERROR'],
    ['dynamic import', "import('fs')", 'RF_EXPR_RESULT'],
    ['queueMicrotask', 'queueMicrotask(() => 1)', 'RF_EXPR_ERROR'],
    ['performance', 'performance.now()', 'RF_EXPR_ERROR'],
    ['setTimeout', 'setTimeout(() => 1, 10)', 'RF_EXPR_ERROR'],
    ['setInterval', 'setInterval(() => 1, 10)', 'RF_EXPR_ERROR'],
    ['globalThis.process', 'globalThis.process', undefined, undefined],
    ['host-style globals', '[typeof process, typeof fetch, typeof XMLHttpRequest, typeof std, typeof os, typeof Deno, typeof Bun].join()', undefined, 'undefined,undefined,undefined,undefined,undefined,undefined,undefined'],
  ];
  for (const [what, source, code, value] of attempts) {
    test(what, () => {
      const scope = scopeOf({ $v: { a: 1 } });
      if (code) failsWith(() => sandbox.evaluate(source, scope), code);
      else assert.deepEqual(sandbox.evaluate(source, scope), value);
    });
  }

  test('the code-generation error says why', () => {
    assert.match(failsWith(() => sandbox.evaluate("({}).constructor.constructor('return 1')()", scopeOf()), 'RF_EXPR_ERROR').message, /code generation/);
  });
});

describe('one evaluation leaves nothing behind for the next', () => {
  const pollution: [string, string, string, unknown][] = [
    ['a property on Object.prototype', 'Object.prototype.leak = 1', '({}).leak', undefined],
    ['a global', 'globalThis.leak = 1', 'typeof leak', 'undefined'],
    ['a global through an undeclared name', 'leak = 1', 'typeof leak', 'undefined'],
    ['a replaced array method', 'Array.prototype.map = function () { return "hijacked"; }', '[1, 2].map((x) => x * 2)', [2, 4]],
    ['a replaced JSON.parse', 'JSON.parse = () => "hijacked"', "JSON.parse('[1]')", [1]],
    ['a replaced Math.random', 'Math.random = () => 4', 'Math.random() < 1', true],
    ['a property on String.prototype', "String.prototype.trim = () => 'x'", "' a '.trim()", 'a'],
    ['a replaced Date.now', 'Date.now = () => 0', 'Date.now() > 0', true],
    ['a deleted intrinsic', 'delete globalThis.Array', 'typeof Array', 'function'],
    ['a changed prototype of Object.prototype', 'Object.setPrototypeOf(Object.prototype, { leak: 1 })', '({}).leak', undefined],
    ['a redefined global', "Object.defineProperty(globalThis, 'JSON', { value: 1 })", 'typeof JSON', 'object'],
  ];
  for (const [what, attempt, probe, expected] of pollution) {
    test(what, () => {
      failsWith(() => sandbox.execute(attempt, scopeOf()), 'RF_EXPR_ERROR');
      assert.deepEqual(sandbox.evaluate(probe, scopeOf()), expected);
    });
  }

  test('a global `let` smuggled past the wrapper is refused and does not exist afterwards', () => {
    const escape = '1}); let leak = 1; ((function(){return function(){return 2';
    failsWith(() => sandbox.evaluate(escape, scopeOf()), 'RF_EXPR_SYNTAX');
    failsWith(() => sandbox.execute('})})}); let leak2 = 1; ((function(){(function(){(function(){', scopeOf()), 'RF_EXPR_SYNTAX');
    // Closing only the snippet's own function stays inside the evaluation: allowed, and harmless.
    sandbox.execute('}); let leak3 = 1; (function(){', scopeOf());
    assert.equal(sandbox.evaluate('typeof leak + typeof leak2 + typeof leak3', scopeOf()), 'undefinedundefinedundefined');
  });

  test('code that closes its wrapper and reopens a function in its place is refused', () => {
    // Valid JavaScript once wrapped: the wrapper script would yield the attacker's function.
    const swap = '1));}); }, function(){ (function(){ ((2';
    const e = failsWith(() => sandbox.evaluate(swap, scopeOf()), 'RF_EXPR_SYNTAX');
    assert.deepEqual([e.params.line, e.params.col], [1, 2]);
    stillWorks();
  });

  test('an Error.prepareStackTrace hook does not outlive its evaluation', () => {
    assert.equal(sandbox.evaluate("(Error.prepareStackTrace = () => 'hooked', new Error('x').stack)", scopeOf()), 'hooked');
    assert.equal(sandbox.evaluate('Error.prepareStackTrace', scopeOf()), undefined);
    assert.notEqual(sandbox.evaluate("new Error('x').stack", scopeOf()), 'hooked');
    failsWith(() => sandbox.evaluate("(Error.prepareStackTrace = () => 'hooked', null.x)", scopeOf()), 'RF_EXPR_ERROR');
    assert.equal(sandbox.evaluate('Error.prepareStackTrace', scopeOf()), undefined);
    sandbox.execute("Promise.resolve().then(() => { Error.prepareStackTrace = () => 'late'; Error.stackTraceLimit = 0; });", scopeOf());
    assert.deepEqual(sandbox.evaluate('[typeof Error.prepareStackTrace, Error.stackTraceLimit]', scopeOf()), ['undefined', 10]);
  });

  test('a frozen shared value cannot be changed for the next run', () => {
    const big = { list: ['b', 'a', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] };
    const first = scopeOf({ $v: big });
    assert.deepEqual(sandbox.evaluate('($v.list.reverse(), $v.list[0])', first), 'i');
    const second = scopeOf({ $v: structuredClone(big) });
    assert.equal(sandbox.evaluate('$v.list[0]', second), 'b');
  });
});

describe('runaway code is stopped and the sandbox goes on', () => {
  test('an endless loop stops at the deadline with RF_EXPR_TIMEOUT', () => {
    const started = performance.now();
    const e = failsWith(() => sandbox.execute('while (true) {}', scopeOf()), 'RF_EXPR_TIMEOUT');
    const elapsed = performance.now() - started;
    assert.equal(e.params.limitMs, 100);
    assert.ok(elapsed >= 90 && elapsed < 1000, `stopped after ${elapsed} ms`);
    stillWorks();
  });

  test('catching the interruption does not keep the loop alive', () => {
    const started = performance.now();
    failsWith(() => sandbox.execute('for (;;) { try { while (true) {} } catch (e) {} }', scopeOf()), 'RF_EXPR_TIMEOUT');
    assert.ok(performance.now() - started < 1000);
    stillWorks();
  });

  test('catastrophic regex backtracking stops at the deadline', () => {
    const started = performance.now();
    failsWith(() => sandbox.evaluate("/(a*)*b/.test('a'.repeat(40))", scopeOf()), 'RF_EXPR_TIMEOUT');
    assert.ok(performance.now() - started < 1000);
    stillWorks();
  });

  test('an endless promise chain is stopped too', () => {
    failsWith(() => sandbox.execute('const spin = () => Promise.resolve().then(spin); spin(); while (true) {}', scopeOf()), 'RF_EXPR_TIMEOUT');
    sandbox.execute('const spin = () => Promise.resolve().then(spin); spin();', scopeOf());
    stillWorks();
  });

  test('a loop of heavy native calls stops near the deadline too', () => {
    for (const code of ['for (;;) new Array(1e5).fill(1);', "for (;;) 'a'.repeat(3e5).split('').reverse();", "for (;;) 'x'.repeat(1e6).indexOf('y');"]) {
      const started = performance.now();
      failsWith(() => sandbox.execute(code, scopeOf()), 'RF_EXPR_TIMEOUT');
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 600, `${code} stopped after ${elapsed} ms`);
    }
    stillWorks();
  });

  test('an allocation bomb fails with RF_EXPR_MEMORY', () => {
    const e = failsWith(() => sandbox.execute('const chunks = [];\nfor (;;) chunks.push(new Uint8Array(1e6));', scopeOf()), 'RF_EXPR_MEMORY');
    assert.equal(e.params.limitBytes, 32 * 1024 * 1024);
    stillWorks();
    failsWith(() => sandbox.execute("let s = 'x';\nwhile (true) s += s;", scopeOf()), 'RF_EXPR_MEMORY');
    stillWorks();
  });

  test('an allocation bomb QuickJS does not account for is still stopped', () => {
    // Large arrays slip past QuickJS's own limit; the capped WASM memory and the deadline hold.
    for (let round = 0; round < 3; round++) {
      const started = performance.now();
      try {
        sandbox.execute('const a = [];\nfor (;;) a.push(new Array(1e6).fill(0));', scopeOf());
        assert.fail('the bomb returned');
      } catch (e) {
        assert.ok(e instanceof RingflowError && (e.code === 'RF_EXPR_MEMORY' || e.code === 'RF_EXPR_TIMEOUT'), String(e));
      }
      assert.ok(performance.now() - started < 1000);
      stillWorks();
    }
  });

  test('deep recursion fails with RF_EXPR_STACK', () => {
    failsWith(() => sandbox.execute('function f() { return f(); }\nreturn f();', scopeOf()), 'RF_EXPR_STACK');
    failsWith(() => sandbox.evaluate("JSON.parse('['.repeat(100000) + ']'.repeat(100000))", scopeOf()), 'RF_EXPR_STACK');
    stillWorks();
  });

  test('deep recursion whatever the depth of the host stack at the call', async () => {
    const codes = new Set<string>();
    let remaining = 400;
    let level = 0;
    const dive = (): void => {
      try {
        dive();
      } catch {
        // the bottom of the host stack
      }
      if (remaining > 0 && level++ % 5 === 0) {
        remaining--;
        try {
          sandbox.evaluate('(function f() { return f(); })()', scopeOf());
          codes.add('no error');
        } catch (e) {
          // At the very bottom even building the error object can overflow: the host's own limit.
          // Right after a host overflow inside QuickJS, the sandbox may be restarting (RF_INTERNAL).
          codes.add(e instanceof RingflowError ? e.code : e instanceof RangeError || e instanceof SyntaxError ? 'host stack' : String(e));
        }
      }
    };
    dive();
    assert.ok(codes.has('RF_EXPR_STACK'));
    for (const code of codes) assert.ok(['RF_EXPR_STACK', 'RF_INTERNAL', 'host stack'].includes(code), code);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a fresh WASM module arrives if one was lost
    stillWorks();
  });

  test('a host stack overflow inside QuickJS costs the runtime, not the engine', async () => {
    // Without QuickJS's own limit the recursion overflows V8's stack from inside the WASM.
    const unguarded = await createSandboxEngine({ timeoutMs: 100, memoryBytes: 32 << 20, cacheSize: 100, stackBytes: 0, valueCacheChars: 1 << 16 });
    try {
      const scope = scopeOf({ $v: { list: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } });
      assert.equal(unguarded.evaluate('$v.list.length', scope), 10);
      failsWith(() => unguarded.evaluate('(function f() { return f(); })()', scope), 'RF_EXPR_STACK');
      assert.equal(unguarded.evaluate('$v.list.length', scope), 10);
      stillWorks(unguarded);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the fresh WASM module arrives
      assert.equal(unguarded.evaluate('$v.list.length + 1', scope), 11);
      stillWorks(unguarded);
    } finally {
      unguarded.dispose();
    }
  });
});
