// The first schema. Written with the schema builder so one migration serves both engines; the only
// difference is the delivery sequence (SQLite AUTOINCREMENT, PostgreSQL identity).

import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Store } from '../../store.ts';

export function initial(engine: Store['engine']): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('webhook_secret', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text')
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('revoked', 'text')
        .execute();
      await db.schema.createIndex('api_keys_tenant').on('api_keys').column('tenant_id').execute();

      await db.schema.createTable('scenarios')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('updated', 'text', (c) => c.notNull())
        .addColumn('deleted', 'text')
        .execute();
      // A deleted scenario gives its name back.
      await db.schema.createIndex('scenarios_tenant_name').on('scenarios').columns(['tenant_id', 'name']).unique()
        .where(sql<boolean>`deleted is null`)
        .execute();

      await db.schema.createTable('scenario_versions')
        .addColumn('scenario_sid', 'text', (c) => c.notNull().references('scenarios.sid'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('script', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('scenario_versions_pk', ['scenario_sid', 'version'])
        .execute();

      await db.schema.createTable('numbers')
        .addColumn('e164', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('scenario_sid', 'text', (c) => c.notNull().references('scenarios.sid'))
        .addColumn('assigned', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('numbers_scenario').on('numbers').column('scenario_sid').execute();

      await db.schema.createTable('runs')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('scenario_sid', 'text', (c) => c.notNull())
        .addColumn('scenario_version', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('variables', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('started', 'text')
        .addColumn('ended', 'text')
        .execute();
      await db.schema.createIndex('runs_tenant_created').on('runs').columns(['tenant_id', 'created', 'sid']).execute();
      await db.schema.createIndex('runs_tenant_scenario').on('runs').columns(['tenant_id', 'scenario_sid', 'created']).execute();
      // failUnfinished at start looks for the few runs not yet over among many finished ones.
      await db.schema.createIndex('runs_unfinished').on('runs').column('status')
        .where(sql<boolean>`status in ('queued', 'running')`)
        .execute();

      await db.schema.createTable('run_keys')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        // No foreign key: the key is claimed before its run is inserted, in the same transaction.
        .addColumn('run_sid', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_keys_pk', ['tenant_id', 'key'])
        .execute();

      await db.schema.createTable('timeline_events')
        .addColumn('run_sid', 'text', (c) => c.notNull().references('runs.sid'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('timeline_events_pk', ['run_sid', 'seq'])
        .execute();

      await db.schema.createTable('calls')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('run_sid', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('from_number', 'text', (c) => c.notNull())
        .addColumn('to_number', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('cdr', 'text', (c) => c.notNull())
        .addColumn('attached_data', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('updated', 'text', (c) => c.notNull())
        .execute();
      // Serves the keyset pagination: newest first, (created, sid) as the position.
      await db.schema.createIndex('calls_tenant_created').on('calls').columns(['tenant_id', 'created', 'sid']).execute();
      await db.schema.createIndex('calls_run').on('calls').column('run_sid').execute();

      await db.schema.createTable('recordings')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('run_sid', 'text', (c) => c.notNull())
        .addColumn('call_sid', 'text')
        .addColumn('path', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('recordings_run').on('recordings').column('run_sid').execute();

      await db.schema.createTable('call_requests')
        .addColumn('unique_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('run_sid', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('scenario_sid', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('display_number', 'text', (c) => c.notNull())
        .addColumn('call_state', 'text', (c) => c.notNull())
        .addColumn('result_destination', 'text')
        .addColumn('send_result_immediately', 'integer', (c) => c.notNull())
        .addColumn('orchestrator_url', 'text', (c) => c.notNull())
        .addColumn('end_user', 'text')
        .addColumn('locale', 'text')
        .addColumn('variables', 'text', (c) => c.notNull())
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('updated', 'text', (c) => c.notNull())
        .addColumn('started', 'text')
        .addColumn('answered', 'text')
        .addColumn('ended', 'text')
        .addColumn('duration', 'double precision')
        .execute();
      // After a restart, the few requests not in a final CallState among many finished ones.
      await db.schema.createIndex('call_requests_unfinished').on('call_requests').column('call_state')
        .where(sql<boolean>`call_state in ('Queued', 'Dialing', 'In Progress')`)
        .execute();

      await db.schema.createTable('deliveries')
        .addColumn('seq', engine === 'postgres' ? 'bigint' : 'integer', (c) =>
          engine === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .execute();
      await db.schema.createIndex('deliveries_status_next').on('deliveries').columns(['status', 'next_attempt_at']).execute();
      // The ordering rule of queued deliveries asks "an older pending queued one to this destination?".
      await db.schema.createIndex('deliveries_queued_pending').on('deliveries').columns(['destination', 'seq'])
        .where(sql<boolean>`status = 'pending' and mode = 'queued'`)
        .execute();

      await db.schema.createTable('memcache')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text')
        .addColumn('num', 'double precision')
        .addColumn('expires', 'text')
        .addPrimaryKeyConstraint('memcache_pk', ['tenant_id', 'key'])
        .execute();
    },
  };
}
