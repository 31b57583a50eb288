import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RingflowError } from '../../src/errors.ts';
import { openStore } from '../../src/store/sql/database.ts';
import { parseDatabaseUrl } from '../../src/store/sql/database-url.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';
import { ENGINES, useStore } from './store-harness.ts';
import { newTenant, rejectsWith, runRecord } from './fixtures.ts';

describe('database URLs', () => {
  it('names SQLite by sqlite:PATH, a plain path or :memory:, and PostgreSQL by postgres:// or postgresql://', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:data/ringflow.db'), { engine: 'sqlite', path: 'data/ringflow.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite:/var/lib/ringflow.db'), { engine: 'sqlite', path: '/var/lib/ringflow.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite:///var/lib/ringflow.db'), { engine: 'sqlite', path: '/var/lib/ringflow.db' });
    assert.deepEqual(parseDatabaseUrl('./ringflow.db'), { engine: 'sqlite', path: './ringflow.db' });
    assert.deepEqual(parseDatabaseUrl(':memory:'), { engine: 'sqlite', path: ':memory:' });
    assert.deepEqual(parseDatabaseUrl('postgres://u:p@db:5432/rf'), { engine: 'postgres', connectionString: 'postgres://u:p@db:5432/rf' });
    assert.deepEqual(parseDatabaseUrl('postgresql://db/rf'), { engine: 'postgres', connectionString: 'postgresql://db/rf' });
  });

  it('refuses other schemes and empty URLs with RF_DATABASE_URL, without echoing a password', () => {
    for (const url of ['mysql://root:secret@db/rf', 'sqlite:', '', '  ']) {
      let error: unknown;
      try {
        parseDatabaseUrl(url);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof RingflowError, url);
      assert.equal(error.code, 'RF_DATABASE_URL');
      assert.ok(!error.message.includes('secret'), error.message);
    }
  });
});

describe('opening SQLite', () => {
  it('works in memory', async () => {
    const store = await openStore({ url: ':memory:', clock: new VirtualClock({ auto: false }) });
    try {
      assert.equal(store.engine, 'sqlite');
      const tenant = await store.tenants.create('mem');
      assert.deepEqual(await store.tenants.get(tenant.id), tenant);
    } finally {
      await store.close();
    }
  });

  it('keeps the data in the file across a reopen, in WAL mode, with migrations applied once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ringflow-reopen-'));
    const url = `sqlite:${join(dir, 'a', 'b', 'ringflow.db')}`;
    try {
      const clock = new VirtualClock({ auto: false });
      const first = await openStore({ url, clock });
      const tenant = await first.tenants.create('kept');
      const run = runRecord(tenant.id);
      await first.runs.create(run);
      await first.close();
      const second = await openStore({ url, clock });
      try {
        assert.deepEqual(await second.tenants.byName('kept'), tenant);
        assert.deepEqual(await second.runs.get(tenant.id, run.sid), run);
      } finally {
        await second.close();
      }
      const { DatabaseSync } = await import('node:sqlite');
      const raw = new DatabaseSync(url.slice('sqlite:'.length), { readOnly: true });
      try {
        assert.equal((raw.prepare('pragma journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
        assert.deepEqual(raw.prepare('select name from kysely_migration').all().map((r) => ({ ...r })), [{ name: '001-initial' }, { name: '002-run-owner' }]);
      } finally {
        raw.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with RF_DATABASE_OPEN when the file cannot be created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ringflow-bad-'));
    try {
      await writeFile(join(dir, 'a-file'), '');
      const error = await rejectsWith(openStore({ url: `sqlite:${join(dir, 'a-file', 'ringflow.db')}`, clock: new VirtualClock() }), 'RF_DATABASE_OPEN');
      assert.match(error.message, /a-file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('opening PostgreSQL', () => {
  it('fails with RF_DATABASE_OPEN when the server does not answer, naming it without the password', async () => {
    const error = await rejectsWith(openStore({ url: 'postgres://ringflow:hunter2@127.0.0.1:1/nowhere', clock: new VirtualClock() }), 'RF_DATABASE_OPEN');
    assert.match(error.message, /postgres:\/\/ringflow@127\.0\.0\.1:1\/nowhere/);
    assert.ok(!error.message.includes('hunter2'));
  });
});

for (const engine of ENGINES) {
  describe(`the store (${engine})`, () => {
    const h = useStore(engine);

    it('applies migrations once: a second open on the same database sees the same data', async () => {
      const tenant = await newTenant(h.store);
      const again = await h.open();
      assert.equal(again.engine, engine);
      assert.deepEqual(await again.tenants.get(tenant.id), tenant);
      const rows = await h.rows('select name from kysely_migration');
      assert.deepEqual(rows.map((r) => r.name), ['001-initial', '002-run-owner']);
    });

    it('enforces foreign keys', async () => {
      await assert.rejects(h.store.scenarios.create('TNmissing', 'orphan', 'a: 1'), /foreign key|FOREIGN KEY/i);
    });

    it('answers ping until closed', async () => {
      const store = await h.open();
      assert.equal(await store.ping(), true);
      await store.close();
      assert.equal(await store.ping(), false);
    });

    if (engine === 'postgres') {
      it('reads bigint counts as numbers in its own pool only, leaving pg\'s global parsers alone', async () => {
        const tenant = await newTenant(h.store);
        await h.store.runs.create(runRecord(tenant.id));
        assert.equal((await h.store.runs.list(tenant.id, { offset: 0, limit: 1 })).total, 1);
        const parse = pg.types.getTypeParser(20, 'text') as (text: string) => unknown;
        assert.equal(parse('42'), '42', 'the module-wide int8 parser still gives text');
        const client = new pg.Client({ connectionString: h.url });
        await client.connect();
        try {
          assert.equal((await client.query('select count(*) as n from tenants')).rows[0].n, String((await h.rows('select count(*) as n from tenants'))[0]!.n));
          assert.equal(typeof (await client.query('select 1::int8 as n')).rows[0].n, 'string');
        } finally {
          await client.end();
        }
      });
    }
  });
}
