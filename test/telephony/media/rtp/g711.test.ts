import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecOfStaticPayloadType, decodeG711, encodeG711, encodeG711Into, G711_PAYLOAD_TYPE, G711_SILENCE, silencePayload, transcodeG711 } from '../../../../src/telephony/media/rtp/g711.ts';
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

for (const codec of ['PCMU', 'PCMA'] as const) {
  test(`${codec}: encoding into a buffer at an offset gives the same bytes as encodeG711, for every sample value`, () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < all.length; i++) all[i] = i - 32768;
    const out = new Uint8Array(12 + all.length + 3).fill(0x42);
    encodeG711Into(codec, all, out, 12);
    assert.deepEqual(out.subarray(12, 12 + all.length), encodeG711(codec, all));
    assert.ok(out.subarray(0, 12).every((b) => b === 0x42) && out.subarray(12 + all.length).every((b) => b === 0x42), 'nothing outside written');
    assert.equal(encodeG711(codec, new Int16Array(1))[0], G711_SILENCE[codec], 'the silence code is the code of 0');
  });
}
