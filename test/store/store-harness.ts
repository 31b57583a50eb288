// One helper gives every store test both engines: a fresh SQLite file in a temporary folder, and a
// fresh schema in the machine's PostgreSQL (DATABASE_URL), dropped afterwards, so test files running
// in parallel never meet and the database stays clean.

import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { openStore } from '../../src/store/sql/database.ts';
import type { Store } from '../../src/store/store.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';

export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Harness {
  /** The store opened for this suite. */
  readonly store: Store;
  /** Its clock: manual, moved with `advance()`. */
  readonly clock: VirtualClock;
  /** The URL it was opened with (a SQLite file, or PostgreSQL with the suite's schema). */
  readonly url: string;
  /** Opens another store on the same database (closed with the suite). */
  open(clock?: VirtualClock): Promise<Store>;
  /** Runs SQL on connections of its own, beside the store: what is really in the tables. */
  rows(text: string): Promise<Record<string, unknown>[]>;
}

/** Registers before/after hooks that open a fresh store of `engine` for the enclosing suite. */
export function useStore(engine: Engine): Harness {
  const clock = new VirtualClock({ auto: false });
  const opened: Store[] = [];
  let readers: pg.Pool | undefined;
  let url = '';
  let cleanup = async () => {};
  const harness: Harness = {
    get store() {
      const store = opened[0];
      if (!store) throw new Error('the store is not open (did the before hook fail?)');
      return store;
    },
    clock,
    get url() {
      return url;
    },
    async open(other = clock) {
      const store = await openStore({ url, clock: other });
      opened.push(store);
      return store;
    },
    async rows(text) {
      if (engine === 'sqlite') {
        const db = new DatabaseSync(url.slice('sqlite:'.length), { readOnly: true });
        try {
          return db.prepare(text).all().map((row) => ({ ...row }));
        } finally {
          db.close();
        }
      }
      // A few connections for the whole suite: a test that reads after each of 200 concurrent writes
      // would otherwise open 200 at once, past the server's max_connections (100 by default).
      readers ??= new pg.Pool({ connectionString: url, max: 4 });
      return (await readers.query(text)).rows;
    },
  };

  before(async () => {
    if (engine === 'sqlite') {
      const dir = await mkdtemp(join(tmpdir(), 'ringflow-store-'));
      // A folder that does not exist yet: openStore creates it.
      url = `sqlite:${join(dir, 'data', 'ringflow.db')}`;
      cleanup = () => rm(dir, { recursive: true, force: true });
    } else {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const admin = await connectAdmin();
      try {
        await admin.query(`create schema ${schema}`);
      } finally {
        await admin.end();
      }
      const target = new URL(DATABASE_URL);
      target.searchParams.set('options', `-c search_path=${schema}`);
      url = target.toString();
      cleanup = async () => {
        const client = await connectAdmin();
        try {
          await client.query(`drop schema if exists ${schema} cascade`);
        } finally {
          await client.end();
        }
      };
    }
    await harness.open();
  });

  after(async () => {
    for (const store of opened.splice(0)) await store.close();
    await readers?.end();
    readers = undefined;
    await cleanup();
  });

  return harness;
}

async function connectAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw new Error(
      `PostgreSQL is not reachable at ${DATABASE_URL} (${error instanceof Error ? error.message : String(error)}).\n` +
        'The store tests run on SQLite and on PostgreSQL. Start the server with\n' +
        '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
        'and create the database once with\n' +
        '  createdb -h 127.0.0.1 -U postgres test\n' +
        '(or point DATABASE_URL at another PostgreSQL database).',
      { cause: error },
    );
  }
}
