// The tables as Kysely sees them. Column names are snake_case; times are ISO-8601 text (they sort
// as text and read the same on both engines), JSON is text, booleans are integers 0/1.

import type { Generated } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  webhook_secret: string;
  created: string;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string | null;
  prefix: string;
  /** SHA-256 of the key text, hex. */
  key_hash: string;
  created: string;
  revoked: string | null;
}

export interface ScenariosTable {
  sid: string;
  tenant_id: string;
  name: string;
  format: string;
  /** The current version (its script is in scenario_versions). */
  version: number;
  created: string;
  updated: string;
  /** Set when deleted: the row stays for the runs that used it. */
  deleted: string | null;
}

export interface ScenarioVersionsTable {
  scenario_sid: string;
  version: number;
  script: string;
  created: string;
}

export interface NumbersTable {
  e164: string;
  tenant_id: string;
  scenario_sid: string;
  assigned: string;
}

export interface RunsTable {
  sid: string;
  tenant_id: string;
  scenario_sid: string;
  scenario_version: number;
  type: string;
  status: string;
  /** JSON object. */
  variables: string;
  /** JSON RunError or null. */
  error: string | null;
  created: string;
  started: string | null;
  ended: string | null;
  /** The node (server) carrying the run out; null for runs of before migration 002. */
  node: string | null;
}

/** Idempotency keys of run creation, per tenant. */
export interface RunKeysTable {
  tenant_id: string;
  key: string;
  run_sid: string;
  request_hash: string;
  created: string;
}

export interface TimelineEventsTable {
  run_sid: string;
  seq: number;
  /** JSON TimelineEvent. */
  event: string;
}

export interface CallsTable {
  sid: string;
  tenant_id: string;
  run_sid: string;
  direction: string;
  from_number: string;
  to_number: string;
  status: string;
  /** JSON Cdr. */
  cdr: string;
  /** JSON object. */
  attached_data: string;
  created: string;
  updated: string;
}

export interface RecordingsTable {
  sid: string;
  tenant_id: string;
  run_sid: string;
  call_sid: string | null;
  path: string | null;
  duration_ms: number;
  format: string;
  created: string;
}

export interface CallRequestsTable {
  unique_id: string;
  tenant_id: string;
  run_sid: string;
  conversation_id: string;
  project: string;
  scenario_sid: string;
  destination: string;
  display_number: string;
  call_state: string;
  result_destination: string | null;
  /** 0 or 1. */
  send_result_immediately: number;
  orchestrator_url: string;
  /** JSON object or null. */
  end_user: string | null;
  locale: string | null;
  /** JSON object. */
  variables: string;
  created: string;
  updated: string;
  started: string | null;
  answered: string | null;
  ended: string | null;
  duration: number | null;
}

export interface DeliveriesTable {
  /** Autoincrement (SQLite) or identity (PostgreSQL): the order of creation. */
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  kind: string;
  destination: string;
  body: string;
  mode: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created: string;
  delivered_at: string | null;
}

export interface MemcacheTable {
  tenant_id: string;
  key: string;
  /** JSON of a value that is not a finite number; null when `num` holds it. */
  value: string | null;
  /** The value when it is a finite number, so `incr` can add to it in SQL. */
  num: number | null;
  /** ISO time after which the entry is gone; null: never. */
  expires: string | null;
}

export interface Schema {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  scenarios: ScenariosTable;
  scenario_versions: ScenarioVersionsTable;
  numbers: NumbersTable;
  runs: RunsTable;
  run_keys: RunKeysTable;
  timeline_events: TimelineEventsTable;
  calls: CallsTable;
  recordings: RecordingsTable;
  call_requests: CallRequestsTable;
  deliveries: DeliveriesTable;
  memcache: MemcacheTable;
}
