// A map bounded by its number of entries that forgets the least recently used first: for caches of
// things that cost to compute and repeat (parsed scenarios, checked phone numbers). One per owner,
// never module-wide, so two servers in one process share nothing.

export class LruMap<V> {
  readonly #max: number;
  readonly #entries = new Map<string, V>(); // iteration order = least recently used first

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores the value as the most recently used, forgetting the least recently used past the bound. */
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
