// Group commit: writes asked for at about the same time share one transaction, so a busy server pays
// for one commit per batch instead of one per write — the cost that bounds SQLite on a slow disk.
// Each caller's promise settles only once its batch is committed (or has failed): nothing is
// acknowledged before it is durable.

import type { Repositories, Store } from './store.ts';

type Work = (tx: Repositories) => Promise<unknown>;

interface Pending {
  work: Work;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  readonly #store: Store;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #running = false;

  constructor(store: Store, maxBatch = 256) {
    this.#store = store;
    this.#maxBatch = maxBatch;
  }

  /** Runs `work` in a transaction shared with the writes queued meanwhile; resolves once committed. */
  write<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) void this.#drain();
    });
  }

  /** Resolves when everything queued so far is written. */
  async flush(): Promise<void> {
    await this.write(async () => {});
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      // Writes queued while a batch commits form the next batch.
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          // The writes of a batch run side by side in their transaction: each keeps its own
          // statements in order, and their round trips to the database overlap instead of adding
          // up. They are independent by construction (the writes of one run or call wait for the
          // previous one to be committed before they are queued).
          const results = await this.#store.transaction(async (tx) => {
            const settled = await Promise.allSettled(batch.map((p) => p.work(tx)));
            const failed = settled.find((s) => s.status === 'rejected');
            if (failed) throw (failed as PromiseRejectedResult).reason;
            return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
          });
          batch.forEach((p, i) => p.resolve(results[i]));
        } catch {
          // One write failed and took the batch with it: each goes again alone, so only the
          // faulty one fails (PostgreSQL aborts a whole transaction on any error).
          for (const p of batch) {
            try {
              p.resolve(await this.#store.transaction(async (tx) => p.work(tx)));
            } catch (e) {
              p.reject(e);
            }
          }
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
