// Runs, with their timeline. The engine runs them in memory; the server records every state a user
// relies on here, committed before it is acknowledged.

import type { RunError, RunStatus } from '../runtime/run.ts';
import type { TimelineEvent } from '../runtime/timeline.ts';

export interface RunRecord {
  /** `RN` + random: the engine's run sid. */
  sid: string;
  tenantId: string;
  scenarioSid: string;
  scenarioVersion: number;
  type: 'api' | 'inbound-call' | 'outbound-call';
  status: RunStatus;
  variables: Record<string, unknown>;
  error: RunError | null;
  created: string;
  started: string | null;
  ended: string | null;
  /** The node (server process) carrying the run out. */
  node: string;
}

export interface RunChanges {
  status?: RunStatus;
  variables?: Record<string, unknown>;
  error?: RunError | null;
  started?: string | null;
  ended?: string | null;
}

export type IdempotentCreate =
  | { created: true; run: RunRecord }
  /** A run was already created with this key: the same request (replay it) or a different one (refuse). */
  | { created: false; run: RunRecord; sameRequest: boolean };

export interface RunsRepository {
  create(run: RunRecord): Promise<void>;
  /**
   * Creates the run unless the tenant already used `key` (kept 24 h): then returns that run, and
   * whether `requestHash` matches the request that created it.
   */
  createIdempotent(run: RunRecord, key: string, requestHash: string): Promise<IdempotentCreate>;
  update(sid: string, changes: RunChanges): Promise<void>;
  get(tenantId: string, sid: string): Promise<RunRecord | undefined>;
  list(tenantId: string, filter: { scenarioSid?: string | undefined; status?: RunStatus | undefined; offset: number; limit: number }): Promise<{ total: number; hits: RunRecord[] }>;
  /** Appends events; `seq` numbers them within the run (0, 1, 2, …, in order of arrival). */
  appendTimeline(runSid: string, events: readonly { seq: number; event: TimelineEvent }[]): Promise<void>;
  timeline(runSid: string): Promise<TimelineEvent[]>;
  /**
   * Runs of `node` left queued or running (the server stopped under them): marks them failed with
   * `error`, returns them. Other nodes' runs are not touched.
   */
  failUnfinished(node: string, error: RunError, ended: string): Promise<RunRecord[]>;
}
