// Exponential back-off with jitter: first, 2×, 4×… capped, each ±20% so that many deliveries failing
// together do not all come back at the same instant.

export function retryDelayMs(attempts: number, firstMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, firstMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
