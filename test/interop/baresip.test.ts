// baresip (Debian baresip-core) against a real Ringflow on loopback, judged by what each party heard
// (baresip's dec recordings) and by Ringflow's own whole-call recording:
// - baresip calls Ringflow, hears a flite prompt, presses 4 then 7 (RFC 4733) and hears the sentence
//   of the branch those keys chose; the length of speech it heard is compared with the same texts
//   synthesized here by flite;
// - baresip A calls Ringflow, whose scenario forwards the call with dial@v1 to an auto-answering
//   baresip B: each phone sends its own tone and must hear the other's through the bridge.
// Both scenarios record the whole call with startRecording@v1: the WAV must hold both directions.
// Needs baresip and flite (skipped without them). See ../helpers/baresip.ts for baresip's quirks.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScenario } from '../helpers/api-server.ts';
import { killAllBaresip, startBaresip, toneWav, type Baresip } from '../helpers/baresip.ts';
import { eventually } from '../helpers/server.ts';
import { startSipServer, type SipTestServer } from '../helpers/sip-server.ts';

const haveTools = !spawnSync('baresip', ['-h']).error && !spawnSync('flite', ['--version']).error;

const PROMPT = 'Welcome to Ringflow. Please enter your two digit code.';
const RIGHT = 'Forty seven is correct. Goodbye.';
// Three times as long as RIGHT, so the audio alone tells which branch ran.
const WRONG = 'Sorry, that code is not valid. Please check your letter, and call us again tomorrow morning.';
const MENU_NUMBER = '+15550100300';
const FORWARD_NUMBER = '+15550100301';
/** Tone frequencies: multiples of 50 Hz, so a 20 ms block holds whole periods. */
const MENU_CALLER_HZ = 1000;
const CALLER_HZ = 600;
const CALLEE_HZ = 1400;

// events.ready is there because a startRecording@v1 without it never registers its file (see the
// report: src/runtime/step.ts drops the promise when the step has no handler).
const RECORD = `    - action: startRecording@v1
      result: $rec
      events:
        ready:
          - action: log@v1
            params: { message: "recording ready" }
`;

const MENU = `defaults: { language: en-US }
branches:
  inbound-call:
    - action: answer@v1
${RECORD}    - action: gather@v2
      params:
        maxDigits: 2
        timeout: 10
        prompt: { what: "${PROMPT}" }
      result: $code
    - if: $code.input == '47'
      then:
        - action: say@v2
          params: { what: "${RIGHT}" }
          result: $right
      else:
        - action: say@v2
          params: { what: "${WRONG}" }
          result: $wrong
    - action: hangup@v1
`;

const forward = (target: string): string => `branches:
  inbound-call:
    - action: answer@v1
${RECORD}    - action: dial@v1
      params:
        targets: [{ number: "${target}", timeout: 10 }]
        timeLimit: 20
      result: $dial
`;

// ---- audio measurements ----

interface Pcm {
  samples: Float32Array;
  rate: number;
}

