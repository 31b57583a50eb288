// The thread that owns the SQLite connection. Statements, commits and WAL checkpoints run here, so
// the thread serving HTTP and running calls never waits on the disk: on two cores, both work at once.
// Protocol: {id, sql, parameters} in; {id, rows | changes, lastInsertRowid} or {id, error} out.

import { parentPort, workerData } from 'node:worker_threads';
import { openNodeSqlite, type NodeSqliteOptions } from './node-sqlite-database.ts';

export interface QueryMessage {
  id: number;
  sql: string;
  parameters: readonly unknown[];
}

export type ReplyMessage =
  | { id: number; rows: unknown[] }
  | { id: number; changes: number | bigint; lastInsertRowid: number | bigint }
  | { id: number; error: { message: string; code?: unknown; errcode?: unknown; errstr?: unknown } };

const db = openNodeSqlite(workerData as NodeSqliteOptions);
const port = parentPort!;

port.on('message', (message: QueryMessage | { close: true }) => {
  if ('close' in message) {
    db.close();
    port.close();
    return;
  }
  try {
    const statement = db.prepare(message.sql);
    if (statement.reader) {
      port.postMessage({ id: message.id, rows: statement.all(message.parameters) } satisfies ReplyMessage);
    } else {
      const { changes, lastInsertRowid } = statement.run(message.parameters);
      port.postMessage({ id: message.id, changes, lastInsertRowid } satisfies ReplyMessage);
    }
  } catch (e) {
    const error = e as { message: string; code?: unknown; errcode?: unknown; errstr?: unknown };
    port.postMessage({ id: message.id, error: { message: error.message, code: error.code, errcode: error.errcode, errstr: error.errstr } } satisfies ReplyMessage);
  }
});
