import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import wavefile from 'wavefile';
import { FRAME_SAMPLES } from '../../../../src/telephony/media/audio-frame.ts';
import { MediaError } from '../../../../src/telephony/media/audio/media-error.ts';
import { MixSink, mixFrames } from '../../../../src/telephony/media/audio/mix-sink.ts';
import { RecordLimits } from '../../../../src/telephony/media/audio/record-limits.ts';
import { SilenceDetector } from '../../../../src/telephony/media/audio/silence-detector.ts';
import { tone } from '../../../../src/telephony/media/audio/tones.ts';
import { decodeWav } from '../../../../src/telephony/media/audio/wav-decode.ts';
import { WavRecorder } from '../../../../src/telephony/media/audio/wav-recorder.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempFile(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-rec-test-'));
  dirs.push(dir);
  return join(dir, name);
}

/** `ms` of audio cut into 20 ms frames. */
function frames(pcm: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let at = 0; at < pcm.length; at += FRAME_SAMPLES) out.push(pcm.slice(at, at + FRAME_SAMPLES));
  return out;
}
const speech = (ms: number) => tone({ frequencyHz: 300, durationMs: ms, dbfs: -20 });
const quiet = (ms: number) => Int16Array.from({ length: (ms * 8000) / 1000 }, (_, i) => ((i * 7919) % 61) - 30); // noise near −60 dBFS

describe('WavRecorder', () => {
  it('writes a WAV that wavefile reads back: 8 kHz, 16-bit mono, every sample', async () => {
    const path = await tempFile('message.wav');
    const recorder = new WavRecorder(path);
    const audio = speech(3000); // 3 s: several buffered writes
    for (const frame of frames(audio)) recorder.write(frame);
    assert.equal(recorder.durationMs, 3000);
    const file = await recorder.close();
    assert.deepEqual(file, { path, samples: 24000, durationMs: 3000 });

    const wav = new wavefile.WaveFile(await readFile(path));
    const fmt = wav.fmt as { sampleRate: number; numChannels: number; bitsPerSample: number; audioFormat: number };
    assert.deepEqual([fmt.sampleRate, fmt.numChannels, fmt.bitsPerSample, fmt.audioFormat], [8000, 1, 16, 1]);
    assert.equal((wav.data as { chunkSize: number }).chunkSize, 48000);
    const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array;
    assert.equal(samples.length, 24000);
    assert.deepEqual(samples, audio);
    assert.equal((await readFile(path)).length, 44 + 48000);
  });

  it('copies each frame (the sender may reuse its buffer)', async () => {
    const path = await tempFile('reuse.wav');
    const recorder = new WavRecorder(path);
    const buffer = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < 3; i++) {
      buffer.fill(i + 1);
      recorder.write(buffer);
    }
    await recorder.close();
    const pcm = decodeWav(await readFile(path)).channels[0];
    assert.deepEqual([pcm[0], pcm[160], pcm[320]].map((v) => Math.round(v * 32768)), [1, 2, 3]);
  });

  it('is readable while still being written (sizes say "to the end of the file")', async () => {
    const path = await tempFile('live.wav');
    const recorder = new WavRecorder(path);
    for (const frame of frames(speech(2000))) recorder.write(frame); // one full second flushed
    await new Promise((r) => setTimeout(r, 50));
    const partial = decodeWav(await readFile(path));
    assert.equal(partial.sampleRate, 8000);
    assert.ok(partial.channels[0].length >= 8000);
    await recorder.close();
  });

  it('fails with RF_MEDIA_RECORDING naming the file when it cannot be written', async () => {
    const path = join(await tempFile('x'), 'missing-dir', 'message.wav');
    const recorder = new WavRecorder(path);
    recorder.write(new Int16Array(FRAME_SAMPLES));
    await assert.rejects(recorder.close(), (e: MediaError) => e.code === 'RF_MEDIA_RECORDING' && e.message.includes(path));
  });

  it('discards a recording nobody keeps', async () => {
    const path = await tempFile('gone.wav');
    const recorder = new WavRecorder(path);
    recorder.write(new Int16Array(FRAME_SAMPLES));
    await recorder.discard();
    await assert.rejects(readFile(path), { code: 'ENOENT' });
  });
});

