import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AudioSink } from '../../../../src/telephony/media/audio-frame.ts';
import { SinkFanout } from '../../../../src/telephony/media/leg/frame-tap.ts';

it('SinkFanout: says when the first listener comes and the last one goes, so audio is decoded only while someone listens', () => {
  const changes: boolean[] = [];
  const fanout = new SinkFanout((listening) => changes.push(listening));
  const heard: number[][] = [[], []];
  const a: AudioSink = { write: (f) => heard[0]!.push(f[0]!) };
  const b: AudioSink = { write: (f) => heard[1]!.push(f[0]!) };
  assert.equal(fanout.listening, false);
  fanout.add(a);
  fanout.add(b);
  fanout.write(Int16Array.of(7));
  fanout.delete(a);
  fanout.write(Int16Array.of(8));
  fanout.delete(a); // already gone: no change
  fanout.delete(b);
  assert.deepEqual(changes, [true, false]);
  assert.deepEqual(heard, [[7], [7, 8]]);
  assert.equal(fanout.listening, false);
});
