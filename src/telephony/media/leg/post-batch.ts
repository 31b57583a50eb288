// Messages to another thread, batched per turn of the event loop: everything posted in one turn
// leaves as one array at its end, in order. A postMessage costs the sender ~15 µs (the copy, the
// wake-up of the other thread); one call's answer posts several commands to its media thread at once.

import type { Transferable } from 'node:worker_threads';

export class PostBatch<T> {
  readonly #send: (batch: T[], transfer: Transferable[]) => void;
  #items: T[] = [];
  #transfer: Transferable[] = [];
  readonly #flush = (): void => {
    const items = this.#items;
    const transfer = this.#transfer;
    this.#items = [];
    this.#transfer = [];
    this.#send(items, transfer);
  };

  constructor(send: (batch: T[], transfer: Transferable[]) => void) {
    this.#send = send;
  }

  push(item: T, transfer?: readonly Transferable[]): void {
    if (this.#items.length === 0) queueMicrotask(this.#flush);
    this.#items.push(item);
    if (transfer) this.#transfer.push(...transfer);
  }
}
