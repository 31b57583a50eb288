// RTP ports for one engine instance. RTP takes even ports and leaves the odd one above for RTCP
// (RFC 3550 §11). The cursor moves on after each allocation, so a port just released is not reused
// at once and stray packets of an ended call do not land in the next one.

export interface PortRange {
  /** Lowest port (rounded up to even). */
  min: number;
  /** Highest port usable for RTP (inclusive). */
  max: number;
}

export const DEFAULT_RTP_PORTS: PortRange = { min: 10000, max: 20000 };

export class PortAllocator {
  readonly #min: number;
  readonly #count: number;
  readonly #inUse = new Set<number>();
  #cursor = 0;

  constructor(range: PortRange = DEFAULT_RTP_PORTS) {
    const min = range.min + (range.min % 2);
    if (!(min >= 1024 && range.max <= 65535 && range.max >= min)) {
      throw new RangeError(`bad RTP port range ${range.min}–${range.max}`);
    }
    this.#min = min;
    this.#count = Math.floor((range.max - min) / 2) + 1;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /**
   * Offers free even ports in turn to `tryPort` (which binds a socket and returns it, or null when
   * the port is taken by another process) until one is accepted; null when every port was refused.
   * An exception from `tryPort` (not "port taken") stops the search and propagates.
   */
  async acquire<T>(tryPort: (port: number) => Promise<T | null>): Promise<{ port: number; value: T } | null> {
    for (let attempt = 0; attempt < this.#count; attempt++) {
      const port = this.#min + 2 * this.#cursor;
      this.#cursor = (this.#cursor + 1) % this.#count;
      if (this.#inUse.has(port)) continue;
      this.#inUse.add(port); // reserve across the await so two sessions never try the same port
      let value: T | null;
      try {
        value = await tryPort(port);
      } catch (err) {
        this.#inUse.delete(port);
        throw err;
      }
      if (value !== null) return { port, value };
      this.#inUse.delete(port);
    }
    return null;
  }

  release(port: number): void {
    this.#inUse.delete(port);
  }
}

/** Every port of the range is in use (or taken by another process). */
export class NoRtpPortError extends Error {
  override name = 'NoRtpPortError';
  readonly code = 'RF_NO_RTP_PORT';
}
