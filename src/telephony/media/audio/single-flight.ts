// Concurrent requests for the same key share one piece of work (one synthesis, one download).
// Each caller keeps its own AbortSignal: a caller that hangs up stops waiting at once, and the
// shared work is aborted only when every caller waiting for it has gone.

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

export class SingleFlight<T> {
  readonly #flights = new Map<string, Flight<T>>();

  /** How many keys have work in progress. */
  get inFlight(): number {
    return this.#flights.size;
  }

  run(key: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const current = this.#flights.get(key);
    // A flight everyone left has been aborted: a newcomer starts afresh rather than inherit that.
    const flight = current && !current.controller.signal.aborted ? current : this.#start(key, work);
    return this.#wait(flight, signal);
  }

  #start(key: string, work: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = {
      promise: Promise.resolve()
        .then(() => work(controller.signal))
        .finally(() => {
          if (this.#flights.get(key) === flight) this.#flights.delete(key);
        }),
      controller,
      waiters: 0,
    };
    this.#flights.set(key, flight);
    return flight;
  }

  #wait(flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters += 1;
    if (!signal) return flight.promise.finally(() => (flight.waiters -= 1));
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const leave = () => {
        done = true;
        flight.waiters -= 1;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (done) return;
        leave();
        if (flight.waiters === 0) flight.controller.abort(signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          if (done) return;
          leave();
          resolve(value);
        },
        (error: unknown) => {
          if (done) return;
          leave();
          reject(error);
        },
      );
    });
  }
}
