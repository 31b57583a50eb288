// A Kysely dialect whose SQLite connection lives in a worker thread (sqlite-worker.ts). Kysely builds
// and compiles queries here; the worker runs them. One connection, one transaction at a time, as with
// Kysely's own SQLite driver. Transactions start with BEGIN IMMEDIATE: a deferred BEGIN takes the
// write lock at the first write and, if another process (the CLI next to a running server) wrote
// meanwhile, fails at once with SQLITE_BUSY; IMMEDIATE takes the lock up front, so the busy timeout
// applies.

import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import type { NodeSqliteOptions } from './node-sqlite-database.ts';
import type { QueryMessage, ReplyMessage } from './sqlite-worker.ts';

export class WorkerSqliteDialect implements Dialect {
  readonly #options: NodeSqliteOptions;

  constructor(options: NodeSqliteOptions) {
    this.#options = options;
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlAdapter();
  }

  createDriver(): Driver {
    return new WorkerSqliteDriver(this.#options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class TransactionalDdlAdapter extends SqliteAdapter {
  // SQLite rolls back CREATE TABLE: with this the Migrator runs each migration in a transaction, so a
  // crash mid-migration leaves nothing half made, and two processes opening a new file migrate in turn.
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class WorkerSqliteDriver implements Driver {
  readonly #options: NodeSqliteOptions;
  #worker: Worker | undefined;
  #connection: WorkerConnection | undefined;
  // The one connection is lent to one user at a time (a transaction holds it to its end).
  #queue: (() => void)[] = [];
  #busy = false;

  constructor(options: NodeSqliteOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    const worker = new Worker(new URL('./sqlite-worker.ts', import.meta.url), { workerData: this.#options });
    this.#worker = worker;
    this.#connection = new WorkerConnection(worker);
    // The worker opens the file (and may fail to) before it answers its first query.
    await this.#connection.executeQuery(CompiledQuery.raw('select 1'));
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#busy) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#busy = true;
    return this.#connection!;
  }

  async releaseConnection(): Promise<void> {
    const next = this.#queue.shift();
    if (next) next();
    else this.#busy = false;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ close: true });
    await exited;
  }
}

class WorkerConnection implements DatabaseConnection {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: QueryResult<any>) => void; reject: (e: Error) => void }>();
  #next = 0;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: ReplyMessage) => {
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      if ('error' in reply) waiting.reject(Object.assign(new Error(reply.error.message), reply.error));
      else if ('rows' in reply) waiting.resolve({ rows: reply.rows });
      else waiting.resolve({ rows: [], numAffectedRows: BigInt(reply.changes), insertId: BigInt(reply.lastInsertRowid) });
    });
    const failAll = (error: Error) => {
      for (const waiting of this.#pending.values()) waiting.reject(error);
      this.#pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the database thread stopped (exit ${code})`)));
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (r: QueryResult<any>) => void, reject });
      this.#worker.postMessage({ id, sql: query.sql, parameters: query.parameters } satisfies QueryMessage);
    });
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by the SQLite worker');
  }
}
