// Keep-alive connections, reused across requests. Each is pinned to one (origin, vetted address)
// pair, so reusing it never reaches an address the guard did not approve for that origin.

import { Client } from 'undici';
import { openPinnedConnection, type PinnedConnectionOptions } from './pinned-connection.ts';

export class ConnectionPool {
  readonly #clients = new Map<string, Client>();
  readonly #max: number;
  readonly #options: PinnedConnectionOptions;

  constructor(max: number, options: PinnedConnectionOptions = {}) {
    this.#max = max;
    this.#options = options;
  }

  /** The connection for this pair, opened if needed; the least recently used one is closed past the limit. */
  acquire(origin: string, address: string): Client {
    const key = `${origin}|${address}`;
    let client = this.#clients.get(key);
    if (client && (client.closed || client.destroyed)) client = undefined;
    if (client) this.#clients.delete(key);
    else client = openPinnedConnection(origin, address, this.#options);
    this.#clients.set(key, client); // most recently used last
    if (this.#clients.size > this.#max) {
      const [oldest, stale] = this.#clients.entries().next().value!;
      this.#clients.delete(oldest);
      void stale.close().catch(() => {});
    }
    return client;
  }

  /** Closes a connection at once (an aborted, failed or unread exchange) and forgets it. */
  discard(origin: string, address: string, client: Client): void {
    const key = `${origin}|${address}`;
    if (this.#clients.get(key) === client) this.#clients.delete(key);
    void client.destroy().catch(() => {});
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.destroy().catch(() => {})));
  }
}
