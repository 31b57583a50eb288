// Versioned migrations, applied when the store opens. Kysely's Migrator records each one applied
// (table kysely_migration, in the current schema on PostgreSQL: see postgres-dialect.ts) and takes a
// lock, so a migration runs once even when two processes start together. Add a migration as a new
// file in migrations/ and a line here; never edit a released one.

import type { Kysely } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import type { Store } from '../store.ts';
import { initial } from './migrations/001-initial.ts';
import { runOwner } from './migrations/002-run-owner.ts';

function migrations(engine: Store['engine']): Record<string, Migration> {
  return {
    '001-initial': initial(engine),
    '002-run-owner': runOwner,
  };
}

export async function migrate(db: Kysely<any>, engine: Store['engine']): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(engine) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(before any migration)'} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
