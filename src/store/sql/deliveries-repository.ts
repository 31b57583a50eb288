import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { DeliveriesRepository, DeliveryMode, DeliveryRecord } from '../deliveries.ts';
import type { SqlContext } from './context.ts';
import type { DeliveriesTable, Schema } from './schema.ts';
import { toCount } from './values.ts';

export function createDeliveriesRepository({ db }: SqlContext): DeliveriesRepository {
  return {
    async enqueue(delivery) {
      const row = await db.insertInto('deliveries').values({
        id: delivery.id,
        tenant_id: delivery.tenantId,
        kind: delivery.kind,
        destination: delivery.destination,
        body: delivery.body,
        mode: delivery.mode,
        status: 'pending',
        attempts: 0,
        next_attempt_at: delivery.nextAttemptAt,
        last_error: null,
        created: delivery.created,
        delivered_at: null,
      }).returningAll().executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async due(now, limit, skipDestinations = []) {
      let query = db.selectFrom('deliveries as d').selectAll('d')
        .where('d.status', '=', sql.lit('pending')).where('d.next_attempt_at', '<=', now)
        .where(inTurn);
      if (skipDestinations.length > 0) query = query.where('d.destination', 'not in', [...skipDestinations]);
      const rows = await query.orderBy('d.seq').limit(Math.max(1, Math.floor(limit))).execute();
      return rows.map(toRecord);
    },

    async nextDue() {
      // Only deliveries whose turn has come: one waiting behind an older delivery to its destination
      // may have an earlier time, and waking up for it would find nothing to do, again and again.
      const row = await db.selectFrom('deliveries as d')
        .select((eb) => eb.fn.min('d.next_attempt_at').as('next'))
        .where('d.status', '=', sql.lit('pending')).where(inTurn)
        .executeTakeFirst();
      return row?.next ?? undefined;
    },

    async markDelivered(id, at, attempts) {
      await db.updateTable('deliveries').set({ status: 'delivered', delivered_at: at, attempts }).where('id', '=', id).execute();
    },

    async markRetry(id, attempts, nextAttemptAt, error) {
      await db.updateTable('deliveries').set({ attempts, next_attempt_at: nextAttemptAt, last_error: error }).where('id', '=', id).execute();
    },

    async markFailed(id, attempts, error) {
      await db.updateTable('deliveries').set({ status: 'failed', attempts, last_error: error }).where('id', '=', id).execute();
    },

    async get(id) {
      const row = await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async backlog() {
      const rows = await db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll().as('count')])
        .where('status', 'in', ['pending', 'failed']).groupBy('status').execute();
      const count = (status: string) => toCount(rows.find((r) => r.status === status)?.count);
      return { pending: count('pending'), failed: count('failed') };
    },
  };
}

/**
 * The ordering rule: an immediate delivery is always in turn; a queued one only when no older queued
 * delivery to the same destination is still pending. Literals (not parameters) let both engines use
 * the partial index on pending queued deliveries.
 */
function inTurn(eb: ExpressionBuilder<Schema & { d: DeliveriesTable }, 'd'>) {
  return eb.or([
    eb('d.mode', '=', sql.lit('immediate')),
    eb.not(eb.exists(
      eb.selectFrom('deliveries as o').select(sql.lit(1).as('one'))
        .whereRef('o.destination', '=', 'd.destination')
        .where('o.status', '=', sql.lit('pending'))
        .where('o.mode', '=', sql.lit('queued'))
        .whereRef('o.seq', '<', 'd.seq'),
    )),
  ]);
}

function toRecord(row: Selectable<DeliveriesTable>): DeliveryRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    destination: row.destination,
    body: row.body,
    mode: row.mode as DeliveryMode,
    status: row.status as DeliveryRecord['status'],
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    created: row.created,
    deliveredAt: row.delivered_at,
    seq: toCount(row.seq),
  };
}
