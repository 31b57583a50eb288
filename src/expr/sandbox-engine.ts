// Evaluation on top of the VM: compile once per distinct source, marshal the mentioned names in,
// decode the result, write variables back, and turn every failure into a RingflowError.
//
// Marshalling. A name's value goes in either inside one JSON array (parsed in the sandbox) or, for
// an object or array of some size, as a handle to a frozen copy parsed once and reused while its
// JSON text stays the same: parsing a 550-character `$api` in QuickJS costs ~12 µs, more than all
// the rest of an evaluation. Frozen values are only given to expressions; an expression that
// tries to change one (`$list.sort()`) fails with a TypeError and is run again on fresh copies,
// which is safe because an expression has no effect outside its own values.

import { RingflowError } from '../errors.ts';
import type { EvalScope, ScopeGlobal } from './scope.ts';
import type { Sandbox, SyntaxProblem } from './sandbox.ts';
import { FIELD_SEPARATOR } from './sandbox-prelude.ts';
import { factoryText, planFor, wrapperText, type SourceKind, type WrapperPlan } from './sandbox-source.ts';
import { firstUnmatchedCloser, locateSyntaxError } from './sandbox-syntax.ts';
import { createVmHost, SandboxUnavailableError } from './sandbox-host.ts';
import { GuestError, type Realm, type VmOptions } from './sandbox-realm.ts';

interface Entry {
  readonly plan: WrapperPlan;
  readonly fnPtr?: number | undefined;
  readonly problem?: RingflowError | undefined;
}

const ESCAPE_MESSAGE = 'unexpected closing bracket: the code closes a bracket it did not open';

/** Objects and arrays whose JSON is at least this long go in as cached frozen values. */
const MIN_CACHED_JSON = 24;

