import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collapse, expressionsIn, parseTemplateString, renderTemplate, type ExprRef, type Template } from '../../src/expr/template.ts';

/** Builds a template from a plain value (no positions); objects and arrays are walked. */
function templateOf(value: unknown): Template {
  if (typeof value === 'string') return parseTemplateString(value);
  if (Array.isArray(value)) return collapse({ kind: 'array', items: value.map(templateOf) });
  if (value !== null && typeof value === 'object') {
    return collapse({ kind: 'object', entries: Object.entries(value).map(([k, v]) => [k, templateOf(v)] as const) });
  }
  return { kind: 'const', value };
}

/** A stand-in evaluator: looks the source up in a table. */
const table = (values: Record<string, unknown>) => (e: ExprRef) => {
  assert.ok(e.source in values, `unexpected expression ${e.source}`);
  return values[e.source];
};

describe('${{ }} templates', () => {
  it('keeps the type of a value that is exactly one expression', () => {
    const t = parseTemplateString('${{ $n }}');
    assert.equal(t.kind, 'expr');
    assert.equal(renderTemplate(t, table({ $n: 42 })), 42);
    // Text around the expression, even spaces, makes it a string.
    assert.equal(renderTemplate(parseTemplateString('  ${{ $o }}'), table({ $o: { a: 1 } })), '  {"a":1}');
  });

  it('stringifies values inside longer text: undefined and null empty, objects as JSON', () => {
    const t = parseTemplateString('a=${{ $a }} b=${{ $b }} c=${{ $c }} d=${{ $d }} e=${{ $e }}');
    assert.equal(renderTemplate(t, table({ $a: undefined, $b: null, $c: { x: [1] }, $d: true, $e: 2.5 })), 'a= b= c={"x":[1]} d=true e=2.5');
  });

  it('finds the closing braces outside the expression\'s own braces and strings', () => {
    assert.deepEqual(expressionsIn(parseTemplateString('${{ {a: {b: 1}} }}')).map((e) => e.source), ['{a: {b: 1}}']);
    assert.deepEqual(expressionsIn(parseTemplateString('x ${{ "}}" + $y }} z')).map((e) => e.source), ['"}}" + $y']);
    assert.deepEqual(expressionsIn(parseTemplateString('${{ `${$a}` }}')).map((e) => e.source), ['`${$a}`']);
  });

  it('handles an expression right after a brace, as in a SOSL query', () => {
    const t = parseTemplateString('FIND {\\${{ call.fromNumber }}} IN PHONE FIELDS');
    assert.equal(renderTemplate(t, table({ 'call.fromNumber': '+33612345678' })), 'FIND {\\+33612345678} IN PHONE FIELDS');
  });

  it('rejects an unterminated or empty expression', () => {
    assert.throws(() => parseTemplateString('hi ${{ $name'), { code: 'RF_EXPR_SYNTAX', message: /has no closing/ });
    assert.throws(() => parseTemplateString('${{   }}'), { code: 'RF_EXPR_SYNTAX', message: /empty/ });
  });

  it('renders nested params and never shares constant objects between renders', () => {
    const t = templateOf({ targets: [{ number: '${{ $to }}', timeout: 30 }], headers: { 'X-A': 'b' } });
    const first = renderTemplate(t, table({ $to: '+1555' })) as { headers: Record<string, string> };
    first.headers['X-A'] = 'changed';
    const second = renderTemplate(t, table({ $to: '+1666' }));
    assert.deepEqual(second, { targets: [{ number: '+1666', timeout: 30 }], headers: { 'X-A': 'b' } });
  });

  it('collapses trees without expressions into one constant', () => {
    assert.deepEqual(templateOf({ a: [1, 'two'], b: { c: null } }), { kind: 'const', value: { a: [1, 'two'], b: { c: null } } });
  });
});
