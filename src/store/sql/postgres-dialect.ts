// Kysely's PostgreSQL dialect, with an introspector that looks at the current schema only. The
// Migrator introspects to find its own tables; Kysely's introspector reads every table of every
// schema in the database, which is slow in a shared database and fails outright when another schema
// is dropped during the scan (parallel test files, a DBA cleaning up).

import { PostgresDialect, sql, type DatabaseIntrospector, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

export class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

class CurrentSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<any>;

  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select current_schema() as name`.execute(this.#db);
    return rows.filter((row) => row.name !== null);
  }

  async getTables(options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    // pg_catalog directly: no per-row function that could trip on another schema's tables.
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'f')`.execute(this.#db);
    return rows
      .filter((row) => options?.withInternalKyselyTables || !row.name.startsWith('kysely_'))
      .map((row) => ({ name: row.name, schema: row.schema, isView: row.kind === 'v', isForeign: row.kind === 'f', columns: [] }));
  }
}
