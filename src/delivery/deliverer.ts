// The background deliverer: sends due deliveries, retries failures with back-off until their time is
// up, and keeps every state in the database, so a restart resumes exactly where it stopped. At least
// once: a receiver may see an event twice (same X-Ringflow-Event-Id), never zero times silently.

import type { HttpClient } from '../http/exchange.ts';
import type { DeliveryRecord } from '../store/deliveries.ts';
import type { Store } from '../store/store.ts';
import type { Clock, Timer } from '../time/clock.ts';
import { retryDelayMs } from './backoff.ts';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, sign } from './signature.ts';

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

const BATCH = 100;
/** Even with nothing due, look again this often (another node may have added work). */
const IDLE_CHECK_MS = 30_000;

export class Deliverer {
  readonly #o: DelivererOptions;
  readonly #stopping = new AbortController();
  #timer: Timer | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: DelivererOptions) {
    this.#o = options;
  }

  start(): void {
    this.wake();
  }

  /** Look for due deliveries now (after something was enqueued). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#running = this.#tick().finally(() => {
      this.#running = undefined;
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
    await this.#running;
  }

  async #tick(): Promise<void> {
    const { store, clock } = this.#o;
    try {
      const due = await store.deliveries.due(iso(clock.now()), BATCH);
      await this.#inParallel(due);
      if (due.length === BATCH) {
        this.#again = true;
        return;
      }
      const next = await store.deliveries.nextDue();
      const wait = next === undefined ? IDLE_CHECK_MS : Math.min(IDLE_CHECK_MS, Math.max(0, Date.parse(next) - clock.now()));
      if (!this.#stopped) this.#timer = clock.setTimer(wait, () => this.wake());
    } catch (e) {
      this.#o.log?.('error', 'delivery loop failed; retrying shortly', { err: String(e) });
      if (!this.#stopped) this.#timer = clock.setTimer(1000, () => this.wake());
    }
  }

  async #inParallel(due: DeliveryRecord[]): Promise<void> {
    const queue = [...due];
    const worker = async () => {
      for (let d = queue.shift(); d && !this.#stopped; d = queue.shift()) await this.#attempt(d);
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 8, queue.length) }, worker));
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
            'x-ringflow-delivery-attempt': String(attempts),
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
    } catch {
      return; // stopping: the delivery stays pending, with its attempts so far
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

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