export async function createSandboxEngine(options: VmOptions): Promise<Sandbox> {
  const host = await createVmHost(options);
  // Reused by every evaluation (the VM copies them into the WASM heap).
  const slots: number[] = [];
  const texts: string[] = [];

  const limitError = (e: GuestError): RingflowError | undefined => {
    if (e.timedOut) return new RingflowError('RF_EXPR_TIMEOUT', { limitMs: options.timeoutMs });
    // quickjs-ng builds `a += a` as ropes, so a doubling string hits the length limit long before
    // the memory limit: the same bomb, reported the same way.
    if (e.guestName === 'InternalError' && (e.guestMessage === 'out of memory' || e.guestMessage === 'string too long')) {
      return new RingflowError('RF_EXPR_MEMORY', { limitBytes: options.memoryBytes });
    }
    if ((e.guestName === 'RangeError' && e.guestMessage === 'Maximum call stack size exceeded') ||
      (e.guestName === 'InternalError' && e.guestMessage === 'stack overflow')) {
      return new RingflowError('RF_EXPR_STACK');
    }
    return undefined;
  };

  const guestFailure = (realm: Realm, e: GuestError): RingflowError => {
    const limit = limitError(e);
    if (limit?.code === 'RF_EXPR_MEMORY') realm.clearValues();
    return limit ?? new RingflowError('RF_EXPR_ERROR', { detail: e.guestName ? `${e.guestName}: ${e.guestMessage}` : e.guestMessage });
  };

  /** Runs a step that touches the realm; a host exception escaping it costs the realm. */
  const inRealm = <T>(realm: Realm, step: () => T): T => {
    try {
      return step();
    } catch (e) {
      if (e instanceof RingflowError) throw e;
      if (e instanceof GuestError) throw guestFailure(realm, e);
      host.abandonRealm(realm);
      if (e instanceof RangeError) throw new RingflowError('RF_EXPR_STACK', {}, undefined, { cause: e });
      throw new RingflowError('RF_INTERNAL', { detail: `expression sandbox: ${String(e)}` }, undefined, { cause: e });
    } finally {
      if (realm.suspect) host.abandonRealm(realm);
    }
  };

  const locate = (realm: Realm, plan: WrapperPlan, source: string, error: GuestError, open: string, close: string): SyntaxProblem =>
    locateSyntaxError(source, { message: error.guestMessage, line: error.line }, (prefix) => {
      const e = realm.syntaxErrorOf(wrapperText(plan, prefix, open, close));
      return e && { message: e.guestMessage, line: e.line };
    });

  const syntaxErrorOrThrow = (realm: Realm, text: string): GuestError | undefined => {
    const e = realm.syntaxErrorOf(text);
    if (e && e.guestName !== 'SyntaxError') throw e;
    return e;
  };

  // The `[`…`]` variant cannot be valid when the source closes the factory's bracket (a `)` would
  // have to close `[`), so checking it first keeps such code from ever running at the top level.
  const problemOf = (realm: Realm, plan: WrapperPlan, source: string): SyntaxProblem | undefined => {
    const bracketed = syntaxErrorOrThrow(realm, wrapperText(plan, source, '[', ']'));
    if (!bracketed) return undefined;
    const plain = syntaxErrorOrThrow(realm, wrapperText(plan, source));
    if (plain) return locate(realm, plan, source, plain, '(', ')');
    return escapeProblem(source) ?? locate(realm, plan, source, bracketed, '[', ']');
  };

  const escapeProblem = (source: string): SyntaxProblem | undefined => {
    const at = firstUnmatchedCloser(source);
    return at && { message: ESCAPE_MESSAGE, ...at };
  };

  const syntaxError = (p: SyntaxProblem): RingflowError =>
    new RingflowError('RF_EXPR_SYNTAX', { detail: p.message, line: p.line, col: p.col });

  const compile = (realm: Realm, kind: SourceKind, source: string): Entry => {
    const plan = planFor(kind, source);
    const problem = problemOf(realm, plan, source);
    if (problem) return { plan, problem: syntaxError(problem) };
    const text = wrapperText(plan, source);
    let fnPtr: number | undefined;
    try {
      fnPtr = realm.compile(text, factoryText(text));
    } catch (e) {
      if (!(e instanceof GuestError) || limitError(e)) throw e;
      if (e.guestName === 'SyntaxError') return { plan, problem: syntaxError(locate(realm, plan, source, e, '(', ')')) };
      fnPtr = undefined;
    }
    if (fnPtr === undefined) {
      // The source closed the function it was put in; whatever it ran, the realm is not trusted.
      host.abandonRealm(realm);
      return { plan, problem: syntaxError(escapeProblem(source) ?? { message: ESCAPE_MESSAGE, line: 1, col: 1 }) };
    }
    return { plan, fnPtr };
  };

  const entryFor = (realm: Realm, kind: SourceKind, source: string): Entry => {
    const key = (kind === 'expression' ? 'e' : 's') + source;
    let entry = realm.cached<Entry>(key);
    if (entry === undefined) {
      entry = compile(realm, kind, source);
      realm.remember(key, entry);
    }
    if (entry.problem) throw entry.problem;
    return entry;
  };

  /** Reads the mentioned names; `texts[i]` is the JSON of names[i], '' for undefined. */
  const readScope = (plan: WrapperPlan, scope: EvalScope): unknown => {
    const { names } = plan;
    let call: unknown;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      let value: unknown;
      if (name.charCodeAt(0) === 36 /* $ */) value = scope.getVar(name);
      else if (name === 'now') value = scope.now();
      else value = scope.getGlobal(name as ScopeGlobal);
      if (name === 'call') call = value;
      let json: string | undefined;
      try {
        json = value === undefined ? undefined : JSON.stringify(value);
      } catch (e) {
        throw new RingflowError('RF_INTERNAL', { detail: `${name} is not JSON-compatible: ${String(e)}` }, undefined, { cause: e });
      }
      texts[i] = json ?? '';
    }
    return call;
  };

  /** Fills `slots` and returns the JSON array of inline values; true in `usedCache` when a frozen value went in. */
  const marshal = (realm: Realm, count: number, useCache: boolean): { input: string | undefined; usedCache: boolean } => {
    let input = '';
    let inline = false;
    let usedCache = false;
    for (let i = 0; i < count; i++) {
      const json = texts[i];
      let slot = 0;
      if (json === '') {
        slot = realm.absentPtr;
      } else if (useCache && json.length >= MIN_CACHED_JSON && (json.charCodeAt(0) === 123 || json.charCodeAt(0) === 91)) {
        slot = realm.frozenValue(json);
        // Two names with equal values must still be two objects.
        for (let j = 0; j < i; j++) if (slots[j] === slot) slot = 0;
        usedCache ||= slot !== 0;
      }
      slots[i] = slot;
      if (slot === 0) inline = true;
      input += (i === 0 ? '' : ',') + (slot === 0 ? json : '0');
    }
    return { input: inline ? `[${input}]` : undefined, usedCache };
  };

  const decode = (text: string, what: string): unknown => {
    if (text === '') return undefined;
    switch (text.charCodeAt(0)) {
      case 115: // s: a raw string
        return text.slice(1);
      case 116:
        if (text === 'true') return true;
        break;
      case 102:
        if (text === 'false') return false;
        break;
      case 78: // NaN
        return Number.NaN;
      case 73: // Infinity
        return Number.POSITIVE_INFINITY;
      case 45:
        if (text.charCodeAt(1) === 73) return Number.NEGATIVE_INFINITY;
        break;
      case 33: // !: cannot leave the sandbox
        throw new RingflowError('RF_EXPR_RESULT', { detail: what ? `${what}: ${text.slice(1)}` : text.slice(1) });
    }
    return JSON.parse(text);
  };

  const run = (kind: SourceKind, source: string, scope: EvalScope, useCache: boolean): { text: string; entry: Entry; call: unknown } => {
    const realm = host.realm();
    const entry = inRealm(realm, () => entryFor(realm, kind, source));
    const count = entry.plan.names.length;
    const call = readScope(entry.plan, scope);
    const text = inRealm(realm, () => {
      const { input, usedCache } = marshal(realm, count, useCache);
      try {
        return realm.call(entry.fnPtr as number, input, slots, count);
      } catch (e) {
        // Frozen inputs: a TypeError may come from changing one; run again on fresh copies.
        if (usedCache && e instanceof GuestError && e.guestName === 'TypeError' && !e.timedOut) {
          const fresh = marshal(realm, count, false);
          return realm.call(entry.fnPtr as number, fresh.input, slots, count);
        }
        throw e;
      }
    });
    return { text, entry, call };
  };

  const guardHost = <T>(step: () => T): T => {
    try {
      return step();
    } catch (e) {
      if (e instanceof RingflowError) throw e;
      // The host stack ran out in this module's own code, around the sandbox rather than in it.
      if (e instanceof RangeError) throw new RingflowError('RF_EXPR_STACK', {}, undefined, { cause: e });
      if (e instanceof SandboxUnavailableError) throw new RingflowError('RF_INTERNAL', { detail: e.message }, undefined, { cause: e });
      throw e;
    }
  };

  return {
    evaluate(source, scope) {
      return guardHost(() => decode(run('expression', source, scope, true).text, ''));
    },

    execute(source, scope) {
      return guardHost(() => {
        const { text, entry, call } = run('statements', source, scope, false);
        const { names, firstGlobal, returnsAttachedData } = entry.plan;
        if (text.charCodeAt(0) === 33 /* ! */) {
          const sep = text.indexOf(FIELD_SEPARATOR);
          const slot = Number(text.slice(1, sep));
          const what = slot === 0 ? 'the return value' : slot <= firstGlobal ? names[slot - 1] : 'call.attachedData';
          throw new RingflowError('RF_EXPR_RESULT', { detail: `${what}: ${text.slice(sep + 1)}` });
        }
        const parts = text.split(FIELD_SEPARATOR);
        const result = decode(parts[0], 'the return value');
        const updates: [string, unknown][] = [];
        for (let i = 0; i < firstGlobal; i++) {
          if (parts[i + 1] !== texts[i]) updates.push([names[i], decode(parts[i + 1], names[i])]);
        }
        let attached: Record<string, unknown> | undefined;
        if (returnsAttachedData) {
          const before = call !== null && typeof call === 'object' ? JSON.stringify((call as { attachedData?: unknown }).attachedData) ?? '' : '';
          const after = parts[firstGlobal + 1];
          if (after !== before) {
            const data = decode(after, 'call.attachedData') ?? {};
            if (data === null || typeof data !== 'object' || Array.isArray(data)) {
              throw new RingflowError('RF_EXPR_RESULT', { detail: 'call.attachedData must be an object' });
            }
            attached = data as Record<string, unknown>;
          }
        }
        for (const [name, value] of updates) scope.setVar(name, value);
        if (attached) scope.setAttachedData?.(attached);
        return result;
      });
    },

    check(source, kind) {
      return guardHost(() => {
        const realm = host.realm();
        return inRealm(realm, () => problemOf(realm, planFor(kind, source), source));
      });
    },

    dispose() {
      host.dispose();
    },
  };
}
