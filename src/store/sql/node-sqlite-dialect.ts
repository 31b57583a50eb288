// Kysely's SQLite dialect over node:sqlite, with two changes for a file other processes may open
// too (the CLI next to a running server): transactions start with BEGIN IMMEDIATE, and migrations
// run in a transaction.

import { SqliteAdapter, SqliteDialect, SqliteDriver, CompiledQuery, type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDialectConfig } from 'kysely';

export class NodeSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  // A deferred BEGIN takes the write lock at the first write; if another process wrote since this
  // transaction first read, SQLite fails at once with SQLITE_BUSY instead of waiting. IMMEDIATE
  // takes the lock up front, so the busy timeout applies. Within this process the Kysely connection
  // mutex already runs one transaction at a time.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  // SQLite does roll back CREATE TABLE; with this the Migrator wraps each run in a transaction, so a
  // crash mid-migration leaves nothing half made, and two processes opening a new file at once
  // migrate one after the other.
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
