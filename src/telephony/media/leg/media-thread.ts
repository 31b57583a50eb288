// One media worker as the main thread sees it: commands posted to it, replies matched to the op
// that asked, and the legs it holds (which its digit and lost messages are for). Commands posted in
// one turn of the event loop cross in one message (PostBatch).

import { Worker, type Transferable } from 'node:worker_threads';
import { PostBatch } from './post-batch.ts';
import { fromWire, type FromWorker, type Reply, type ToWorker } from './leg-protocol.ts';

const WORKER_URL = new URL('./media-worker.ts', import.meta.url);

/** What a thread tells the legs it holds. */
export interface ThreadLeg {
  heard(digit: string): void;
  lost(why: string): void;
}

export interface MediaThreadEvents {
  /** An error in the media path of leg `id` (null: of the worker itself). */
  error(err: Error, id: number | null): void;
  /** The worker stopped (crashed or terminated); its legs were told `lost`. */
  exit(thread: MediaThread, code: number): void;
}

export class MediaThread {
  readonly #legs = new Map<number, ThreadLeg>();
  /** Legs asked for and not yet bound: counted in the load, so a burst of calls spreads too. */
  #opening = 0;
  readonly #worker: Worker;
  readonly #events: MediaThreadEvents;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #nextOp = 1;
  #alive = true;
  readonly #outbox = new PostBatch<ToWorker>((batch, transfer) => {
    if (this.#alive) this.#worker.postMessage(batch, transfer);
  });

  /** Starts a worker; resolves once its code has loaded, rejects when it cannot. */
  static start(events: MediaThreadEvents): Promise<MediaThread> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL);
      const failed = (err: unknown): void => reject(new Error(`the media worker did not start: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      const onExit = (code: number) => failed(`exited with code ${code}`);
      worker.once('error', failed);
      worker.once('exit', onExit);
      worker.once('message', (batch: FromWorker[]) => {
        worker.off('error', failed);
        worker.off('exit', onExit);
        if (batch[0]?.t !== 'ready') return failed(`said ${batch[0]?.t} first`);
        resolve(new MediaThread(worker, events));
      });
    });
  }

  private constructor(worker: Worker, events: MediaThreadEvents) {
    this.#worker = worker;
    this.#events = events;
    // Workers never keep the process alive on their own: the SIP sockets decide that.
    worker.unref();
    worker.on('message', (batch: FromWorker[]) => {
      for (const m of batch) this.#receive(m);
    });
    worker.on('error', (err) => events.error(err, null));
    worker.on('exit', (code) => this.#exited(code));
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Legs held, and being opened: what the pool balances. */
  get load(): number {
    return this.#legs.size + this.#opening;
  }

  /** Counts a leg being opened here until it is adopted (bound) or abandoned (failed). */
  opening(): { adopt(id: number, leg: ThreadLeg): void; abandon(): void } {
    this.#opening++;
    let settled = false;
    /** True the first time only: a leg is counted once. */
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      this.#opening--;
      return true;
    };
    return {
      adopt: (id, leg) => {
        if (settle()) this.#legs.set(id, leg);
      },
      abandon: () => void settle(),
    };
  }

  /** The leg is closed: its messages go nowhere now. */
  forget(id: number): void {
    this.#legs.delete(id);
  }

  /** A fresh op number, for a command whose reply `expect` waits for. */
  op(): number {
    return this.#nextOp++;
  }

  /** Calls `onReply` with the one reply to `op` (a failed one if the worker stops first). */
  expect(op: number, onReply: (reply: Reply) => void): void {
    if (!this.#alive) return onReply(stoppedReply(op));
    this.#pending.set(op, onReply);
  }

  /** Queues a command; what is queued in this turn leaves together, in order, at its end. */
  post(message: ToWorker, transfer?: readonly Transferable[]): void {
    if (this.#alive) this.#outbox.push(message, transfer);
  }

  /** Posts the command built for a new op and resolves with its reply. */
  request(build: (op: number) => ToWorker): Promise<Reply> {
    const op = this.op();
    return new Promise((resolve) => {
      this.expect(op, resolve);
      this.post(build(op));
    });
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #receive(m: FromWorker): void {
    switch (m.t) {
      case 'reply': {
        const onReply = this.#pending.get(m.op);
        this.#pending.delete(m.op);
        return onReply?.(m);
      }
      case 'digit':
        return this.#legs.get(m.id)?.heard(m.digit);
      case 'lost':
        return this.#legs.get(m.id)?.lost(m.why);
      case 'error':
        return this.#events.error(fromWire(m.error), m.id);
      case 'ready':
        return;
    }
  }

  #exited(code: number): void {
    this.#alive = false;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [op, onReply] of pending) onReply(stoppedReply(op));
    const legs = [...this.#legs.values()];
    for (const leg of legs) leg.lost('the media worker stopped');
    this.#events.exit(this, code);
  }
}

function stoppedReply(op: number): Reply {
  return { t: 'reply', op, ok: false, aborted: false, error: { name: 'Error', message: 'the media worker stopped' } };
}
