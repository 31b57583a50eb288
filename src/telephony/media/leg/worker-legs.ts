// Media legs spread over a few worker threads (`telephony.sip.rtp.workers`, default one per core).
// The main thread keeps the port allocator and the SIP dialogs; each worker sends and receives the
// RTP of its legs on its own 20 ms clock. A leg goes to the worker holding the fewest; a worker that
// dies takes its calls with it (they end as lost) and is replaced for the next ones.

import { NoRtpPortError, type PortAllocator } from '../rtp/port-allocator.ts';
import { fromWire } from './leg-protocol.ts';
import { MediaThread, type MediaThreadEvents } from './media-thread.ts';
import type { LegSpec, MediaLeg, MediaLegs } from './media-leg.ts';
import { WorkerLeg } from './worker-leg.ts';
import { G711_PAYLOAD_TYPE } from '../rtp/g711.ts';

export interface WorkerLegsOptions {
  threads: number;
  /** Address the RTP sockets bind to. */
  localAddress: string;
  ports: PortAllocator;
  /** An error in the media path (a send that failed) or a worker that stopped. */
  onError: (err: Error) => void;
}

/** How long a worker has to close its sockets at shutdown before it is terminated. */
const SHUTDOWN_GRACE_MS = 2000;

export class WorkerLegs implements MediaLegs {
  readonly #o: WorkerLegsOptions;
  readonly #threads: MediaThread[];
  /** Samples already copied to shared memory, by the array the media resolver handed out (its cache keeps it). */
  readonly #shared = new WeakMap<Int16Array, Int16Array>();
  readonly #events: MediaThreadEvents;
  #nextId = 1;
  #closed = false;

  static async start(options: WorkerLegsOptions): Promise<WorkerLegs> {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`media workers must be a whole number ≥ 1, got ${options.threads}`);
    const pool = new WorkerLegs(options);
    const started = await Promise.allSettled(Array.from({ length: options.threads }, () => MediaThread.start(pool.#events)));
    for (const s of started) if (s.status === 'fulfilled') pool.#threads.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await pool.close();
      throw failed.reason;
    }
    return pool;
  }

  private constructor(options: WorkerLegsOptions) {
    this.#o = options;
    this.#threads = [];
    this.#events = {
      error: (err) => this.#o.onError(err),
      exit: (thread, code) => this.#replace(thread, code),
    };
  }

  /** Legs open (or opening) in each worker. */
  get load(): number[] {
    return this.#threads.map((t) => t.load);
  }

  async open(spec: LegSpec): Promise<MediaLeg> {
    if (this.#closed) throw new Error('the media workers are stopped');
    const thread = this.#pick();
    const id = this.#nextId++;
    const { localAddress, ports } = this.#o;
    const opening = thread.opening();
    let got;
    try {
      got = await ports.acquire(async (port) => {
        const r = await thread.request((op) => ({ t: 'open', op, id, port, localAddress, spec }));
        if (!r.ok) throw fromWire(r.error);
        return r.value === true ? true : null;
      });
    } catch (e) {
      opening.abandon();
      throw e;
    }
    if (!got) {
      opening.abandon();
      throw new NoRtpPortError(`no free RTP port to bind on ${localAddress}`);
    }
    const leg = new WorkerLeg({
      thread,
      id,
      localPort: got.port,
      format: { codec: spec.codec, payloadType: spec.payloadType ?? G711_PAYLOAD_TYPE[spec.codec], telephoneEventPayloadType: spec.telephoneEventPayloadType },
      share: (pcm) => this.#share(pcm),
      release: () => ports.release(got.port),
    });
    opening.adopt(id, leg);
    return leg;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const threads = this.#threads.splice(0);
    await Promise.all(threads.map(async (thread) => {
      if (thread.alive) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)));
        await Promise.race([thread.request((op) => ({ t: 'shutdown', op })), grace]);
        clearTimeout(timer);
      }
      await thread.terminate();
    }));
  }

  #pick(): MediaThread {
    let best: MediaThread | undefined;
    let bestLoad = Infinity;
    for (const t of this.#threads) if (t.alive && t.load < bestLoad) [best, bestLoad] = [t, t.load];
    if (!best) throw new Error('no media worker is running');
    return best;
  }

  #share(pcm: Int16Array): Int16Array {
    if (pcm.buffer instanceof SharedArrayBuffer) return pcm;
    let shared = this.#shared.get(pcm);
    if (!shared) {
      shared = new Int16Array(new SharedArrayBuffer(pcm.byteLength));
      shared.set(pcm);
      this.#shared.set(pcm, shared);
    }
    return shared;
  }

  #replace(thread: MediaThread, code: number): void {
    const at = this.#threads.indexOf(thread);
    if (at < 0 || this.#closed) return;
    this.#threads.splice(at, 1);
    this.#o.onError(new Error(`a media worker stopped (exit code ${code}); its calls ended, a new one takes the next calls`));
    MediaThread.start(this.#events).then(
      (fresh) => {
        if (this.#closed) void fresh.terminate();
        else this.#threads.push(fresh);
      },
      (err: unknown) => this.#o.onError(err instanceof Error ? err : new Error(String(err))),
    );
  }
}
