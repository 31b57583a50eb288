// The `bootstrap:` part of the configuration: a tenant, an API key and scenarios created at start
// when missing — so `npm start` gives a newcomer a working server with an example at once.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { RingflowError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { ServerConfig } from './config-schema.ts';
import type { Logger } from './logger.ts';
import { ANY_NUMBER, checkNumber } from './phone-numbers.ts';

export async function bootstrap(config: ServerConfig, store: Store, logger: Logger): Promise<void> {
  const plan = config.bootstrap;
  if (!plan) return;
  const tenant = (await store.tenants.byName(plan.tenant)) ?? (await store.tenants.create(plan.tenant));
  if (plan.apiKey) await store.apiKeys.register(tenant.id, plan.apiKey, 'bootstrap');
  const base = config.file ? dirname(config.file) : process.cwd();
  for (const entry of plan.scenarios) {
    const file = resolve(base, entry.file);
    const script = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new RingflowError('RF_FILE_READ', { file, detail: e.code ?? e.message });
    });
    const existing = await store.scenarios.byName(tenant.id, entry.name);
    const record = existing
      ? (await store.scenarios.update(tenant.id, existing.sid, { script }))!
      : await store.scenarios.create(tenant.id, entry.name, script);
    for (const number of entry.numbers) {
      if (number === ANY_NUMBER) {
        await store.numbers.assign(tenant.id, record.sid, ANY_NUMBER);
        continue;
      }
      const checked = checkNumber(number, config.telephony.defaultCountry, false);
      const e164 = checked.valid ? checked.e164 : undefined;
      if (!e164) throw new RingflowError('RF_CONFIG_INVALID', { detail: `\n  bootstrap.scenarios "${entry.name}": ${number} is not a phone number` });
      await store.numbers.assign(tenant.id, record.sid, e164);
    }
    logger.info({ tenant: tenant.name, scenario: entry.name, sid: record.sid, version: record.version, numbers: entry.numbers }, 'bootstrap scenario ready');
  }
}
