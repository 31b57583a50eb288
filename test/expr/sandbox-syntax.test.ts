// Syntax errors point at the right place of the source the user wrote, and check() finds them
// without running anything.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RingflowError } from '../../src/errors.ts';
import { createSandbox, type Sandbox } from '../../src/expr/sandbox.ts';
import type { EvalScope } from '../../src/expr/scope.ts';

const scope: EvalScope = {
  getVar: () => undefined,
  setVar: () => {},
  getGlobal: () => undefined,
  now: () => 0,
};

let sandbox: Sandbox;
before(async () => {
  sandbox = await createSandbox();
});
after(() => sandbox.dispose());

function syntaxErrorOf(f: () => unknown): RingflowError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof RingflowError && e.code === 'RF_EXPR_SYNTAX', String(e));
    return e;
  }
  assert.fail('expected RF_EXPR_SYNTAX');
}

describe('syntax errors carry the line and column inside the source', () => {
  const cases: [string, 'expression' | 'statements', number, number, RegExp][] = [
    ['$a $b', 'expression', 1, 4, /Unexpected identifier '\$b'/],
    ['$a == = 1', 'expression', 1, 7, /'='/],
    ['1 +', 'expression', 1, 4, /unexpected end of input/],
    ["'abc", 'expression', 1, 1, /end of string/],
    ['$x; $y', 'expression', 1, 3, /';'/],
    ['$a +\n   * 2', 'expression', 2, 4, /'\*'/],
    ['let a = 1;\nlet b = ;\nreturn a;', 'statements', 2, 9, /';'/],
    ['$n = 1;\n\n   foo bar', 'statements', 3, 8, /expecting ';'/],
    ['$items.map((i) => {\n  return i * 2\n)', 'statements', 3, 1, /'\)'/],
    ['if ($x) {\n  return 1;\n', 'statements', 3, 1, /unexpected end of input/],
    ['with ($x) {}', 'statements', 1, 1, /with/],
    ['return 1', 'expression', 1, 1, /return/],
  ];
  for (const [source, kind, line, col, message] of cases) {
    test(`${kind}: ${JSON.stringify(source)}`, () => {
      const problem = sandbox.check(source, kind);
      assert.ok(problem, 'check() found nothing');
      assert.deepEqual({ line: problem.line, col: problem.col }, { line, col });
      assert.match(problem.message, message);
      const e = syntaxErrorOf(() => (kind === 'expression' ? sandbox.evaluate(source, scope) : sandbox.execute(source, scope)));
      assert.equal(e.params.line, line);
      assert.equal(e.params.col, col);
      assert.equal(e.params.detail, problem.message);
    });
  }
});

describe('check()', () => {
  test('is undefined for code that compiles', () => {
    assert.equal(sandbox.check("$dtmf?.input == '1' && call.fromType.match(/MOBILE/)", 'expression'), undefined);
    assert.equal(sandbox.check('$repeat--;\nreturn $repeat > 0;', 'statements'), undefined);
  });

  test('does not run the code: an endless loop is checked at once', () => {
    const started = performance.now();
    assert.equal(sandbox.check('while (true) {}', 'statements'), undefined);
    assert.equal(sandbox.check('(() => { while (true) {} })()', 'expression'), undefined);
    const problem = sandbox.check('while (true) {}\nreturn );', 'statements');
    assert.deepEqual(problem && { line: problem.line, col: problem.col }, { line: 2, col: 8 });
    assert.ok(performance.now() - started < 90, 'check() took as long as the deadline');
  });

  test('does not run the code: a hook it would install is not there afterwards', () => {
    assert.equal(sandbox.check("Error.prepareStackTrace = () => 'checked'", 'statements'), undefined);
    assert.notEqual(sandbox.evaluate("new Error('x').stack", scope), 'checked');
  });

  test('finds code that closes the wrapper it is put in', () => {
    const problem = sandbox.check('1}); (function(){ return 2', 'expression');
    assert.deepEqual(problem && { line: problem.line, col: problem.col }, { line: 1, col: 2 });
    const statements = sandbox.check('$x = 1;\n}})}); let leak = 1; ((function(){(function(){', 'statements');
    assert.ok(statements);
  });

  test('a statement is not an expression', () => {
    assert.ok(sandbox.check('while (true) {}', 'expression'));
    assert.ok(sandbox.check('let a = 1', 'expression'));
  });
});

test('a syntax error is reported again on every evaluation of the same source', () => {
  const first = syntaxErrorOf(() => sandbox.evaluate('$a $b', scope));
  const second = syntaxErrorOf(() => sandbox.evaluate('$a $b', scope));
  assert.deepEqual(second.params, first.params);
});
