// How often QuickJS asks the interrupt handler whether to stop.
//
// QuickJS consults the handler once every 10,000 "polls" (loop back-edges and calls). A loop whose
// body is one heavy native call (`for (;;) new Array(1e5).fill(1)`, `'a'.repeat(3e5).split('')`)
// polls only every few milliseconds, so a 100 ms deadline was measured to overrun by 3 to 69
// seconds. The countdown lives in the JSContext (`interrupt_counter`), inside the WASM memory:
// each evaluation starts it low, and the handler resets it after every call so that it fires about
// every quarter to one millisecond, whatever the cost of a poll.
//
// The counter's offset in the JSContext is a detail of the QuickJS build, so it is found once per
// WASM module on a throwaway context: at a handler call the counter has just been reset to 10,000,
// and writing a small value there must make the handler fire that much more often. When the probe
// finds nothing (another QuickJS build), pacing is off and QuickJS's own schedule applies.

import type { QuickJSWASMModule } from 'quickjs-emscripten-core';

/** The value QuickJS resets the countdown to before calling the handler (JS_INTERRUPT_COUNTER_INIT). */
const COUNTER_INIT = 10_000;
/** Bytes of the JSContext searched for the counter. */
const SCAN_BYTES = 1024;
/** Polls before the first handler call of an evaluation: short expressions never reach it. */
export const FIRST_POLLS = 16;
const PROBE_POLLS = 8;

export interface Pacing {
  /** Address of the context's interrupt countdown, 0 when pacing is off. */
  readonly counterPtr: number;
  /** Called at the start of every evaluation. */
  start(now: number): void;
  /** Called from the interrupt handler. */
  onInterrupt(now: number): void;
}

interface HeapOwner {
  HEAPU8: Uint8Array;
}

export function createPacing(heap: HeapOwner, counterPtr: number): Pacing {
  let polls = FIRST_POLLS;
  let last = 0;
  let view = new Int32Array(heap.HEAPU8.buffer);
  const write = (value: number): void => {
    if (view.buffer !== heap.HEAPU8.buffer) view = new Int32Array(heap.HEAPU8.buffer);
    view[counterPtr >>> 2] = value;
  };
  return {
    counterPtr,
    start(now) {
      if (counterPtr === 0) return;
      polls = FIRST_POLLS;
      last = now;
      write(polls);
    },
    onInterrupt(now) {
      if (counterPtr === 0) return;
      const elapsed = now - last;
      last = now;
      if (elapsed < 0.25) polls = Math.min(polls * 4, COUNTER_INIT);
      else if (elapsed > 1) polls = Math.max(1, polls >> 2);
      write(polls);
    },
  };
}

/** The offset of `interrupt_counter` in a JSContext of this module, or undefined. */
export function findCounterOffset(module: QuickJSWASMModule): number | undefined {
  const heap = (module.getFFI() as unknown as { module: HeapOwner }).module;
  const rt = module.newRuntime();
  const ctx = rt.newContext();
  const ctxPtr = (ctx as unknown as { ctx: { value: number } }).ctx.value;
  let onCall: () => void = () => {};
  rt.setInterruptHandler(() => {
    onCall();
    return false;
  });
  const run = (code: string): void => {
    const r = ctx.evalCode(code);
    (r.error ?? r.value).dispose();
  };
  const at = (address: number): number => new Int32Array(heap.HEAPU8.buffer)[address >>> 2];
  const set = (address: number, value: number): void => {
    new Int32Array(heap.HEAPU8.buffer)[address >>> 2] = value;
  };
  try {
    let candidates: number[] | undefined;
    onCall = () => {
      const hits: number[] = [];
      for (let offset = 0; offset < SCAN_BYTES; offset += 4) if (at(ctxPtr + offset) === COUNTER_INIT) hits.push(offset);
      candidates = candidates ? candidates.filter((c) => hits.includes(c)) : hits;
    };
    run('for (let i = 0; i < 30000; i++) {}');
    for (const offset of candidates ?? []) {
      let calls = 0;
      onCall = () => {
        calls++;
        set(ctxPtr + offset, PROBE_POLLS);
      };
      set(ctxPtr + offset, PROBE_POLLS);
      run('for (let i = 0; i < 2000; i++) {}');
      onCall = () => {};
      if (calls >= 100) return offset;
      set(ctxPtr + offset, COUNTER_INIT); // not the counter: put the field back as it was
    }
    return undefined;
  } finally {
    ctx.dispose();
    rt.dispose();
  }
}
