// The background deliverer: sends due deliveries, retries failures with back-off until their time is
// up, and keeps every state in the database, so a restart resumes exactly where it stopped. At least
// once: a receiver may see an event twice (same X-Ringflow-Event-Id), never zero times silently.
//
// Attempts run side by side (up to `concurrency`), and a new one starts as soon as a slot frees: a
// receiver that hangs until the timeout holds one slot, not everybody's deliveries. One attempt at
// a time per origin (scheme, host, port): the HTTP client keeps one connection per origin, so a
// second request there would only wait behind the first — and fail with it when a hung one is cut.
// Order per destination comes from the store: a queued delivery is not due while an older one to
// its destination is pending, so it is sent only once the one before it has been accepted.

import type { HttpClient } from '../http/exchange.ts';
import type { DeliveryRecord } from '../store/deliveries.ts';
import type { Store } from '../store/store.ts';
import type { Clock, Timer } from '../time/clock.ts';
import { retryDelayMs } from './backoff.ts';
import { ATTEMPT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, sign } from './signature.ts';

export interface DelivererOptions {
  store: Store;
  http: HttpClient;
  clock: Clock;
  /** The HMAC secret of a tenant. */
  secretOf: (tenantId: string) => Promise<string>;
  retryForMs: number;
  firstRetryMs: number;
  maxRetryMs: number;
  timeoutMs: number;
  /** Attempts in flight at once. */
  concurrency?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>) => void;
  /** Told of each attempt's outcome (metrics). */
  onAttempt?: (outcome: 'delivered' | 'retry' | 'failed', delivery: DeliveryRecord) => void;
}

/** Even with nothing due, look again this often (another node may have added work). */
const IDLE_CHECK_MS = 30_000;
/** While attempts are in flight, look this often for deliveries that come due meanwhile. */
const BUSY_CHECK_MS = 500;
/** After the database failed, try again after this long. */
const ERROR_RETRY_MS = 1000;
/** Due deliveries read at once, and at most so many pages per look. */
const PAGE = 100;
const MAX_PAGES = 5;
/** Destinations left out of one query at most (bound parameters). */
const MAX_SKIPPED = 400;

