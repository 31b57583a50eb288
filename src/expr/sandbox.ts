// The expression sandbox: `${{ }}` expressions, `if:` conditions and javascript@v1 snippets run in
// a QuickJS (quickjs-ng) runtime inside WebAssembly, with a CPU deadline, a memory cap and a stack
// limit per evaluation. One runtime and context serve every run of an engine; everything a run
// could change in it is frozen before any scenario code runs (see sandbox-prelude.ts).

import type { EvalScope } from './scope.ts';
import { createSandboxEngine } from './sandbox-engine.ts';
import { evaluateSimple, executeSimple, parseSimpleExpression, parseSimpleStatement, type SimpleExpression, type SimpleStatement } from './simple-forms.ts';

export interface SandboxOptions {
  /** CPU deadline per evaluation, default 100. */
  timeoutMs?: number;
  /** Memory cap of the QuickJS runtime, default 32 MiB. */
  memoryBytes?: number;
  /** Compiled functions kept (LRU), default 2000. */
  cacheSize?: number;
}

/** 1-based, relative to the source text given. */
export interface SyntaxProblem {
  message: string;
  line: number;
  col: number;
}

export interface Sandbox {
  /**
   * Evaluates a JavaScript expression (the inside of `${{ }}` or an `if:`) and returns its value as
   * a plain JSON-compatible host value (undefined allowed; a Date becomes its ISO string;
   * functions/symbols become undefined).
   */
  evaluate(source: string, scope: EvalScope): unknown;
  /**
   * Runs javascript@v1 statements. Assignments to `$vars` persist through scope.setVar, `$x--`
   * works, the value of a top-level `return` is the result (undefined without return). When the
   * code mentions `call`, calls scope.setAttachedData(call.attachedData) afterwards if the code
   * changed it.
   */
  execute(source: string, scope: EvalScope): unknown;
  /** Static syntax check without running anything; undefined when the source compiles. */
  check(source: string, kind: 'expression' | 'statements'): SyntaxProblem | undefined;
  dispose(): void;
}

// Measured: at 256 KiB and more, deep recursion overflows the host (V8) stack from inside the
// WASM before QuickJS notices; at 64 KiB QuickJS caught every case with its own RangeError.
const STACK_BYTES = 64 * 1024;
// Frozen copies of variable values kept for reuse (see sandbox-engine.ts), in JSON characters.
// They live in the runtime and count against memoryBytes: 256 Ki characters take 1-2 MiB there.
const VALUE_CACHE_CHARS = 256 * 1024;

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const engine = await createSandboxEngine({
    timeoutMs: options.timeoutMs ?? 100,
    memoryBytes: options.memoryBytes ?? 32 * 1024 * 1024,
    cacheSize: options.cacheSize ?? 2000,
    stackBytes: STACK_BYTES,
    valueCacheChars: VALUE_CACHE_CHARS,
  });
  // Which sources have a simple form (see simple-forms.ts), remembered like compiled functions.
  const limit = options.cacheSize ?? 2000;
  const expressions = new Map<string, SimpleExpression | null>();
  const statements = new Map<string, SimpleStatement | null>();
  const formOf = <T>(cache: Map<string, T | null>, source: string, parse: (s: string) => T | undefined): T | null => {
    let form = cache.get(source);
    if (form === undefined) {
      form = parse(source) ?? null;
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(source, form);
    }
    return form;
  };
  return {
    evaluate(source, scope) {
      const form = formOf(expressions, source, parseSimpleExpression);
      const fast = form && evaluateSimple(form, scope);
      return fast ? fast.value : engine.evaluate(source, scope);
    },
    execute(source, scope) {
      const form = formOf(statements, source, parseSimpleStatement);
      return form && executeSimple(form, scope) ? undefined : engine.execute(source, scope);
    },
    check: (source, kind) => engine.check(source, kind),
    dispose: () => engine.dispose(),
  };
}
