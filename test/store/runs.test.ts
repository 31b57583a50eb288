import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TimelineEvent } from '../../src/runtime/timeline.ts';
import { ENGINES, useStore } from './store-harness.ts';
import { isoAt, newTenant, runRecord } from './fixtures.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const execFileAsync = promisify(execFile);

function logEvent(n: number): TimelineEvent {
  return { type: 'log', branch: 'api-initiated', message: `line ${n} — "quoted" ✓`, at: isoAt(Date.UTC(2025, 0, 1) + n), t: n, line: n, col: 1 };
}

for (const engine of ENGINES) {
  describe(`runs (${engine})`, () => {
    const h = useStore(engine);

    it('stores a run with its variables and error, and updates only the fields given', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const run = runRecord(tenant.id);
      await store.runs.create(run);
      assert.deepEqual(await store.runs.get(tenant.id, run.sid), run);
      assert.equal(await store.runs.get((await newTenant(store)).id, run.sid), undefined, 'another tenant does not see it');

      await store.runs.update(run.sid, { status: 'running', started: '2025-01-01T09:00:01.000Z' });
      await store.runs.update(run.sid, {});
      const error = { code: 'RF_EXPR_ERROR' as const, message: 'expression failed: boom', file: 'flow.yaml', line: 3, col: 7 };
      await store.runs.update(run.sid, { status: 'failed', variables: { $x: [1, { y: 'z' }] }, error, ended: '2025-01-01T09:00:02.000Z' });
      assert.deepEqual(await store.runs.get(tenant.id, run.sid), {
        ...run, status: 'failed', variables: { $x: [1, { y: 'z' }] }, error, started: '2025-01-01T09:00:01.000Z', ended: '2025-01-01T09:00:02.000Z',
      });
      await store.runs.update(run.sid, { error: null });
      assert.equal((await store.runs.get(tenant.id, run.sid))?.error, null);
    });

    it('lists a tenant\'s runs newest first with filters, offset, limit and the total', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const runs = [0, 1, 2, 3, 4].map((n) => runRecord(tenant.id, {
        created: isoAt(Date.UTC(2025, 0, 1) + n * 1000),
        scenarioSid: n % 2 === 0 ? 'SCeven' : 'SCodd',
        status: n === 4 ? 'running' : 'completed',
      }));
      for (const run of runs) await store.runs.create(run);
      await store.runs.create(runRecord((await newTenant(store)).id));
      const sids = (result: { hits: { sid: string }[] }) => result.hits.map((r) => r.sid);
      const all = await store.runs.list(tenant.id, { offset: 0, limit: 10 });
      assert.equal(all.total, 5);
      assert.deepEqual(sids(all), [runs[4]!.sid, runs[3]!.sid, runs[2]!.sid, runs[1]!.sid, runs[0]!.sid]);
      assert.deepEqual(all.hits[0], runs[4]);
      const page = await store.runs.list(tenant.id, { offset: 1, limit: 2 });
      assert.deepEqual([page.total, sids(page)], [5, [runs[3]!.sid, runs[2]!.sid]]);
      const even = await store.runs.list(tenant.id, { scenarioSid: 'SCeven', offset: 0, limit: 10 });
      assert.deepEqual([even.total, sids(even)], [3, [runs[4]!.sid, runs[2]!.sid, runs[0]!.sid]]);
      const running = await store.runs.list(tenant.id, { scenarioSid: 'SCeven', status: 'running', offset: 0, limit: 10 });
      assert.deepEqual([running.total, sids(running)], [1, [runs[4]!.sid]]);
      assert.equal(typeof all.total, 'number');
    });

    it('creates once per Idempotency-Key: a replay returns the first run and says whether the request matches', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const first = runRecord(tenant.id);
      assert.deepEqual(await store.runs.createIdempotent(first, 'key-1', 'hash-a'), { created: true, run: first });
      const replay = await store.runs.createIdempotent(runRecord(tenant.id), 'key-1', 'hash-a');
      assert.deepEqual(replay, { created: false, run: first, sameRequest: true });
      const different = await store.runs.createIdempotent(runRecord(tenant.id), 'key-1', 'hash-b');
      assert.deepEqual(different, { created: false, run: first, sameRequest: false });
      assert.equal((await store.runs.list(tenant.id, { offset: 0, limit: 10 })).total, 1, 'no other run was stored');

      const other = await newTenant(store);
      const theirs = runRecord(other.id);
      assert.equal((await store.runs.createIdempotent(theirs, 'key-1', 'hash-a')).created, true, 'keys are per tenant');
    });

    it('creates exactly one run when requests with the same key race', async () => {
      const { store } = h;
      // PostgreSQL: a second store is a second pool, as another server would be. SQLite: one store
      // per file and process (the driver is synchronous, so a second connection in the same thread
      // would wait for a lock its own thread holds); other processes are the next test.
      const stores = engine === 'postgres' ? [store, await h.open()] : [store];
      const tenant = await newTenant(store);
      const attempts = Array.from({ length: 20 }, (_, n) => stores[n % stores.length]!.runs.createIdempotent(runRecord(tenant.id), 'race-key', 'hash'));
      const results = await Promise.all(attempts);
      const created = results.filter((r) => r.created);
      assert.equal(created.length, 1);
      const winner = created[0]!.run.sid;
      for (const r of results) {
        assert.equal(r.run.sid, winner);
        if (!r.created) assert.equal(r.sameRequest, true);
      }
      const listed = await store.runs.list(tenant.id, { offset: 0, limit: 100 });
      assert.deepEqual(listed.hits.map((r) => r.sid), [winner]);
    });

    it('creates exactly one run when processes race with the same key', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const child = new URL('./idempotent-child.ts', import.meta.url).pathname;
      const outputs = await Promise.all([1, 2, 3].map(async () => {
        const { stdout } = await execFileAsync(process.execPath, [child, h.url, tenant.id, 'process-key', '10'], { timeout: 60_000 });
        return JSON.parse(stdout) as { created: string[]; replayed: string[] };
      }));
      const created = outputs.flatMap((o) => o.created);
      assert.equal(created.length, 1, JSON.stringify(outputs));
      for (const o of outputs) for (const sid of o.replayed) assert.equal(sid, created[0]);
      assert.equal((await store.runs.list(tenant.id, { offset: 0, limit: 100 })).total, 1);
    });

    it('forgets a key after 24 hours of the clock', async () => {
      const { store, clock } = h;
      const tenant = await newTenant(store);
      const first = runRecord(tenant.id);
      await store.runs.createIdempotent(first, 'daily', 'hash');
      await clock.advance(DAY_MS - 1000);
      assert.equal((await store.runs.createIdempotent(runRecord(tenant.id), 'daily', 'hash')).created, false, 'still known just before 24 h');
      await clock.advance(1000);
      const later = runRecord(tenant.id);
      assert.deepEqual(await store.runs.createIdempotent(later, 'daily', 'hash'), { created: true, run: later });
      assert.equal((await store.runs.createIdempotent(runRecord(tenant.id), 'daily', 'other')).run.sid, later.sid, 'the new run holds the key now');
    });

    it('appends timeline events in order, across batches, ignoring a batch written twice', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const run = runRecord(tenant.id);
      await store.runs.create(run);
      assert.deepEqual(await store.runs.timeline(run.sid), []);
      const events = Array.from({ length: 1203 }, (_, n) => ({ seq: n, event: logEvent(n) }));
      await store.runs.appendTimeline(run.sid, events.slice(0, 2));
      await store.runs.appendTimeline(run.sid, events.slice(0, 2));
      await store.runs.appendTimeline(run.sid, []);
      await store.runs.appendTimeline(run.sid, events.slice(2));
      const timeline = await store.runs.timeline(run.sid);
      assert.equal(timeline.length, 1203);
      assert.deepEqual(timeline, events.map((e) => e.event));
      const call: TimelineEvent = { type: 'call', event: 'ended', callSid: 'CA1', direction: 'outbound', from: '+331', to: '+332', at: isoAt(0), t: 5 };
      const other = runRecord(tenant.id);
      await store.runs.create(other);
      await store.runs.appendTimeline(other.sid, [{ seq: 0, event: call }]);
      assert.deepEqual(await store.runs.timeline(other.sid), [call]);
    });

    it('marks the runs this node left queued or running as failed, and returns them; other nodes\' runs stay', async () => {
      const { store } = h;
      const tenant = await newTenant(store);
      const queued = runRecord(tenant.id, { status: 'queued', created: isoAt(Date.UTC(2025, 0, 1, 9)) });
      const running = runRecord(tenant.id, { status: 'running', created: isoAt(Date.UTC(2025, 0, 1, 10)), started: isoAt(Date.UTC(2025, 0, 1, 10)) });
      const done = runRecord(tenant.id, { status: 'completed', ended: isoAt(Date.UTC(2025, 0, 1, 11)) });
      const elsewhere = runRecord(tenant.id, { status: 'running', node: 'node-b' });
      for (const run of [queued, running, done, elsewhere]) await store.runs.create(run);
      const error = { code: 'RF_INTERNAL' as const, message: 'internal error: the server stopped during the run' };
      const ended = '2025-01-02T00:00:00.000Z';
      const failed = await store.runs.failUnfinished('node-a', error, ended);
      const expected = [queued, running].map((r) => ({ ...r, status: 'failed' as const, error, ended }));
      assert.deepEqual(failed.filter((r) => r.tenantId === tenant.id), expected);
      assert.deepEqual(await store.runs.get(tenant.id, running.sid), expected[1]);
      assert.deepEqual(await store.runs.get(tenant.id, done.sid), done);
      assert.deepEqual(await store.runs.get(tenant.id, elsewhere.sid), elsewhere, 'another node is carrying it out');
      assert.deepEqual((await store.runs.failUnfinished('node-a', error, ended)).filter((r) => r.tenantId === tenant.id), []);
    });
  });
}
