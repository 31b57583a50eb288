// One QuickJS runtime and context (a "realm") shared by every evaluation of a sandbox: the
// hardened context, the per-evaluation call made with raw FFI calls (the handle wrappers of
// quickjs-emscripten cost about a third of an evaluation), and the compiled-function and
// frozen-value caches. When a realm can no longer be trusted, sandbox-host.ts replaces it.

import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { createPacing } from './sandbox-pacing.ts';
import { FIELD_SEPARATOR, PRELUDE_SOURCE } from './sandbox-prelude.ts';

export interface VmOptions {
  readonly timeoutMs: number;
  readonly memoryBytes: number;
  readonly stackBytes: number;
  /** Compiled functions kept per realm (LRU). */
  readonly cacheSize: number;
  /** Frozen values kept per realm, by total JSON length (LRU). */
  readonly valueCacheChars: number;
}

/** An exception raised by guest code (or by QuickJS on its behalf), described inside the sandbox. */
export class GuestError extends Error {
  readonly guestName: string;
  readonly guestMessage: string;
  /** The interrupt fired: the deadline had passed when the call returned. */
  readonly timedOut: boolean;
  /** For a SyntaxError: its 1-based line in the compiled text. */
  readonly line: number | undefined;
  constructor(guestName: string, guestMessage: string, timedOut: boolean, line?: number) {
    super(`${guestName}: ${guestMessage}`);
    this.guestName = guestName;
    this.guestMessage = guestMessage;
    this.timedOut = timedOut;
    this.line = line;
  }
}

export interface Realm {
  /** `__rf.absent`: the slot value of a name whose value is undefined. */
  readonly absentPtr: number;
  /** Set when the realm should be replaced after the current evaluation. */
  readonly suspect: boolean;
  /**
   * Calls a compiled wrapper with the JSON array of inline values (or undefined) and one slot per
   * name (a handle pointer, or 0 for "in the array"); returns the wrapper's string.
   */
  call(fnPtr: number, input: string | undefined, slots: readonly number[], count: number): string;
  /**
   * Evaluates a wrapper text and calls the factory it evaluates to. Undefined when the value is
   * not the function the text should define: the source closed the wrapper's brackets.
   */
  compile(text: string, factorySource: string): number | undefined;
  /** Compile-only: the SyntaxError of a text, or undefined when it compiles. Runs nothing. */
  syntaxErrorOf(text: string): GuestError | undefined;
  /** A frozen sandbox value for a JSON text (an object or array), reused until evicted. */
  frozenValue(json: string): number;
  /** The compiled-function cache (LRU); the realm frees what it evicts. */
  cached<T extends { fnPtr?: number | undefined }>(key: string): T | undefined;
  remember<T extends { fnPtr?: number | undefined }>(key: string, entry: T): void;
  /** Drops the frozen values, e.g. to give memory back after an out-of-memory error. */
  clearValues(): void;
}

interface Emscripten {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
}

// The FFI functions of the hot path, with plain numbers for pointers.
interface RawFfi {
  module: Emscripten;
  QTS_NewString(ctx: number, str: number): number;
  QTS_Call(ctx: number, fn: number, thisVal: number, argc: number, argv: number): number;
  QTS_ResolveException(ctx: number, value: number): number;
  QTS_GetString(ctx: number, value: number): number;
  QTS_FreeCString(ctx: number, str: number): void;
  QTS_FreeValuePointer(ctx: number, value: number): void;
  QTS_IsJobPending(rt: number): number;
}

export interface RealmState {
  readonly realm: Realm;
  /** Frees everything; only ever done to a healthy realm (see sandbox-host.ts). */
  dispose(): void;
}

export interface Clock {
  deadline: number;
}

export interface LoadedModule {
  readonly module: QuickJSWASMModule;
  /** Offset of the interrupt countdown in a JSContext (see sandbox-pacing.ts); undefined: unknown. */
  readonly counterOffset: number | undefined;
}

