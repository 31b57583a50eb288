import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heard, simulate } from '../helpers/simulate.ts';
import { createEngine } from '../../src/runtime/engine.ts';
import { SimNetwork } from '../../src/telephony/sim/index.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';
import { createMemoryMemcache } from '../../src/runtime/memory-memcache.ts';

describe('javascript@v1', () => {
  it('persists $var assignments, supports $x-- and returns a value', async () => {
    const r = await simulate(`variables:
  $count: 3
branches:
  inbound-call:
    - action: javascript@v1
      params:
        code: |
          $count--
          $user = { name: 'Ada', tags: ['vip'] }
          $user.tags.push('new')
          return $count * 10
      result: $js
`);
    assert.deepEqual(r.run?.variables, { $count: 2, $user: { name: 'Ada', tags: ['vip', 'new'] }, $js: { ok: true, value: 20 } });
  });

  it('writes call.attachedData, visible on the call and in later steps', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: javascript@v1
      params: { code: "call.attachedData.CustomerTier = 'gold'" }
    - action: log@v1
      params: { message: "tier \${{ call.attachedData.CustomerTier }}" }
`);
    assert.ok(r.timeline.some((e) => e.type === 'log' && e.message === 'tier gold'));
    assert.deepEqual(r.run?.calls[0]?.attachedData, { CustomerTier: 'gold' });
  });

  for (const [what, code, errorCode] of [
    ['an escape through constructors', "return this.constructor.constructor('return process')().version", 'RF_EXPR_ERROR'],
    ['require', "return require('fs')", 'RF_EXPR_ERROR'],
    ['globalThis.process', 'return globalThis.process.env', 'RF_EXPR_ERROR'],
    ['an endless loop', 'while (true) {}', 'RF_EXPR_TIMEOUT'],
    ['an allocation bomb', "let a = 'x'; while (true) a += a", 'RF_EXPR_MEMORY'],
    ['deep recursion', 'function f(n) { return f(n + 1) + 1 } return f(0)', 'RF_EXPR_STACK'],
  ] as const) {
    it(`stops ${what}: the run fails cleanly and another call runs on undisturbed`, async () => {
      const clock = new VirtualClock();
      const network = new SimNetwork({ clock });
      const engine = await createEngine({ clock, network });
      try {
        const hostile = engine.parse(`branches:\n  inbound-call:\n    - action: javascript@v1\n      params:\n        code: ${JSON.stringify(code)}\n`).scenario!;
        const friendly = engine.parse(`branches:\n  inbound-call:\n    - action: javascript@v1\n      params: { code: "return 6 * 7" }\n      result: $v\n    - action: say@v2\n      params: { what: "fine \${{ $v.value }}" }\n`).scenario!;
        const bad = engine.startRun({ scenario: hostile, entry: { type: 'inbound-call', call: network.inbound({ from: '+15550000001', to: '+15550000002' }) } });
        const good = engine.startRun({ scenario: friendly, entry: { type: 'inbound-call', call: network.inbound({ from: '+15550000003', to: '+15550000002' }) } });
        const [badRun, goodRun] = await Promise.all([bad.done, good.done]);
        assert.equal(badRun.status, 'failed');
        assert.equal(badRun.error?.code, errorCode);
        assert.deepEqual([badRun.error?.line, badRun.error?.col], [5, 16], 'at the start of the code');
        assert.equal(badRun.calls[0]?.status, 'ended');
        assert.equal(goodRun.status, 'completed');
        assert.equal((goodRun.variables.$v as { value: number }).value, 42);
        assert.ok(network.transcript.some((e) => e.kind === 'say' && e.text === 'fine 42'));
      } finally {
        await engine.close();
      }
    });
  }

  it('keeps the process environment out of reach: env holds only what the operator exposes', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: javascript@v1
      params: { code: "return [typeof process, env.REGION, env.PATH]" }
      result: $v
`, { env: { REGION: 'eu-west' } });
    assert.deepEqual((r.run?.variables.$v as { value: unknown }).value, ['undefined', 'eu-west', null]);
  });
});