describe('SilenceDetector', () => {
  it('reports silence after N ms of quiet, not during speech', () => {
    const detector = new SilenceDetector();
    for (const frame of frames(speech(1000))) assert.equal(detector.push(frame), 0);
    assert.equal(detector.heardSound, true);
    let silentMs = 0;
    for (const frame of frames(quiet(1500))) silentMs = detector.push(frame);
    assert.equal(silentMs, 1500);
    detector.push(frames(speech(20))[0]);
    assert.equal(detector.silentMs, 0);
  });

  it('does not take the short pauses between words for silence', () => {
    const detector = new SilenceDetector();
    let longest = 0;
    for (let word = 0; word < 10; word++) {
      for (const frame of [...frames(speech(300)), ...frames(quiet(200))]) longest = Math.max(longest, detector.push(frame));
    }
    assert.equal(longest, 200);
  });
});

describe('RecordLimits', () => {
  it('stops after the silence timeout', () => {
    const limits = new RecordLimits({ maxDurationMs: 60_000, silenceTimeoutMs: 2000, finishOnKey: '#' });
    const all = [...frames(speech(1000)), ...frames(quiet(3000))];
    const stoppedAt = all.findIndex((f) => limits.frame(f) !== null);
    assert.equal(stoppedAt, 50 + 100 - 1); // 1 s of speech, then the 100th silent frame
    assert.equal(limits.durationMs, 3000);
  });

  it('stops at the maximum length, and on a finish key only', () => {
    const limits = new RecordLimits({ maxDurationMs: 1000, silenceTimeoutMs: 0, finishOnKey: '#*' });
    const reasons = frames(quiet(2000)).map((f) => limits.frame(f));
    assert.equal(reasons.indexOf('max-duration'), 49);
    assert.equal(limits.digit('#'), 'finish-key');
    assert.equal(limits.digit('*'), 'finish-key');
    assert.equal(limits.digit('1'), null);
    assert.equal(new RecordLimits({ maxDurationMs: 1000, silenceTimeoutMs: 0, finishOnKey: '' }).digit('#'), null);
  });
});

describe('MixSink', () => {
  it('mixes what the caller said with what was played, frame by frame, into one recording', async () => {
    const path = await tempFile('call.wav');
    const recorder = new WavRecorder(path);
    const mix = new MixSink(recorder);
    const callerAudio = frames(new Int16Array(1600).fill(1000));
    const playedAudio = frames(new Int16Array(1600).fill(-300));
    // The two directions arrive interleaved unevenly, as packets do.
    mix.played.write(playedAudio[0]);
    mix.played.write(playedAudio[1]);
    for (let i = 0; i < 10; i++) mix.caller.write(callerAudio[i]);
    for (let i = 2; i < 10; i++) mix.played.write(playedAudio[i]);
    mix.flush();
    await recorder.close();
    const pcm = decodeWav(await readFile(path)).channels[0];
    assert.equal(pcm.length, 1600);
    assert.ok(pcm.every((v) => Math.round(v * 32768) === 700));
  });

  it('clips instead of wrapping around', () => {
    assert.deepEqual([...mixFrames(Int16Array.of(30000, -30000, 5), Int16Array.of(10000, -10000, 5))], [32767, -32768, 10]);
    assert.deepEqual([...mixFrames(Int16Array.of(1, 2), undefined)], [1, 2]);
  });

  it('does not hold one side back when the other stops sending', () => {
    const out: Int16Array[] = [];
    const mix = new MixSink({ write: (f) => out.push(f) }, { maxLagFrames: 5 });
    for (let i = 0; i < 20; i++) mix.caller.write(new Int16Array(FRAME_SAMPLES).fill(i));
    assert.equal(out.length, 15);
    assert.deepEqual(out.map((f) => f[0]), Array.from({ length: 15 }, (_, i) => i));
    mix.flush();
    assert.equal(out.length, 20);
  });
});
