// `ringflow tenants …` and `ringflow keys …`: accounts, managed on the server's database directly.

import { RingflowError } from '../errors.ts';
import { loadConfig } from '../server/config.ts';
import { openStore } from '../store/sql/database.ts';
import type { Store } from '../store/store.ts';
import { SystemClock } from '../time/clock.ts';

export interface StoreFlags {
  config?: string;
  database?: string;
  dataDir?: string;
}

async function withStore<T>(flags: StoreFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig({ file: flags.config ?? process.env.RINGFLOW_CONFIG, env: process.env, overrides: { database: flags.database, dataDir: flags.dataDir } });
  const store = await openStore({ url: config.database, clock: new SystemClock() });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function createTenant(name: string, flags: StoreFlags, out: (line: string) => void): Promise<number> {
  return withStore(flags, async (store) => {
    const tenant = await store.tenants.create(name);
    out(`tenant ${tenant.name} created`);
    out(`  sid:            ${tenant.id}   (the account sid for Basic authentication)`);
    out(`  webhook secret: ${tenant.webhookSecret}   (verifies X-Ringflow-Signature; keep it safe)`);
    out(`next: ringflow keys create --tenant ${tenant.name}`);
    return 0;
  });
}

export async function listTenants(flags: StoreFlags, out: (line: string) => void): Promise<number> {
  return withStore(flags, async (store) => {
    for (const t of await store.tenants.list()) out(`${t.id}  ${t.name}  created ${t.created}`);
    return 0;
  });
}

export async function createKey(tenantName: string, name: string | undefined, flags: StoreFlags, out: (line: string) => void): Promise<number> {
  return withStore(flags, async (store) => {
    const tenant = (await store.tenants.byName(tenantName)) ?? (await store.tenants.get(tenantName));
    if (!tenant) throw new RingflowError('RF_CLI_USAGE', { detail: `--tenant ${tenantName}: no such tenant (ringflow tenants list)` });
    const { key, secret } = await store.apiKeys.create(tenant.id, name);
    out(secret);
    out(`(key ${key.id} of tenant ${tenant.name}: shown only now, Ringflow keeps a hash of it)`);
    return 0;
  });
}
