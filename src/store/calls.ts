// Calls (legs) with their CDR and attached data; the Calls API lists them with filters and cursors.

import type { Cdr } from '../telephony/port.ts';

export interface CallRecord {
  sid: string;
  tenantId: string;
  runSid: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  /** `ringing`, `answered` or `ended`. */
  status: string;
  cdr: Cdr;
  attachedData: Record<string, unknown>;
  created: string;
  updated: string;
}

export interface CallFilter {
  status?: string | undefined;
  direction?: 'inbound' | 'outbound' | undefined;
  /** Matches from or to. */
  number?: string | undefined;
  /** created ≥ since, created < until (ISO). */
  since?: string | undefined;
  until?: string | undefined;
  runSid?: string | undefined;
}

export interface CallsRepository {
  /** Inserts or replaces the call's current state. */
  save(call: CallRecord): Promise<void>;
  get(tenantId: string, sid: string): Promise<CallRecord | undefined>;
  /**
   * Newest first. `cursor` is an opaque string from a previous page's `next`; `next` is null on the
   * last page. Stable under inserts: a page never repeats or skips a call.
   */
  list(tenantId: string, filter: CallFilter, cursor: string | undefined, limit: number): Promise<{ hits: CallRecord[]; next: string | null }>;
  forRun(runSid: string): Promise<CallRecord[]>;
}
