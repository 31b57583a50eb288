// The WASM modules behind a sandbox and the realm in use.
//
// Recovery. A host exception thrown out of the WASM (the V8 stack overflowing inside QuickJS, an
// abort) leaves QuickJS mid-operation: freeing that runtime trips its leak assertion (which aborts
// the module) and the C stack pointer of the module is not unwound. A realm that may still hold
// something of a run (promise jobs that would not finish, a source that escaped its wrapper) is no
// better. Such a realm is abandoned with its whole WASM module, unfreed, and the next evaluation
// gets a realm in a spare module loaded ahead of time; another spare is then loaded.

import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant } from 'quickjs-emscripten-core';
import * as ngVariant from '@jitl/quickjs-ng-wasmfile-release-sync';
import { findCounterOffset } from './sandbox-pacing.ts';
import { createRealm, type Clock, type LoadedModule, type Realm, type RealmState, type VmOptions } from './sandbox-realm.ts';

export interface VmHost {
  /** The realm to use now; it may change between evaluations, never during one. */
  realm(): Realm;
  /** Drops a realm and its module (see the header); the next evaluation gets a fresh one. */
  abandonRealm(realm: Realm): void;
  dispose(): void;
}

// The lib settings of the project do not declare WebAssembly; only Memory is needed.
const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (limits: { initial: number; maximum: number }) => never } }).WebAssembly;

// The package's types describe its CommonJS build, where the variant sits one `default` deeper
// than in the ES module Node loads; this accepts both.
function syncVariant(): QuickJSSyncVariant {
  const outer = (ngVariant as { default?: unknown }).default ?? ngVariant;
  return ((outer as { default?: unknown }).default ?? outer) as QuickJSSyncVariant;
}

const PAGE_BYTES = 64 * 1024;
/** Emscripten's INITIAL_MEMORY for this build: its static data, C stack and first heap. */
const INITIAL_WASM_BYTES = 16 * 1024 * 1024;
/** The maximum the module itself declares (2 GiB). */
const MAX_WASM_PAGES = 32768;

// QuickJS's memory limit misses some large allocations: 60 arrays of 100,000 elements (80 MB)
// were allocated under a 32 MiB limit. The WASM memory itself gets a maximum, so that malloc fails
// (and QuickJS throws its out-of-memory error) before the process pays for a runaway evaluation.
async function loadModule(options: VmOptions): Promise<LoadedModule> {
  const maximumPages = Math.min(MAX_WASM_PAGES, Math.ceil((INITIAL_WASM_BYTES + 2 * options.memoryBytes) / PAGE_BYTES));
  const capped = newVariant(syncVariant(), {
    wasmMemory: async () => new wasm.Memory({ initial: INITIAL_WASM_BYTES / PAGE_BYTES, maximum: maximumPages }),
  }) as QuickJSSyncVariant;
  const module = await newQuickJSWASMModuleFromVariant(capped);
  return { module, counterOffset: findCounterOffset(module) };
}

/** Thrown by realm() while no module can host a realm; the caller reports it. */
export class SandboxUnavailableError extends Error {}

export async function createVmHost(options: VmOptions): Promise<VmHost> {
  const clock: Clock = { deadline: Number.POSITIVE_INFINITY };
  let active: LoadedModule | undefined = await loadModule(options);
  // A module loaded ahead of need: replacing a broken one must not wait for an asynchronous load.
  let spare: LoadedModule | undefined;
  let spareLoading: Promise<void> | undefined;
  // Created now, so that a sandbox that cannot be hardened fails at creation, not at first use.
  let current: RealmState | undefined = createRealm(active, options, clock);
  let disposed = false;

  const refillSpare = (): void => {
    if (spare || spareLoading || disposed) return;
    spareLoading = loadModule(options).then(
      (loaded) => {
        spareLoading = undefined;
        if (!disposed) spare = loaded;
      },
      () => {
        spareLoading = undefined; // tried again at the next need
      },
    );
  };
  refillSpare();

  // Set when the active module is not trusted any more: it is left as soon as a spare is ready.
  let stale = false;
  const leaveStaleModule = (): void => {
    if (!stale || !spare) return;
    // The old module and every realm in it are dropped unfreed and become garbage together.
    active = spare;
    spare = undefined;
    stale = false;
    current = undefined;
    refillSpare();
  };

  // Until a spare module is ready, a fresh realm in the same module is the best there is: after a
  // host exception it may fail too, which is then reported like any failure of the sandbox.
  const abandon = (realm: Realm): void => {
    if (current?.realm !== realm) return; // already replaced
    current = undefined;
    stale = true;
    leaveStaleModule();
    refillSpare();
  };

  return {
    realm() {
      if (disposed) throw new SandboxUnavailableError('the sandbox has been disposed');
      leaveStaleModule();
      if (current) return current.realm;
      if (!active) {
        refillSpare();
        throw new SandboxUnavailableError('the expression sandbox is restarting');
      }
      try {
        current = createRealm(active, options, clock);
      } catch (e) {
        active = undefined;
        stale = true;
        refillSpare();
        throw new SandboxUnavailableError(`the expression sandbox is restarting (${String(e)})`);
      }
      return current.realm;
    },
    abandonRealm: abandon,
    dispose() {
      if (disposed) return;
      disposed = true;
      // A realm in a stale module may not free (see the header); it goes with its module.
      if (!stale) {
        try {
          current?.dispose();
        } catch {
          // the same: left to the garbage collector with its module
        }
      }
      current = undefined;
      active = undefined;
      spare = undefined;
    },
  };
}
