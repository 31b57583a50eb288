// The script that hardens a fresh QuickJS context before any scenario code runs, and the helpers
// the compiled wrappers call. One context serves every run of an engine, so nothing a run does may
// survive it: globalThis and every intrinsic reachable from it are frozen, code generation from
// strings is removed (indirect eval and QuickJS's Function constructor would otherwise create
// global `let` bindings, which freezing globalThis does not prevent), and the non-standard
// capabilities of the quickjs-ng build (`performance`, `queueMicrotask`) are deleted.
//
// The script is evaluated once per context and evaluates to the frozen helper object that every
// compiled wrapper receives as `__rf`.

/** Separates fields in the strings the helpers hand back to the host; JSON text never holds it raw. */
export const FIELD_SEPARATOR = '\u0001';

export const PRELUDE_SOURCE = String.raw`(function () {
'use strict';
const g = globalThis;
const { freeze, getOwnPropertyNames, getOwnPropertySymbols, getOwnPropertyDescriptor, getPrototypeOf, defineProperty, isFrozen } = Object;
const apply = Reflect.apply;
const fnToString = Function.prototype.toString;
const jsonParse = JSON.parse;
const jsonStringify = JSON.stringify;
const isFiniteNumber = Number.isFinite;
const isWellFormed = String.prototype.isWellFormed;
const indexOf = String.prototype.indexOf;
const TypeErr = TypeError;
const PromiseCtor = Promise;
const SEP = '\u0001';

// Removed rather than stubbed: an expression that names them gets a plain ReferenceError.
for (const name of ['queueMicrotask', 'performance', 'eval', 'WeakRef', 'FinalizationRegistry']) {
  if (!delete g[name]) throw new TypeErr('cannot remove ' + name);
}

// Every kind of function constructor compiles strings as a global script, so all four go.
const fnPrototypes = [
  Function.prototype,
  getPrototypeOf(function* () {}),
  getPrototypeOf(async function () {}),
  getPrototypeOf(async function* () {}),
];
for (const proto of fnPrototypes) {
  const blocked = function () { throw new TypeErr('code generation from strings is not allowed in scenarios'); };
  defineProperty(blocked, 'prototype', { value: proto, writable: false });
  defineProperty(blocked, 'name', { value: proto.constructor.name });
  defineProperty(proto, 'constructor', { value: blocked, writable: false, enumerable: false, configurable: false });
}
defineProperty(g, 'Function', { value: Function.prototype.constructor, writable: false, enumerable: false, configurable: false });

// Error.prepareStackTrace and Error.stackTraceLimit are accessors over context state, which
// freezing cannot stop: a prepareStackTrace left by one run would see (and could keep) the errors
// of the next ones. Every evaluation puts both back before it returns (resetErrorHooks).
const hook = (key) => getOwnPropertyDescriptor(Error, key);
const setPrepareStackTrace = hook('prepareStackTrace').set;
const setStackTraceLimit = hook('stackTraceLimit').set;
const defaultStackTraceLimit = Error.stackTraceLimit;
const clearPrepareStackTrace = apply(Function.prototype.bind, setPrepareStackTrace, [Error, undefined]);
const restoreStackTraceLimit = apply(Function.prototype.bind, setStackTraceLimit, [Error, defaultStackTraceLimit]);
const resetErrorHooks = () => {
  clearPrepareStackTrace();
  restoreStackTraceLimit();
};

// Freezing a prototype makes assignment of an inherited name fail on every object ("override
// mistake"): this.name = 'MyError' in an Error subclass, obj.toString = ... . For those common
// names, the data property becomes an accessor whose setter defines an own property instead.
const allowOverride = (proto, key) => {
  const desc = getOwnPropertyDescriptor(proto, key);
  if (!desc || !('value' in desc)) return;
  const value = desc.value;
  defineProperty(proto, key, {
    get: function () { return value; },
    set: function (v) {
      if (this === proto) throw new TypeErr("cannot assign to read only property '" + key + "'");
      defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: desc.enumerable,
    configurable: false,
  });
};
for (const key of ['constructor', 'toString', 'valueOf', 'toLocaleString']) allowOverride(Object.prototype, key);
for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError, InternalError]) {
  for (const key of ['constructor', 'name', 'message', 'toString']) allowOverride(E.prototype, key);
}

// Intrinsics that no global property leads to, reached through instances.
const hiddenRoots = [
  function* () {}, async function () {}, async function* () {}, async () => {},
  (function* () {})(), (async function* () {})(),
  [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](),
  ''[Symbol.iterator](), /a/[Symbol.matchAll](''), (function () { return arguments; })(),
];
// CallSite objects are only ever handed to a prepareStackTrace hook: fetch one for its prototype.
apply(setPrepareStackTrace, Error, [(_e, sites) => {
  if (sites.length > 0) hiddenRoots.push(sites[0]);
  return '';
}]);
void new Error('probe').stack;
resetErrorHooks();
if (typeof Iterator === 'function') {
  if (typeof Iterator.prototype.map === 'function') hiddenRoots.push([].values().map((x) => x));
  if (typeof Iterator.from === 'function') hiddenRoots.push(Iterator.from({ next() { return { done: true, value: undefined }; } }));
}

const deepFreeze = (roots) => {
  const seen = new Set();
  const todo = roots.slice();
  while (todo.length > 0) {
    const o = todo.pop();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
    seen.add(o);
    freeze(o);
    const proto = getPrototypeOf(o);
    if (proto !== null) todo.push(proto);
    for (const key of getOwnPropertyNames(o)) pushDescriptor(todo, getOwnPropertyDescriptor(o, key));
    for (const key of getOwnPropertySymbols(o)) pushDescriptor(todo, getOwnPropertyDescriptor(o, key));
  }
};
const pushDescriptor = (todo, desc) => {
  if (desc === undefined) return;
  if ('value' in desc) todo.push(desc.value);
  else { todo.push(desc.get); todo.push(desc.set); }
};

// Values handed to many evaluations are frozen so that one evaluation cannot change what the
// next one sees. Freezing from the reviver costs almost nothing over the parse itself (measured:
// a separate walk made loading a 550-character value 75% slower).
const freezeObject = (_key, v) => (v !== null && typeof v === 'object' ? freeze(v) : v);

// A thrown value as 'name SEP message SEP stack' (the stack only for a SyntaxError).
const messageOf = (e) => {
  try {
    if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
      const name = e.name;
      const message = e.message;
      if (typeof name === 'string' || typeof message === 'string') {
        // A SyntaxError's line is only in its stack ("at expr.js:3:1").
        const stack = name === 'SyntaxError' ? e.stack : '';
        return (typeof name === 'string' ? name : 'Error') + SEP + (typeof message === 'string' ? message : '') +
          SEP + (typeof stack === 'string' ? stack : '');
      }
      const json = jsonStringify(e);
      return SEP + 'uncaught ' + (json === undefined ? 'object' : json) + SEP;
    }
    return SEP + 'uncaught ' + (typeof e === 'symbol' ? e.toString() : String(e)) + SEP;
  } catch {
    return SEP + 'uncaught exception' + SEP;
  }
};

// Errors the host must see as such (deadline, memory, stack) rather than as unstorable results.
const isLimit = (e) => e !== null && typeof e === 'object' &&
  (e instanceof InternalError || (e instanceof RangeError && e.message === 'Maximum call stack size exceeded'));

// One value as text for the host: '' is undefined, 's' + text a string passed raw (when raw is
// allowed and the text survives a C string), 'NaN' / 'Infinity' / '-Infinity', '!' + reason a
// value that cannot leave the sandbox, anything else JSON.
const encode = (v, raw) => {
  switch (typeof v) {
    case 'undefined': case 'function': case 'symbol': return '';
    case 'boolean': return v ? 'true' : 'false';
    case 'number': return isFiniteNumber(v) ? '' + v : v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    case 'string':
      return raw && apply(isWellFormed, v, []) && apply(indexOf, v, ['\0']) < 0 ? 's' + v : jsonStringify(v);
    case 'bigint': return '!a BigInt cannot be stored; convert it with Number() or String()';
  }
  if (v instanceof PromiseCtor) return '!a Promise cannot be stored: expressions and snippets run synchronously';
  try {
    const json = jsonStringify(v);
    return json === undefined ? '' : json;
  } catch (e) {
    if (isLimit(e)) throw e;
    const m = messageOf(e);
    return '!' + m.slice(m.indexOf(SEP) + 1, m.lastIndexOf(SEP));
  }
};

const encodeSlots = (values, withCall, call) => {
  if (withCall) values.push(call !== null && typeof call === 'object' ? call.attachedData : undefined);
  let text = '';
  for (let i = 0; i < values.length; i++) {
    const part = encode(values[i], false);
    if (part.charCodeAt(0) === 33) return '!' + i + SEP + part.slice(1);
    text += i === 0 ? part : SEP + part;
  }
  return text;
};

const rf = {
  none: freeze([]),
  absent: freeze({}),
  out: (v) => {
    const text = encode(v, true);
    resetErrorHooks();
    return text;
  },
  outs: (values, withCall, call) => {
    const text = encodeSlots(values, withCall, call);
    resetErrorHooks();
    return text;
  },
  reset: resetErrorHooks,
  load: (json) => jsonParse(json, freezeObject),
  messageOf,
  verify: (f, text) => typeof f === 'function' && apply(fnToString, f, []) === text,
  seal: (f) => { freeze(f.prototype); return freeze(f); },
};

deepFreeze([g, rf, ...hiddenRoots]);
for (const o of [g, Object.prototype, Array.prototype, Function.prototype, JSON, Math, Reflect]) {
  if (!isFrozen(o)) throw new TypeErr('hardening failed');
}
return rf;
})()`;
