// At most N tasks at once; the rest wait their turn (outbound HTTP per run, SPEC §2.5).

export class Limiter {
  #active = 0;
  readonly #max: number;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.#max = max;
  }

  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.#active >= this.#max) {
      await new Promise<void>((resolve, reject) => {
        const turn = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const i = this.#waiting.indexOf(turn);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(signal.reason);
        };
        this.#waiting.push(turn);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      // The finishing task handed its slot over: #active already counts this one.
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
