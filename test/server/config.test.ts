// The configuration: defaults, a file, environment variables on top, and every problem reported at
// once with where it is.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/server/config.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ringflow-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function file(text: string): Promise<string> {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, text);
  return path;
}

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'RF_CONFIG_INVALID', String(e));
    return (e as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
  assert.fail('expected RF_CONFIG_INVALID');
}

describe('configuration', () => {
  it('has working defaults without a file', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.server.host, '127.0.0.1');
    assert.equal(c.server.port, 8080);
    assert.match(c.database, /^sqlite:.*data\/ringflow\.db$/);
    assert.equal(c.delivery.retryForHours, 24);
    assert.deepEqual(c.http.allow, []);
  });

  it('reads a file, with paths relative to it, and lets the environment and flags override it', async () => {
    const path = await file('server:\n  port: 9000\ndataDir: ./state\nhttp:\n  allow: [10.0.0.0/8]\n');
    const c = loadConfig({ file: path, env: { RINGFLOW_HTTP_ALLOW: '127.0.0.1, crm.internal', DATABASE_URL: 'postgres://db/x' }, overrides: { host: '0.0.0.0' } });
    assert.equal(c.server.port, 9000);
    assert.equal(c.server.host, '0.0.0.0');
    assert.equal(c.dataDir, join(dir, 'state'));
    assert.deepEqual(c.http.allow, ['127.0.0.1', 'crm.internal']);
    assert.equal(c.database, 'postgres://db/x');
  });

  it('lists every problem of a file with its line and column', async () => {
    const path = await file('server:\n  port: eighty\n  hots: x\ntelephony:\n  simulation:\n    parties:\n      "+15550000001": { answer: maybe, presses: ["1@soon"] }\nlogging:\n  level: loud\n');
    const found = problems(() => loadConfig({ file: path, env: {} }));
    assert.deepEqual(found.sort(), [
      `${path}:2:9: server.port: must be integer`,
      `${path}:3:9: server.hots: unknown setting`,
      `${path}:9:10: logging.level: must be one of fatal, error, warn, info, debug, trace, silent`,
    ].sort());
  });

  it('takes a number of media threads, and refuses a negative or fractional one at its place', async () => {
    const good = loadConfig({ file: await file('telephony:\n  sip:\n    rtp: { workers: 1 }\n'), env: {} });
    assert.equal(good.telephony.sip.rtp.workers, 1);
    assert.equal(loadConfig({ env: {} }).telephony.sip.rtp.workers, undefined, 'unset: one per core, decided when SIP starts');
    const path = await file('telephony:\n  sip:\n    rtp:\n      workers: -1\n');
    assert.deepEqual(problems(() => loadConfig({ file: path, env: {} })), [`${path}:4:16: telephony.sip.rtp.workers: must be >= 0`]);
    const half = await file('telephony:\n  sip:\n    rtp:\n      workers: 1.5\n');
    assert.deepEqual(problems(() => loadConfig({ file: half, env: {} })), [`${half}:4:16: telephony.sip.rtp.workers: must be integer`]);
  });

  it('reports simulated parties written wrongly, at their place', async () => {
    const path = await file('telephony:\n  simulation:\n    parties:\n      "+15550000001": { answer: maybe, presses: ["1@soon"] }\n');
    const found = problems(() => loadConfig({ file: path, env: {} }));
    assert.equal(found.length, 2);
    assert.match(found[0]!, /:4:33: telephony\.simulation\.parties\.\+15550000001\.answer: maybe: expected answer, answer@SECONDS/);
    assert.match(found[1]!, /:4:50: telephony\.simulation\.parties\.\+15550000001\.presses\.0: 1@soon: expected keys/);
  });

  it('names the environment variable when the bad value comes from one', () => {
    assert.deepEqual(problems(() => loadConfig({ env: { RINGFLOW_PORT: 'abc' } })), ['RINGFLOW_PORT: server.port: must be integer']);
  });

  it('reports a YAML syntax error and a file that is not a map', async () => {
    const broken = await file('server: [1, 2\n');
    assert.match(problems(() => loadConfig({ file: broken, env: {} }))[0]!, new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:1: `));
    const list = await file('- a\n- b\n');
    assert.deepEqual(problems(() => loadConfig({ file: list, env: {} })), [`${list}:1:1: the configuration must be a map (key: value)`]);
  });

  it('names a file it cannot read', () => {
    assert.throws(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }), { code: 'RF_FILE_READ', message: /missing\.yaml: ENOENT/ });
  });
});