const SCRIPT_NAME = 'expr.js';
const SETUP_BUDGET_MS = 10_000;

export function createRealm(loaded: LoadedModule, options: VmOptions, clock: Clock): RealmState {
  const { module } = loaded;
  const rt = module.newRuntime();
  rt.setMemoryLimit(options.memoryBytes);
  rt.setMaxStackSize(options.stackBytes);
  const ctx = rt.newContext();

  // Private fields of quickjs-emscripten 0.32: the raw pointers the hot path works with.
  const ffi = module.getFFI() as unknown as RawFfi;
  const em = ffi.module;
  const ctxPtr = (ctx as unknown as { ctx: { value: number } }).ctx.value;
  const pacing = createPacing(em, loaded.counterOffset === undefined ? 0 : ctxPtr + loaded.counterOffset);
  // One handler for the realm's whole life: an evaluation only moves the deadline.
  rt.setInterruptHandler(() => {
    const now = performance.now();
    pacing.onInterrupt(now);
    return now > clock.deadline;
  });
  const startClock = (ms: number): void => {
    const now = performance.now();
    clock.deadline = now + ms;
    pacing.start(now);
  };
  const rtPtr = (rt as unknown as { rt: { value: number } }).rt.value;
  const adopt = (ptr: number): QuickJSHandle =>
    (ctx as unknown as { memory: { heapValueHandle(p: number): QuickJSHandle } }).memory.heapValueHandle(ptr);
  const undefinedPtr = ptrOf(ctx.undefined);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let suspect = false;

  const owned = new Set<QuickJSHandle>();
  const own = (h: QuickJSHandle): QuickJSHandle => {
    owned.add(h);
    return h;
  };
  const release = (h: QuickJSHandle): void => {
    owned.delete(h);
    if (h.alive) h.dispose();
  };

  const withDeadline = <T>(ms: number, f: () => T): T => {
    startClock(ms);
    try {
      return f();
    } finally {
      clock.deadline = Number.POSITIVE_INFINITY;
    }
  };

  // Describing runs guest code (getters of a thrown object), so it gets a short deadline of its own.
  let messageOf: QuickJSHandle | undefined;
  const describe = (error: QuickJSHandle, timedOut: boolean): GuestError => {
    const saved = clock.deadline;
    clock.deadline = performance.now() + Math.min(options.timeoutMs, 20);
    try {
      if (!messageOf) return new GuestError('Error', String(ctx.dump(error)), timedOut);
      const r = ctx.callFunction(messageOf, ctx.undefined, error);
      if (r.error) {
        r.error.dispose();
        return new GuestError('InternalError', 'interrupted', timedOut);
      }
      const text = ctx.getString(r.value);
      r.value.dispose();
      const first = text.indexOf(FIELD_SEPARATOR);
      const last = text.lastIndexOf(FIELD_SEPARATOR);
      const line = /expr\.js:(\d+)/.exec(text.slice(last + 1))?.[1];
      return new GuestError(text.slice(0, first) || 'Error', text.slice(first + 1, last), timedOut, line ? Number(line) : undefined);
    } finally {
      clock.deadline = saved;
      error.dispose();
    }
  };
  const unwrap = (r: ReturnType<QuickJSContext['evalCode']>): QuickJSHandle => {
    if (r.error) throw describe(r.error, performance.now() > clock.deadline);
    return r.value;
  };

  const helpers = own(withDeadline(SETUP_BUDGET_MS, () => unwrap(ctx.evalCode(PRELUDE_SOURCE, 'prelude.js', { type: 'global', strict: true }))));
  messageOf = own(ctx.getProp(helpers, 'messageOf'));
  const verify = own(ctx.getProp(helpers, 'verify'));
  const load = own(ctx.getProp(helpers, 'load'));
  const resetHooks = own(ctx.getProp(helpers, 'reset'));
  const absentPtr = ptrOf(own(ctx.getProp(helpers, 'absent')));

  // Scratch memory in the WASM heap, reused by every call: the input text and the argv array.
  const malloc = (bytes: number): number => {
    const ptr = em._malloc(bytes);
    if (ptr === 0) throw new GuestError('InternalError', 'out of memory', false);
    return ptr;
  };
  let textCap = 4096;
  let textPtr = malloc(textCap);
  let argvCap = 16;
  let argvPtr = malloc(argvCap * 4);
  let u32 = new Uint32Array(em.HEAPU8.buffer);

  const newInputString = (s: string): number => {
    for (;;) {
      if (textCap > 0) {
        const heap = em.HEAPU8;
        const { read, written } = encoder.encodeInto(s, heap.subarray(textPtr, textPtr + textCap - 1));
        if (read === s.length) {
          heap[textPtr + written] = 0;
          break;
        }
        em._free(textPtr);
        textCap = 0;
      }
      textPtr = malloc(s.length * 3 + 1);
      textCap = s.length * 3 + 1;
    }
    const value = ffi.QTS_NewString(ctxPtr, textPtr);
    const error = ffi.QTS_ResolveException(ctxPtr, value);
    if (error !== 0) {
      ffi.QTS_FreeValuePointer(ctxPtr, value);
      ffi.QTS_FreeValuePointer(ctxPtr, error);
      throw new GuestError('InternalError', 'out of memory', false);
    }
    return value;
  };

  const readString = (value: number): string => {
    const cstr = ffi.QTS_GetString(ctxPtr, value);
    const heap = em.HEAPU8;
    const end = heap.indexOf(0, cstr);
    let text = '';
    // Most results are short ASCII ("true", a number, a name): cheaper than a TextDecoder call.
    if (end - cstr <= 32) {
      for (let i = cstr; i < end; i++) {
        const b = heap[i];
        if (b >= 0x80) {
          text = decoder.decode(heap.subarray(cstr, end));
          break;
        }
        text += String.fromCharCode(b);
      }
    } else {
      text = decoder.decode(heap.subarray(cstr, end));
    }
    ffi.QTS_FreeCString(ctxPtr, cstr);
    return text;
  };

  // After guest code: promise callbacks it queued run now, within its deadline, so that none is
  // left for another run (a queue that does not empty in time condemns the realm); then the
  // Error hooks are put back unless the wrapper already did it on its way out (see the prelude).
  const afterGuest = (hooksReset: boolean): void => {
    while (ffi.QTS_IsJobPending(rtPtr) !== 0) {
      if (performance.now() > clock.deadline) {
        suspect = true;
        return;
      }
      const r = rt.executePendingJobs();
      if (r.error) r.error.dispose();
      hooksReset = false;
    }
    if (hooksReset) return;
    clock.deadline = performance.now() + Math.min(options.timeoutMs, 20);
    const r = ctx.callFunction(resetHooks, ctx.undefined);
    if (r.error) {
      r.error.dispose();
      suspect = true;
    } else {
      r.value.dispose();
    }
  };

  const functions = new Map<string, { fnPtr?: number | undefined }>();
  const functionHandles = new Map<number, QuickJSHandle>();
  const values = new Map<string, QuickJSHandle>();
  let valueChars = 0;

  const realm: Realm = {
    absentPtr,
    get suspect() {
      return suspect;
    },

    call(fnPtr, input, slots, count) {
      const inputPtr = input === undefined ? undefinedPtr : newInputString(input);
      if (count + 1 > argvCap) {
        if (argvCap > 0) em._free(argvPtr);
        argvCap = 0;
        argvPtr = malloc((count + 1) * 4);
        argvCap = count + 1;
      }
      if (u32.buffer !== em.HEAPU8.buffer) u32 = new Uint32Array(em.HEAPU8.buffer);
      const base = argvPtr >>> 2;
      u32[base] = inputPtr;
      for (let i = 0; i < count; i++) u32[base + 1 + i] = slots[i] || undefinedPtr;
      startClock(options.timeoutMs);
      try {
        const result = ffi.QTS_Call(ctxPtr, fnPtr, undefinedPtr, count + 1, argvPtr);
        if (inputPtr !== undefinedPtr) ffi.QTS_FreeValuePointer(ctxPtr, inputPtr);
        const error = ffi.QTS_ResolveException(ctxPtr, result);
        if (error !== 0) {
          const timedOut = performance.now() > clock.deadline;
          ffi.QTS_FreeValuePointer(ctxPtr, result);
          const described = describe(adopt(error), timedOut);
          afterGuest(false);
          throw described;
        }
        const text = readString(result);
        ffi.QTS_FreeValuePointer(ctxPtr, result);
        afterGuest(true);
        return text;
      } finally {
        clock.deadline = Number.POSITIVE_INFINITY;
      }
    },

    compile(text, factorySource) {
      return withDeadline(options.timeoutMs, () => {
        const factory = unwrap(ctx.evalCode(text, SCRIPT_NAME, { type: 'global', strict: true }));
        try {
          const expected = ctx.newString(factorySource);
          const verdict = ctx.callFunction(verify, ctx.undefined, factory, expected);
          expected.dispose();
          const same = unwrap(verdict).consume((h) => ctx.dump(h) === true);
          if (!same) return undefined;
          const fn = own(unwrap(ctx.callFunction(factory, ctx.undefined, helpers)));
          const ptr = ptrOf(fn);
          functionHandles.set(ptr, fn);
          return ptr;
        } finally {
          factory.dispose();
        }
      });
    },

    syntaxErrorOf(text) {
      const r = withDeadline(SETUP_BUDGET_MS, () => ctx.evalCode(text, SCRIPT_NAME, { type: 'global', strict: true, compileOnly: true }));
      if (!r.error) {
        r.value.dispose();
        return undefined;
      }
      return describe(r.error, false);
    },

    frozenValue(json) {
      const hit = values.get(json);
      if (hit) {
        values.delete(json);
        values.set(json, hit);
        return ptrOf(hit);
      }
      const value = own(
        withDeadline(options.timeoutMs, () => {
          const text = ctx.newString(json);
          try {
            return unwrap(ctx.callFunction(load, ctx.undefined, text));
          } finally {
            text.dispose();
          }
        }),
      );
      values.set(json, value);
      valueChars += json.length;
      for (const [key, old] of values) {
        if (valueChars <= options.valueCacheChars || key === json) break;
        values.delete(key);
        valueChars -= key.length;
        release(old);
      }
      return ptrOf(value);
    },

    cached<T extends { fnPtr?: number | undefined }>(key: string): T | undefined {
      const entry = functions.get(key);
      if (entry === undefined) return undefined;
      functions.delete(key);
      functions.set(key, entry);
      return entry as T;
    },

    remember(key, entry) {
      functions.set(key, entry);
      if (functions.size <= options.cacheSize) return;
      const [oldestKey, oldest] = functions.entries().next().value as [string, { fnPtr?: number }];
      functions.delete(oldestKey);
      if (oldest.fnPtr !== undefined) {
        const handle = functionHandles.get(oldest.fnPtr);
        functionHandles.delete(oldest.fnPtr);
        if (handle) release(handle);
      }
    },

    clearValues() {
      for (const handle of values.values()) release(handle);
      values.clear();
      valueChars = 0;
    },
  };

  return {
    realm,
    dispose() {
      for (const h of owned) if (h.alive) h.dispose();
      owned.clear();
      if (textCap > 0) em._free(textPtr);
      if (argvCap > 0) em._free(argvPtr);
      ctx.dispose();
      rt.dispose();
    },
  };
}

function ptrOf(handle: QuickJSHandle): number {
  return handle.value as unknown as number;
}