export class Deliverer {
  readonly #o: DelivererOptions;
  readonly #stopping = new AbortController();
  /** Attempts in flight, by delivery id. */
  readonly #inFlight = new Map<string, { destination: string; origin: string }>();
  readonly #attempts = new Set<Promise<void>>();
  /** Ids whose attempt ended while a scan was reading: that scan's list may show them still due. */
  readonly #settledDuringScan = new Set<string>();
  #timer: Timer | undefined;
  #scanning: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: DelivererOptions) {
    this.#o = options;
  }

  start(): void {
    this.wake();
  }

  /** Look for due deliveries now (after something was enqueued, or an attempt ended). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#scanning) {
      this.#again = true;
      return;
    }
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#settledDuringScan.clear();
    this.#scanning = this.#scan().finally(() => {
      this.#scanning = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** Stops looking; attempts in flight end (their state written, or left pending for the next start). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#stopping.abort(new Error('deliverer stopped'));
    await this.#scanning;
    await Promise.all(this.#attempts);
  }

  /** Starts the due deliveries there is room for, then sets the timer for the next look. */
  async #scan(): Promise<void> {
    const { store, clock } = this.#o;
    const capacity = Math.max(1, this.#o.concurrency ?? 8);
    try {
      const room = capacity - this.#inFlight.size;
      if (room <= 0) return; // an attempt ending wakes us
      const now = iso(clock.now());
      const busyOrigins = new Set([...this.#inFlight.values()].map((f) => f.origin));
      // Deliveries to a busy receiver are left out of the next page, so the others are found.
      const skip = new Set([...this.#inFlight.values()].map((f) => f.destination));
      const fresh: DeliveryRecord[] = [];
      let exhausted = false;
      for (let page = 0; page < MAX_PAGES && fresh.length < room && skip.size <= MAX_SKIPPED; page++) {
        const due = await store.deliveries.due(now, PAGE, [...skip]);
        for (const d of due) {
          if (fresh.length === room) break;
          if (this.#inFlight.has(d.id) || this.#settledDuringScan.has(d.id)) continue;
          skip.add(d.destination);
          const origin = originOf(d.destination);
          if (busyOrigins.has(origin)) continue;
          busyOrigins.add(origin);
          fresh.push(d);
        }
        exhausted = due.length < PAGE;
        if (exhausted) break;
      }
      for (const d of fresh) this.#launch(d);
      if (fresh.length === room) return; // an attempt ending wakes us
      if (!exhausted) return this.#arm(BUSY_CHECK_MS);
      const next = await store.deliveries.nextDue();
      const wait = next === undefined ? IDLE_CHECK_MS : Date.parse(next) - clock.now();
      // A due time already past belongs to a delivery in flight, or waiting for its busy receiver:
      // an attempt ending wakes us; meanwhile look now and then for work coming due.
      const busy = this.#inFlight.size > 0;
      this.#arm(wait > 0 ? Math.min(wait, busy ? BUSY_CHECK_MS : IDLE_CHECK_MS) : busy ? BUSY_CHECK_MS : 0);
    } catch (e) {
      this.#o.log?.('error', 'delivery loop failed; retrying shortly', { err: String(e) });
      this.#arm(ERROR_RETRY_MS);
    }
  }

  #arm(ms: number): void {
    if (this.#stopped) return;
    this.#timer?.cancel();
    this.#timer = this.#o.clock.setTimer(Math.max(0, ms), () => this.wake());
  }

  #launch(d: DeliveryRecord): void {
    this.#inFlight.set(d.id, { destination: d.destination, origin: originOf(d.destination) });
    const attempt: Promise<void> = this.#attempt(d)
      .catch((e: unknown) => {
        // The state could not be written (database gone): the delivery stays pending, tried again later.
        this.#o.log?.('error', 'could not record a delivery attempt', { id: d.id, err: String(e) });
      })
      .finally(() => {
        this.#inFlight.delete(d.id);
        this.#attempts.delete(attempt);
        if (this.#scanning) this.#settledDuringScan.add(d.id);
        this.wake();
      });
    this.#attempts.add(attempt);
  }

  async #attempt(d: DeliveryRecord): Promise<void> {
    const { store, clock, http } = this.#o;
    const attempts = d.attempts + 1;
    const secret = await this.#o.secretOf(d.tenantId);
    const timestamp = Math.floor(clock.now() / 1000);
    let error: string;
    try {
      const response = await http.send(
        {
          url: d.destination,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [EVENT_ID_HEADER]: d.id,
            [SIGNATURE_HEADER]: sign(secret, timestamp, d.body),
            [ATTEMPT_HEADER]: String(attempts),
          },
          body: d.body,
          timeoutMs: this.#o.timeoutMs,
          // A receiver must answer at its URL: a redirect is a failure to fix, not to follow.
          maxRedirects: 0,
        },
        this.#stopping.signal,
      );
      if (response.ok) {
        await store.deliveries.markDelivered(d.id, iso(clock.now()), attempts);
        this.#o.onAttempt?.('delivered', d);
        return;
      }
      error = response.error ? `${response.error}${response.errorDetail ? `: ${response.errorDetail}` : ''}` : `HTTP ${response.status}`;
    } catch (e) {
      if (this.#stopping.signal.aborted) return; // stopping: the delivery stays pending, with its attempts so far
      throw e;
    }
    const now = clock.now();
    if (now - Date.parse(d.created) >= this.#o.retryForMs) {
      await store.deliveries.markFailed(d.id, attempts, error);
      this.#o.log?.('error', 'delivery given up', { id: d.id, destination: d.destination, attempts, error });
      this.#o.onAttempt?.('failed', d);
    } else {
      const next = now + retryDelayMs(attempts, this.#o.firstRetryMs, this.#o.maxRetryMs);
      await store.deliveries.markRetry(d.id, attempts, iso(next), error);
      this.#o.log?.('warn', 'delivery failed; will retry', { id: d.id, destination: d.destination, attempts, error, next: iso(next) });
      this.#o.onAttempt?.('retry', d);
    }
  }
}

/** `http://host:port` of a destination (an unparsable one is its own origin: its attempt fails). */
function originOf(destination: string): string {
  try {
    return new URL(destination).origin;
  } catch {
    return destination;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
