// The PostgreSQL connection pool, with this pool's own type parsers.

import pg from 'pg';

export interface PostgresPoolOptions {
  connectionString: string;
  /** Connections kept at most (default 10). */
  max?: number | undefined;
  /** Called when an idle connection fails (the server restarted, the network dropped). */
  onError?: ((error: Error) => void) | undefined;
}

const INT8_OID = 20;

export function createPostgresPool(options: PostgresPoolOptions): pg.Pool {
  // count(*), bigint and identity columns come back as text by default (int8 may exceed 2^53). Ours
  // are counts and sequence numbers, far below that, so they are read as numbers. A TypeOverrides
  // instance keeps this to this pool: pg.types.setTypeParser would change every user of pg in the
  // process.
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', (text: string) => Number(text));
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    types,
    // An unreachable server fails a query after this long instead of leaving it waiting forever.
    connectionTimeoutMillis: 10_000,
  });
  // Without a listener, an idle client's error would be an uncaught exception that ends the process;
  // pg has already dropped that client, and the next query opens a new one.
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}
