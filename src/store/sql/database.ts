// openStore: the one entry point of the storage layer. Opens SQLite (embedded, the default) or
// PostgreSQL, applies the pending migrations, and returns every repository over it.

import { Kysely, sql } from 'kysely';
import { RingflowError } from '../../errors.ts';
import type { Clock } from '../../time/clock.ts';
import type { Store } from '../store.ts';
import type { SqlContext } from './context.ts';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url.ts';
import { migrate } from './migrations.ts';
import { WorkerSqliteDialect } from './worker-sqlite-dialect.ts';
import { CurrentSchemaPostgresDialect } from './postgres-dialect.ts';
import { createPostgresPool } from './postgres-pool.ts';
import { createRepositories } from './repositories.ts';
import type { Schema } from './schema.ts';

export interface OpenStoreOptions {
  /** `sqlite:PATH`, a plain file path, `:memory:`, or `postgres://user:password@host:5432/db`. */
  url: string;
  /** Stamps every time written and decides expiry (memcache, idempotency keys). */
  clock: Clock;
  /** PostgreSQL: connections kept at most (default 10). */
  maxConnections?: number | undefined;
  /** PostgreSQL: an idle connection failed; the pool replaces it. For logging. */
  onError?: ((error: Error) => void) | undefined;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const target = parseDatabaseUrl(options.url);
  const db = new Kysely<Schema>({ dialect: createDialect(target, options) });
  try {
    await sql`select 1`.execute(db);
    await migrate(db, target.engine);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new RingflowError('RF_DATABASE_OPEN', { target: describe(target), detail: detail(error) }, undefined, { cause: error });
  }
  const context: SqlContext = { db, clock: options.clock };
  return {
    engine: target.engine,
    ...createRepositories(context),
    // On SQLite the transaction holds the one connection until `work` ends: `work` must use the
    // repositories it is given, not this store, or it would wait for itself.
    transaction: (work) => db.transaction().execute((trx) => work(createRepositories({ ...context, db: trx }))),
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

function createDialect(target: DatabaseTarget, options: OpenStoreOptions) {
  if (target.engine === 'postgres') {
    return new CurrentSchemaPostgresDialect({
      pool: createPostgresPool({ connectionString: target.connectionString, max: options.maxConnections, onError: options.onError }),
    });
  }
  // Opened lazily by the driver, so a file that cannot be opened fails the first query above.
  // The connection lives in a worker thread: SQLite's work (and its checkpoints) never blocks this one.
  return new WorkerSqliteDialect({ path: target.path });
}

/** Where the database is, without the password a URL may hold. */
function describe(target: DatabaseTarget): string {
  if (target.engine === 'sqlite') return target.path;
  try {
    const url = new URL(target.connectionString);
    return `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}`;
  } catch {
    return 'postgres://…';
  }
}

function detail(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return detail(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}
