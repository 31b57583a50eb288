import assert from 'node:assert/strict';
import { RingflowError, type ErrorCode } from '../../src/errors.ts';

/** Runs `f`, which must throw a RingflowError with `code`; returns it for further checks. */
export function failsWith(f: () => unknown, code: ErrorCode): RingflowError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof RingflowError, `expected a RingflowError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}
