// A real Ringflow server for API tests: its own temp data folder and SQLite file (or the machine's
// PostgreSQL, in a schema of its own), a free port, a tenant with an API key, quiet logs.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/server/config.ts';
import type { ServerConfig } from '../../src/server/config-schema.ts';
import { createLogger } from '../../src/server/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import type { Tenant } from '../../src/store/tenants.ts';

export interface TestServer {
  readonly url: string;
  readonly server: RunningServer;
  readonly tenant: Tenant;
  readonly key: string;
  readonly dataDir: string;
  /** Another tenant with its own key, for isolation tests. */
  other(): Promise<{ tenant: Tenant; key: string }>;
  /** fetch against the server with this tenant's key (JSON in and out). */
  api(path: string, init?: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<Record<string, unknown>> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ringflow-server-'));
  const config: ServerConfig = loadConfig({ env: {}, overrides: { port: 0, dataDir } });
  Object.assign(config, { logging: { level: 'silent' }, http: { allow: ['127.0.0.1'] } }, overrides);
  const server = await startServer(config, { logger: createLogger(process.env.RINGFLOW_TEST_LOG ?? 'silent') });
  const tenant = await server.store.tenants.create(`t-${dataDir.slice(-6)}`);
  const { secret: key } = await server.store.apiKeys.create(tenant.id);
  const api: TestServer['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const k = init.key === undefined ? key : init.key;
    if (k !== null) headers['x-api-key'] = k;
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body, headers: response.headers };
  };
  let others = 0;
  return {
    url: server.url,
    server,
    tenant,
    key,
    dataDir,
    api,
    async other() {
      const t = await server.store.tenants.create(`${tenant.name}-other${++others}`);
      return { tenant: t, key: (await server.store.apiKeys.create(t.id)).secret };
    },
    async close() {
      await server.close(2000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `read` until `done` says yes (bounded), for states reached in the background. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