describe('memcache@v1', () => {
  it('sets, gets, counts and deletes, shared by runs of one tenant, with expiry', async () => {
    const clock = new VirtualClock();
    const network = new SimNetwork({ clock });
    const engine = await createEngine({ clock, network, memcache: createMemoryMemcache(clock) });
    const scenario = engine.parse(`branches:
  api-initiated:
    - action: memcache@v1
      params: { operation: incr, key: calls }
      result: $count
    - action: memcache@v1
      params: { operation: get, key: last }
      result: $last
    - action: memcache@v1
      params: { operation: set, key: last, value: { at: "\${{ now.toISOString() }}" }, ttl: 60 }
`).scenario!;
    try {
      const first = await engine.startRun({ scenario, entry: { type: 'api' } }).done;
      const second = await engine.startRun({ scenario, entry: { type: 'api' } }).done;
      const other = await engine.startRun({ scenario, entry: { type: 'api' }, tenant: 'acme' }).done;
      assert.deepEqual(first.variables.$count, { ok: true, value: 1 });
      assert.deepEqual(first.variables.$last, { ok: false });
      assert.deepEqual(second.variables.$count, { ok: true, value: 2 });
      assert.equal((second.variables.$last as { value: { at: string } }).value.at, new Date(clock.now()).toISOString());
      assert.deepEqual(other.variables.$count, { ok: true, value: 1 }, 'another tenant has its own keys');
      await clock.sleep(61_000);
      const later = await engine.startRun({ scenario, entry: { type: 'api' } }).done;
      assert.deepEqual(later.variables.$last, { ok: false }, 'expired after its ttl');
    } finally {
      await engine.close();
    }
  });

  it('refuses incr on a value that is not a number', async () => {
    const r = await simulate(`branches:
  api-initiated:
    - action: memcache@v1
      params: { operation: set, key: k, value: text }
    - action: memcache@v1
      params: { operation: incr, key: k }
      result: $r
`);
    assert.deepEqual(r.run?.variables.$r, { ok: false, error: 'not-a-number' });
  });
});

describe('record@v1 and startRecording@v1', () => {
  it('records after a prompt and a beep, ends on silence, and writes a WAV file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ringflow-rec-'));
    try {
      const r = await simulate(`branches:
  inbound-call:
    - action: record@v1
      params: { prompt: { what: "Leave a message" }, silenceTimeout: 2 }
      result: $rec
`, { recordingsDir: dir, caller: { speechMs: 4000 } });
      assert.deepEqual(heard(r), ['say:Leave a message', 'beep']);
      const rec = r.run?.variables.$rec as { ok: boolean; reason: string; recording: { url: string; duration: number; format: string } };
      assert.equal(rec.ok, true);
      assert.equal(rec.reason, 'silence');
      assert.equal(rec.recording.duration, 4);
      const wav = await readFile(fileURLToPath(rec.recording.url));
      assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
      assert.equal(wav.length, 44 + 4 * 8000 * 2);
      assert.deepEqual(r.run?.recordings.map((x) => x.sid), [(rec.recording as unknown as { sid: string }).sid]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends a recording on the finish key', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: record@v1
      params: { beep: false, maxDuration: 30 }
      result: $rec
`, { caller: { presses: [{ digits: '#', atMs: 2500 }] } });
    assert.equal((r.run?.variables.$rec as { reason: string }).reason, 'finish-key');
  });

  it('runs events.ready after the call with the finished recording in scope', async () => {
    const r = await simulate(`branches:
  inbound-call:
    - action: startRecording@v1
      result: $started
      events:
        ready:
          - action: log@v1
            params: { message: "ready \${{ recording.duration }} s \${{ recording.sid == $started.recording.sid }}" }
    - action: say@v2
      params: { what: "This call is recorded" }
`);
    assert.equal(r.run?.status, 'completed');
    const log = r.timeline.find((e) => e.type === 'log');
    assert.equal(log?.type === 'log' && log.message, 'ready 1.365 s true');
    assert.equal(r.run?.recordings.length, 1);
  });
});

describe('log@v1', () => {
  it('writes a line in the timeline', async () => {
    const r = await simulate('branches:\n  api-initiated:\n    - action: log@v1\n      params: { message: "run \${{ run.type }}" }\n');
    assert.ok(r.timeline.some((e) => e.type === 'log' && e.message === 'run api'));
  });
});
