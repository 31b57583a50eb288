import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CallEndedError, type RecordOptions } from '../../../src/telephony/port.ts';
import { answeredInbound, createSim, never } from './fixture.ts';

const OPTIONS: RecordOptions = { maxDurationMs: 60_000, silenceTimeoutMs: 5000, finishOnKey: '#' };

test('a recording ends on the finish key; other keys are ignored', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim, { presses: [{ digits: '1', atMs: 1000 }, { digits: '#', atMs: 2500 }] });
  const outcome = await call.record(OPTIONS, never());
  assert.equal(outcome.reason, 'finish-key');
  assert.equal(outcome.recording.durationMs, 2500);
  assert.equal(outcome.recording.format, 'wav');
  assert.equal(outcome.recording.url, `sim://recordings/${outcome.recording.sid}.wav`);
  assert.equal(sim.network.elapsed(), 2500);
  const records = sim.network.transcript.filter((e) => e.kind === 'record');
  assert.deepEqual(records, [
    { at: 0, callSid: 'CA1', kind: 'record', phase: 'start', recordingSid: 'CA2', background: false, maxDurationMs: 60_000, silenceTimeoutMs: 5000, finishOnKey: '#' },
    { at: 2500, callSid: 'CA1', kind: 'record', phase: 'end', recordingSid: 'CA2', reason: 'finish-key', durationMs: 2500, url: 'sim://recordings/CA2.wav' },
  ]);
  assert.equal(sim.clock.pending, 0);
});

test('a recording ends after the silence timeout; the trailing silence is not counted', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim, { speechMs: 4000 });
  const outcome = await call.record(OPTIONS, never());
  assert.equal(outcome.reason, 'silence');
  assert.equal(outcome.recording.durationMs, 4000);
  assert.equal(sim.network.elapsed(), 9000);
});

test('a party hang-up ends the recording with reason hangup and still returns it', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim, { hangupAtMs: 2000 });
  const outcome = await call.record(OPTIONS, never());
  assert.equal(outcome.reason, 'hangup');
  assert.equal(outcome.recording.durationMs, 2000);
  assert.equal(call.status, 'ended');
  const kinds = sim.network.transcript.map((e) => e.kind);
  assert.deepEqual(kinds.slice(-2), ['record', 'ended']);
});

test('a recording stops at maxDuration', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim, { speechMs: 120_000 });
  const outcome = await call.record({ ...OPTIONS, maxDurationMs: 10_000 }, never());
  assert.deepEqual([outcome.reason, outcome.recording.durationMs, sim.network.elapsed()], ['max-duration', 10_000, 10_000]);
  // silenceTimeout 0 never ends it on silence
  const quiet = await call.record({ maxDurationMs: 7000, silenceTimeoutMs: 0, finishOnKey: '' }, never());
  assert.deepEqual([quiet.reason, quiet.recording.durationMs], ['max-duration', 7000]);
});

test('aborting a recording rejects with the reason; an ended call rejects with CallEndedError', async () => {
  const sim = createSim();
  const call = await answeredInbound(sim);
  const controller = new AbortController();
  const reason = new Error('canceled');
  sim.clock.setTimer(1000, () => controller.abort(reason));
  await assert.rejects(call.record(OPTIONS, controller.signal), (e) => e === reason);
  assert.deepEqual(sim.network.transcript.at(-1), { at: 1000, callSid: 'CA1', kind: 'record', phase: 'end', recordingSid: 'CA2', reason: 'aborted', durationMs: 1000 });
  await call.hangup();
  await assert.rejects(call.record(OPTIONS, never()), CallEndedError);
  await assert.rejects(call.startRecording(), CallEndedError);
  assert.equal(sim.clock.pending, 0);
});

interface WavInfo { format: number; channels: number; rate: number; byteRate: number; bits: number; dataBytes: number; riffSize: number; samples: Int16Array }

function readWav(path: string): WavInfo {
  const b = readFileSync(path);
  assert.equal(b.toString('ascii', 0, 4), 'RIFF');
  assert.equal(b.toString('ascii', 8, 12), 'WAVE');
  assert.equal(b.toString('ascii', 12, 16), 'fmt ');
  assert.equal(b.toString('ascii', 36, 40), 'data');
  const dataBytes = b.readUInt32LE(40);
  const data = b.subarray(44);
  return {
    format: b.readUInt16LE(20),
    channels: b.readUInt16LE(22),
    rate: b.readUInt32LE(24),
    byteRate: b.readUInt32LE(28),
    bits: b.readUInt16LE(34),
    dataBytes,
    riffSize: b.readUInt32LE(4),
    samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)),
  };
}

test('with recordingsDir, recordings are real 8 kHz mono 16-bit WAV files of the right length', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringflow-sim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sim = createSim({ recordingsDir: join(dir, 'recordings') });
  const call = await answeredInbound(sim, { speechMs: 3000, presses: [{ digits: '#', atMs: 5000 }] });
  const { recording } = await call.record(OPTIONS, never());
  assert.equal(recording.durationMs, 5000);
  assert.ok(recording.url.startsWith('file:'));
  const path = fileURLToPath(recording.url);
  assert.equal(path, join(dir, 'recordings', `${recording.sid}.wav`));
  assert.equal(statSync(path).size, 44 + 5000 * 8 * 2);
  const wav = readWav(path);
  assert.deepEqual(
    [wav.format, wav.channels, wav.rate, wav.byteRate, wav.bits, wav.dataBytes, wav.riffSize],
    [1, 1, 8000, 16000, 16, 80_000, 36 + 80_000],
  );
  // The party talks for 3 s, then is silent until the key.
  const voiced = wav.samples.subarray(0, 3 * 8000);
  const silent = wav.samples.subarray(3 * 8000);
  assert.ok(voiced.some((s) => Math.abs(s) > 1000), 'the speech part is audible');
  assert.ok(silent.every((s) => s === 0), 'the rest is silence');
});

test('startRecording records the rest of the call; done resolves when it ends', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringflow-sim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sim = createSim({ recordingsDir: dir });
  const call = await answeredInbound(sim, { hangupAtMs: 12_500 });
  await sim.clock.sleep(2500);
  const background = await call.startRecording();
  assert.equal(background.sid, 'CA2');
  let settled = false;
  void background.done.then(() => { settled = true; });
  await sim.clock.sleep(5000);
  assert.equal(settled, false);
  const recording = await background.done;
  assert.equal(sim.network.elapsed(), 12_500);
  assert.equal(recording.durationMs, 10_000);
  const wav = readWav(fileURLToPath(recording.url));
  assert.equal(wav.dataBytes, 10_000 * 16);
  assert.deepEqual(sim.network.transcript.filter((e) => e.kind === 'record').map((e) => e.kind === 'record' && e.phase === 'end' && e.reason), [false, 'call-ended']);
});