/** The samples of a 16-bit mono PCM WAV (baresip's, flite's, Ringflow's), as -1..1. */
function readPcm(wav: Buffer): Pcm {
  let off = 12;
  let rate = 8000;
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4);
    let size = wav.readUInt32LE(off + 4);
    if (id === 'fmt ') rate = wav.readUInt32LE(off + 12);
    else if (id === 'data') {
      // sndfile leaves the size unpatched while the file is open
      if (size === 0 || off + 8 + size > wav.length) size = wav.length - off - 8;
      const samples = new Float32Array(Math.floor(size / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = wav.readInt16LE(off + 8 + i * 2) / 32768;
      return { samples, rate };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('no data chunk in the WAV');
}

const seconds = (p: Pcm): number => p.samples.length / p.rate;

/** For each 20 ms window: louder than −40 dBFS? */
function voicedWindows(p: Pcm): boolean[] {
  const n = Math.round(p.rate * 0.02);
  const out: boolean[] = [];
  for (let i = 0; i + n <= p.samples.length; i += n) {
    let sum = 0;
    for (let j = i; j < i + n; j++) sum += p.samples[j]! * p.samples[j]!;
    out.push(Math.sqrt(sum / n) > 0.01);
  }
  return out;
}

/** Seconds of sound: the 20 ms windows louder than −40 dBFS (pauses between words are not counted). */
const voicedSeconds = (p: Pcm): number => voicedWindows(p).filter(Boolean).length * 0.02;

/** The share of the signal's energy that is a sine at `freq` (Goertzel over 20 ms blocks). */
function toneShare(p: Pcm, freq: number): number {
  const n = Math.round(p.rate * 0.02);
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / p.rate);
  let tone = 0;
  let total = 0;
  for (let i = 0; i + n <= p.samples.length; i += n) {
    let s1 = 0;
    let s2 = 0;
    for (let j = i; j < i + n; j++) {
      const x = p.samples[j]!;
      total += x * x;
      const s = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    // (2/N)·|X(f)|² is the energy of the sine at f in the block (Parseval).
    tone += ((s1 * s1 + s2 * s2 - coeff * s1 * s2) * 2) / n;
  }
  return total > 0 ? tone / total : 0;
}

/** The signal with the sine at `freq` subtracted, 20 ms block by block (what remains is the speech). */
function withoutTone(p: Pcm, freq: number): Pcm {
  const n = Math.round(p.rate * 0.02);
  const out = new Float32Array(p.samples.length);
  for (let i = 0; i + n <= p.samples.length; i += n) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const w = (2 * Math.PI * freq * (i + j)) / p.rate;
      re += p.samples[i + j]! * Math.cos(w);
      im += p.samples[i + j]! * Math.sin(w);
    }
    for (let j = 0; j < n; j++) {
      const w = (2 * Math.PI * freq * (i + j)) / p.rate;
      out[i + j] = p.samples[i + j]! - (2 / n) * (re * Math.cos(w) + im * Math.sin(w));
    }
  }
  return { samples: out, rate: p.rate };
}

/** Seconds of speech in `text` as Ringflow's default English voice (flite slt) says it. */
async function fliteSeconds(dir: string, name: string, text: string): Promise<number> {
  const file = join(dir, `${name}.wav`);
  const r = spawnSync('flite', ['-voice', 'slt', '-t', text, '-o', file], { timeout: 10_000 });
  assert.equal(r.status, 0, `flite: ${r.stderr}`);
  return voicedSeconds(readPcm(await readFile(file)));
}

async function writeTone(dir: string, name: string, freq: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, toneWav(20, [freq]));
  return path;
}

/** What the phone heard on its only call (its dec recording). */
async function heard(phone: Baresip): Promise<Pcm> {
  const { dec } = await phone.recordings();
  assert.equal(dec.length, 1, `one dec recording expected: ${dec.join(', ')}\n${phone.output().slice(-2000)}`);
  return readPcm(await readFile(dec[0]!));
}

/** Resolves once the phone's dec recording satisfies `done` (read as it is written). */
async function untilHeard(phone: Baresip, done: (w: boolean[]) => boolean, timeoutMs: number, what: string): Promise<void> {
  await eventually(async () => {
    const { dec } = await phone.recordings();
    if (dec.length === 0) return false;
    return done(voicedWindows(readPcm(await readFile(dec[0]!))));
  }, (ok) => ok, timeoutMs).catch((e: Error) => {
    throw new Error(`${what}: ${e.message}\n${phone.output().slice(-2000)}`);
  });
}

const near = (got: number, want: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= tolerance, `${what}: ${got.toFixed(2)} s, expected ${want.toFixed(2)} ± ${tolerance} s`);

