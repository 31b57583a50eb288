// Which server process owns a run (its node id): at start, a node fails only the runs *it* left
// unfinished, never those another node on the same database is carrying out.

import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const runOwner: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // No index: the query for a node's unfinished runs uses the partial index on unfinished runs.
    await db.schema.alterTable('runs').addColumn('node', 'text').execute();
  },
};
