// What every repository is built from: the database handle (the root one, or a transaction's) and
// the clock that stamps what is written.

import type { Kysely } from 'kysely';
import type { Clock } from '../../time/clock.ts';
import type { Schema } from './schema.ts';

export type Db = Kysely<Schema>;

export interface SqlContext {
  readonly db: Db;
  readonly clock: Clock;
}

/** The clock's time as ISO-8601 text, the form every time column holds. */
export function nowIso(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

/** The clock's time plus `ms`, as ISO text. */
export function laterIso(clock: Clock, ms: number): string {
  return new Date(clock.now() + ms).toISOString();
}

/**
 * Runs `work` in a transaction: a new one, or the caller's when the repository was handed one by
 * Store.transaction (Kysely cannot nest them, and the statements must commit with the caller's).
 */
export function atomic<T>(db: Db, work: (db: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
