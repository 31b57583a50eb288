import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecOfStaticPayloadType, decodeG711, encodeG711, G711_PAYLOAD_TYPE, silencePayload, transcodeG711 } from '../../../../src/telephony/media/rtp/g711.ts';
import { sine } from './session-fixture.ts';

test('payload types: 0 is PCMU, 8 is PCMA', () => {
  assert.deepEqual(G711_PAYLOAD_TYPE, { PCMU: 0, PCMA: 8 });
  assert.equal(codecOfStaticPayloadType(0), 'PCMU');
  assert.equal(codecOfStaticPayloadType(8), 'PCMA');
  assert.equal(codecOfStaticPayloadType(101), null);
});

for (const codec of ['PCMU', 'PCMA'] as const) {
  test(`${codec}: a frame round-trips within G.711 quantisation error`, () => {
    const pcm = sine(440, 20000, 160);
    const bytes = encodeG711(codec, pcm);
    assert.equal(bytes.length, 160);
    const back = decodeG711(codec, bytes);
    assert.equal(back.length, 160);
    for (let i = 0; i < 160; i++) {
      // logarithmic quantisation: the step grows with the level, ≤ 1/16 of it plus a small floor
      assert.ok(Math.abs(back[i]! - pcm[i]!) <= Math.abs(pcm[i]!) / 16 + 32, `${codec} sample ${i}: ${pcm[i]} → ${back[i]}`);
    }
  });

  test(`${codec}: silence decodes to (near) zero`, () => {
    for (const v of decodeG711(codec, silencePayload(codec, 160))) assert.ok(Math.abs(v) <= 8);
  });
}

test('transcoding µ-law → A-law keeps the signal; same codec is a no-op', () => {
  const pcm = sine(1000, 8000, 160);
  const mu = encodeG711('PCMU', pcm);
  assert.equal(transcodeG711('PCMU', 'PCMU', mu), mu);
  const a = transcodeG711('PCMU', 'PCMA', mu);
  const back = decodeG711('PCMA', a);
  for (let i = 0; i < 160; i++) assert.ok(Math.abs(back[i]! - pcm[i]!) <= Math.abs(pcm[i]!) / 8 + 64);
});
