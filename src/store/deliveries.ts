// Durable webhook and result deliveries (SPEC §3.2 "Result delivery"): every state here is in the
// database, so a restart resumes where it stopped, and nothing is dropped without a trace.

export type DeliveryMode =
  /** Sent as soon as possible, independently of the others. */
  | 'immediate'
  /** Sent by the background deliverer, in order of creation per destination. */
  | 'queued';

export interface DeliveryRecord {
  /** The event id (`X-Ringflow-Event-Id`): `EV` + random, the same on every attempt. */
  id: string;
  tenantId: string;
  /** `result` (a Knovvu call result), `event` (a conversation event to an orchestrator), … */
  kind: string;
  /** http(s) URL. */
  destination: string;
  /** The JSON body, as sent. */
  body: string;
  mode: DeliveryMode;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** ISO time of the next attempt (pending only). */
  nextAttemptAt: string;
  lastError: string | null;
  created: string;
  deliveredAt: string | null;
  /** Increasing number giving the order of creation. */
  seq: number;
}

/** What a new delivery is made of; the rest (status, attempts, seq…) the store fills in. */
export type NewDelivery = Pick<DeliveryRecord, 'id' | 'tenantId' | 'kind' | 'destination' | 'body' | 'mode' | 'created' | 'nextAttemptAt'>;

export interface DeliveriesRepository {
  enqueue(delivery: NewDelivery): Promise<DeliveryRecord>;
  /**
   * Pending deliveries whose time has come, oldest first, at most `limit`. A queued delivery is due
   * only when no older queued delivery to the same destination is still pending (order per
   * destination); immediate ones are independent. `skipDestinations`: leave out deliveries to these
   * (the deliverer's receivers that are busy), so that others further down the list are found.
   */
  due(now: string, limit: number, skipDestinations?: readonly string[]): Promise<DeliveryRecord[]>;
  /** The earliest nextAttemptAt among pending deliveries (to sleep until then), or undefined. */
  nextDue(): Promise<string | undefined>;
  markDelivered(id: string, at: string, attempts: number): Promise<void>;
  markRetry(id: string, attempts: number, nextAttemptAt: string, error: string): Promise<void>;
  markFailed(id: string, attempts: number, error: string): Promise<void>;
  get(id: string): Promise<DeliveryRecord | undefined>;
  backlog(): Promise<{ pending: number; failed: number }>;
}
