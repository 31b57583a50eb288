// Which engine a database URL names: `postgres://…` / `postgresql://…`, or SQLite as `sqlite:PATH`,
// `sqlite://PATH`, a plain file path, or `:memory:`.

import { RingflowError } from '../../errors.ts';

export type DatabaseTarget =
  | { engine: 'sqlite'; path: string }
  | { engine: 'postgres'; connectionString: string };

export function parseDatabaseUrl(url: string): DatabaseTarget {
  const text = url.trim();
  if (/^postgres(ql)?:\/\//i.test(text)) return { engine: 'postgres', connectionString: text };
  if (/^sqlite:/i.test(text)) {
    // sqlite:data/x.db, sqlite:/var/x.db, sqlite:///var/x.db (URL style with an empty host).
    const path = text.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new RingflowError('RF_DATABASE_URL', { url: 'sqlite:', detail: 'the path is missing, e.g. sqlite:data/ringflow.db' });
    return { engine: 'sqlite', path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    // Only the scheme is shown: the rest may hold a password.
    throw new RingflowError('RF_DATABASE_URL', { url: `${scheme[1]}://…`, detail: 'use sqlite:PATH, a file path, or postgres://user@host:port/database' });
  }
  if (!text) throw new RingflowError('RF_DATABASE_URL', { url: '', detail: 'the URL is empty' });
  return { engine: 'sqlite', path: text };
}
