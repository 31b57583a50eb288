import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heard, simulate } from '../helpers/simulate.ts';

const gatherFlow = (params: string) => `branches:
  inbound-call:
    - action: gather@v2
      params: ${params}
      result: $g
`;

describe('gather@v2', () => {
  it('stops at maxDigits', async () => {
    const r = await simulate(gatherFlow('{ maxDigits: 3, prompt: { what: "Enter your code" } }'), { caller: { presses: [{ digits: '12345' }] } });
    assert.deepEqual(r.run?.variables.$g, { ok: true, input: '123', reason: 'max-digits' });
  });

  it('stops at the finish key, which is not part of the input', async () => {
    const r = await simulate(gatherFlow('{ prompt: { what: "Enter your code, then pound" } }'), { caller: { presses: [{ digits: '42#' }] } });
    assert.deepEqual(r.run?.variables.$g, { ok: true, input: '42', reason: 'finish-key' });
  });

  it('times out after the prompt with nothing pressed (timeout counts from the end of the prompt)', async () => {
    const r = await simulate(gatherFlow('{ timeout: 7, prompt: { what: "Say something" } }'));
    assert.deepEqual(r.run?.variables.$g, { ok: false, input: '', reason: 'timeout' });
    const prompt = r.transcript.find((e) => e.kind === 'say')!;
    const ended = r.transcript.find((e) => e.kind === 'ended')!;
    assert.equal(ended.at - prompt.at, 845 + 7000, 'the prompt (845 ms), then 7 s of waiting');
  });

  it('ends on the inter-digit timeout with the keys so far', async () => {
    const r = await simulate(gatherFlow('{ interDigitTimeout: 2 }'), { caller: { presses: [{ digits: '12' }] } });
    assert.deepEqual(r.run?.variables.$g, { ok: true, input: '12', reason: 'timeout' });
  });

  it('gives ok false below minDigits', async () => {
    const r = await simulate(gatherFlow('{ minDigits: 4 }'), { caller: { presses: [{ digits: '12#' }] } });
    assert.deepEqual(r.run?.variables.$g, { ok: false, input: '12', reason: 'finish-key' });
  });

  it('lets a key stop the prompt (barge-in) and counts it', async () => {
    const r = await simulate(gatherFlow('{ maxDigits: 1, prompt: { what: "For sales press 1, for support press 2, for billing press 3" } }'), {
      caller: { presses: [{ digits: '2', atMs: 1000 }] },
    });
    assert.deepEqual(r.run?.variables.$g, { ok: true, input: '2', reason: 'max-digits' });
    assert.ok(r.transcript.some((e) => e.kind === 'stop' && e.reason === 'key' && e.playedMs === 1000));
  });

  it('ignores keys during the prompt when bargeIn is false', async () => {
    const r = await simulate(gatherFlow('{ maxDigits: 1, bargeIn: false, prompt: { what: "Please listen to the whole message" } }'), {
      caller: { presses: [{ digits: '9', atMs: 500 }, { digits: '1' }] },
    });
    assert.deepEqual(r.run?.variables.$g, { ok: true, input: '1', reason: 'max-digits' });
    assert.ok(!r.transcript.some((e) => e.kind === 'stop'));
  });

  it('returns the keys so far with reason hangup when the caller hangs up, and the branch stops', async () => {
    const r = await simulate(`${gatherFlow('{ prompt: { what: "Code?" } }')}    - action: say@v2
      params: { what: never }
`, { caller: { presses: [{ digits: '12', atMs: 2000 }], hangupAtMs: 3000 } });
    assert.deepEqual(r.run?.variables.$g, { ok: false, input: '12', reason: 'hangup' });
    assert.deepEqual(heard(r, ['say']), ['say:Code?']);
  });

  it('plays a file prompt', async () => {
    const r = await simulate(gatherFlow('{ maxDigits: 1, prompt: { url: "https://media.example.com/menu.wav" } }'), { caller: { presses: [{ digits: '5' }] } });
    assert.deepEqual(heard(r), ['play:https://media.example.com/menu.wav', 'press:5']);
  });
});
