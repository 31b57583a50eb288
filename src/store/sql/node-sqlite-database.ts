// node:sqlite's DatabaseSync, shaped like the better-sqlite3 database Kysely's SqliteDialect drives.
// Node ships SQLite, so the embedded store needs no native build.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export interface NodeSqliteOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** How long a statement waits for another process's lock before failing (SQLITE_BUSY). */
  busyTimeoutMs?: number;
  /** Prepared statements kept for reuse; Kysely prepares every query it runs. */
  statementCache?: number;
}

/** Opens the file (creating its folder), in WAL mode with foreign keys enforced. */
export function openNodeSqlite(options: NodeSqliteOptions): SqliteDatabase {
  const memory = options.path === ':memory:';
  if (!memory) mkdirSync(dirname(options.path), { recursive: true });
  const db = new DatabaseSync(options.path);
  // WAL: readers do not block the writer; NORMAL: a commit is durable once the WAL is synced at a
  // checkpoint, which survives a process crash (only a power loss can drop the last commits).
  if (!memory) db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  return wrap(db, options.statementCache ?? 200);
}

function wrap(db: DatabaseSync, cacheSize: number): SqliteDatabase {
  // Insertion order of a Map is the recency order: re-inserting on use keeps the newest at the end.
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = adapt(db.prepare(sql));
      cache.set(sql, statement);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      return statement;
    },
    close(): void {
      cache.clear();
      if (db.isOpen) db.close();
    },
  };
}

function adapt(statement: StatementSync): SqliteStatement {
  // A statement that returns columns (SELECT, or anything with RETURNING) is read with all().
  const reader = statement.columns().length > 0;
  return {
    reader,
    all: (parameters) => statement.all(...bind(parameters)),
    run: (parameters) => statement.run(...bind(parameters)),
    iterate: (parameters) => statement.iterate(...bind(parameters)),
  };
}

/** node:sqlite binds null, numbers, bigints, strings and bytes; booleans become 0/1 as in SQLite. */
function bind(parameters: readonly unknown[]): SQLInputValue[] {
  return parameters.map((value) => {
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value as SQLInputValue;
  });
}
