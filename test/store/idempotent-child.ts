// A second process creating runs with one Idempotency-Key, as the CLI or another server would next
// to the one under test. Prints one JSON line: the sids it created and the sids it was given back.
// Usage: node idempotent-child.ts URL TENANT KEY COUNT

import { openStore } from '../../src/store/sql/database.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';
import { runRecord } from './fixtures.ts';

const [url, tenant, key, count] = process.argv.slice(2) as [string, string, string, string];
const store = await openStore({ url, clock: new VirtualClock({ auto: false }) });
try {
  const created: string[] = [];
  const replayed: string[] = [];
  for (let n = 0; n < Number(count); n++) {
    const result = await store.runs.createIdempotent(runRecord(tenant), key, 'hash');
    (result.created ? created : replayed).push(result.run.sid);
  }
  process.stdout.write(`${JSON.stringify({ created, replayed })}\n`);
} finally {
  await store.close();
}