describe('baresip and Ringflow', { skip: !haveTools && 'baresip or flite not installed', timeout: 80_000 }, () => {
  let t: SipTestServer;
  let work: string;
  const phones: Baresip[] = [];
  before(async () => {
    t = await startSipServer({ transports: ['udp'] });
    work = await mkdtemp(join(tmpdir(), 'ringflow-baresip-test-'));
  });
  after(async () => {
    await Promise.all(phones.map((p) => p.stop(true)));
    killAllBaresip();
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function phone(o: Parameters<typeof startBaresip>[0]): Promise<Baresip> {
    const p = await startBaresip(o);
    phones.push(p);
    return p;
  }

  async function assign(name: string, script: string, number: string): Promise<string> {
    const sid = await createScenario(t, name, script);
    const put = await t.api(`/v2.0/actions/${sid}/numbers/${encodeURIComponent(number)}`, { method: 'PUT' });
    assert.ok(put.status < 300, JSON.stringify(put.body));
    return sid;
  }

  async function lastRun(sid: string): Promise<any> {
    return eventually(async () => {
      const list = await t.api(`/v2.0/actions/${sid}/runs?limit=1`);
      const run = list.body.hits?.[0]?.sid;
      return run ? (await t.api(`/v2.0/runs/${run}`)).body : undefined;
    }, (run) => run?.status === 'completed' || run?.status === 'failed', 20_000);
  }

  /** The run's whole-call recording, through the recordings API. */
  async function recording(run: any): Promise<Pcm> {
    const sid = run.variables.$rec?.recording?.sid;
    assert.ok(sid, JSON.stringify(run.variables));
    assert.deepEqual(run.recordings.map((r: any) => [r.sid, r.format, r.url]), [[sid, 'wav', `/v2.0/recordings/${sid}`]]);
    const response = await fetch(`${t.url}/v2.0/recordings/${sid}`, { headers: { 'x-api-key': t.key } });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('content-type'), 'audio/wav');
    const pcm = readPcm(Buffer.from(await response.arrayBuffer()));
    assert.equal(pcm.rate, 8000);
    near(seconds(pcm), run.recordings[0].duration, 0.05, 'the WAV is as long as the recording says');
    return pcm;
  }

  it('baresip hears the prompt, presses 4 then 7, and hears the sentence of that branch; the recording holds both sides', async () => {
    const sid = await assign('menu', MENU, MENU_NUMBER);
    const promptS = await fliteSeconds(work, 'prompt', PROMPT);
    const rightS = await fliteSeconds(work, 'right', RIGHT);
    const wrongS = await fliteSeconds(work, 'wrong', WRONG);
    const caller = await phone({ audioSource: await writeTone(work, 'caller.wav', MENU_CALLER_HZ) });

    // The called number is the Request-URI's user, normalized to E.164 (+ kept).
    caller.dial(`sip:${MENU_NUMBER}@127.0.0.1:${t.sipPort}`);
    await caller.waitForCallState('established', 5_000);
    // Keys pressed during the prompt would cut it short (bargeIn): wait until baresip has heard most
    // of it followed by 0.4 s of silence.
    await untilHeard(caller, (w) => w.filter(Boolean).length * 0.02 >= 0.8 * promptS && w.length - 1 - w.lastIndexOf(true) >= 20, promptS * 1000 + 5_000, 'the prompt');
    await caller.sendDigits('47', 300);
    await caller.waitForCallState('terminated', (rightS + 5) * 1000);

    const run = await lastRun(sid);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(run.variables.$code, { ok: true, input: '47', reason: 'max-digits' });
    assert.equal(run.variables.$right?.ok, true, `the then branch ran: ${JSON.stringify(run.variables)}`);
    assert.equal(run.variables.$wrong, undefined, 'the else branch did not run');
    const call = run.calls[0];
    assert.equal(call.to, MENU_NUMBER);
    assert.equal(call.cdr.status, 'answered');
    assert.equal(call.cdr.hangupSource, 'callee', 'Ringflow hung up (hangup@v1)');

    // What baresip heard: the prompt, then the sentence of the branch the keys chose.
    const dec = await heard(caller);
    const speech = voicedSeconds(dec);
    near(speech, promptS + rightS, 0.6, `speech heard (prompt ${promptS} s + right ${rightS} s; the wrong branch would be ${(promptS + wrongS).toFixed(2)} s)`);
    assert.ok(seconds(dec) >= promptS + rightS, `the call lasted ${seconds(dec)} s`);

    // Ringflow's recording of the whole call: baresip's tone (what it sent) and the speech (what it was sent).
    const rec = await recording(run);
    near(seconds(rec), call.cdr.durationAnswered, 0.4, 'the recording lasts the call');
    assert.ok(toneShare(rec, MENU_CALLER_HZ) > 0.3, `the caller's ${MENU_CALLER_HZ} Hz tone is in the recording (share ${toneShare(rec, MENU_CALLER_HZ).toFixed(3)})`);
    near(voicedSeconds(withoutTone(rec, MENU_CALLER_HZ)), speech, 0.4, "the recording's speech is what baresip heard");
  });

  it('dial@v1 forwards baresip A to an auto-answering baresip B: each hears the other through the bridge', async () => {
    const callee = await phone({ user: 'bob', autoAnswer: true, audioSource: await writeTone(work, 'callee.wav', CALLEE_HZ) });
    const sid = await assign('forward', forward(callee.uri), FORWARD_NUMBER);
    const caller = await phone({ user: 'alice', audioSource: await writeTone(work, 'a.wav', CALLER_HZ) });

    caller.dial(`sip:${FORWARD_NUMBER}@127.0.0.1:${t.sipPort}`);
    await callee.waitForCallState('established', 5_000);
    await caller.waitForCallState('established', 5_000);
    // Both have heard 2 s of sound, then A hangs up; Ringflow hangs up B.
    const twoSeconds = (w: boolean[]): boolean => w.filter(Boolean).length >= 100;
    await untilHeard(callee, twoSeconds, 6_000, 'B hearing A');
    await untilHeard(caller, twoSeconds, 6_000, 'A hearing B');
    caller.hangup();
    await caller.waitForCallState('terminated', 5_000);
    await callee.waitForCallState('terminated', 5_000);

    const run = await lastRun(sid);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal(run.variables.$dial.ok, true, JSON.stringify(run.variables.$dial));
    assert.equal(run.variables.$dial.status, 'Answered');
    assert.equal(run.variables.$dial.target, callee.uri);
    assert.deepEqual(run.calls.map((c: any) => [c.direction, c.to, c.cdr.status]), [['inbound', FORWARD_NUMBER, 'answered'], ['outbound', callee.uri, 'answered']]);
    assert.equal(run.calls[0].cdr.hangupSource, 'caller');

    // Each heard the other's tone, and only that (no echo of its own).
    const a = await heard(caller);
    const b = await heard(callee);
    const bridged = run.variables.$dial.duration as number;
    for (const [who, pcm, theirs, own] of [['B', b, CALLER_HZ, CALLEE_HZ], ['A', a, CALLEE_HZ, CALLER_HZ]] as const) {
      assert.ok(voicedSeconds(pcm) >= 2 && voicedSeconds(pcm) <= bridged + 0.5, `${who} heard ${voicedSeconds(pcm)} s of sound in a ${bridged} s bridge`);
      assert.ok(toneShare(pcm, theirs) > 0.9, `${who} heard the other's ${theirs} Hz tone (share ${toneShare(pcm, theirs).toFixed(3)})`);
      assert.ok(toneShare(pcm, own) < 0.01, `${who} did not hear its own ${own} Hz tone (share ${toneShare(pcm, own).toFixed(3)})`);
    }

    // The caller leg's recording holds both: what A said and what B said to A through the bridge.
    const rec = await recording(run);
    near(seconds(rec), run.calls[0].cdr.durationAnswered, 0.4, 'the recording lasts the call');
    for (const hz of [CALLER_HZ, CALLEE_HZ]) assert.ok(toneShare(rec, hz) > 0.3, `${hz} Hz in the recording (share ${toneShare(rec, hz).toFixed(3)})`);
  });
});
