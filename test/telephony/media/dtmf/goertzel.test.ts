import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoertzelDtmfDetector } from '../../../../src/telephony/media/dtmf/goertzel.ts';
import { DTMF_KEYS } from '../../../../src/telephony/media/dtmf/keypad.ts';
import { dtmfTone } from '../../../../src/telephony/media/dtmf/tone.ts';
import { decodeG711, encodeG711 } from '../../../../src/telephony/media/rtp/g711.ts';
import { parseRtp } from '../../../../src/telephony/media/rtp/packet.ts';
import { BufferSource, collectDigits, openPair, until } from '../rtp/session-fixture.ts';

/** The keys, each `toneMs` long at `levelDbfs`, separated by `gapMs` of silence. */
function keySequence(keys: string, toneMs: number, gapMs: number, levelDbfs = -20): Int16Array {
  const parts = [...keys].flatMap((k) => [dtmfTone(k, toneMs, { levelDbfs }), new Int16Array(gapMs * 8)]);
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function detectAll(pcm: Int16Array, chunk = 160): string {
  const detector = new GoertzelDtmfDetector();
  let out = '';
  for (let i = 0; i < pcm.length; i += chunk) out += detector.push(pcm.subarray(i, i + chunk)).join('');
  return out;
}

test('all 16 keys at −20 dBFS are detected exactly once each, in order', () => {
  for (const [toneMs, gapMs] of [[100, 100], [60, 60], [40, 40]]) {
    assert.equal(detectAll(keySequence(DTMF_KEYS, toneMs, gapMs)), DTMF_KEYS, `${toneMs} ms tones, ${gapMs} ms gaps`);
  }
  // whatever the chunking of the input
  assert.equal(detectAll(keySequence(DTMF_KEYS, 60, 60), 37), DTMF_KEYS);
});

test('the keys survive G.711 both ways, at −20, −35 and −3 dBFS, and with 4 dB twist', () => {
  for (const codec of ['PCMU', 'PCMA'] as const) {
    for (const level of [-20, -35, -3]) {
      const pcm = decodeG711(codec, encodeG711(codec, keySequence(DTMF_KEYS, 60, 60, level)));
      assert.equal(detectAll(pcm), DTMF_KEYS, `${codec} at ${level} dBFS`);
    }
  }
  const twisted = [...DTMF_KEYS].flatMap((k) => [...dtmfTone(k, 80, { twistDb: -4 }), ...new Int16Array(480)]);
  assert.equal(detectAll(Int16Array.from(twisted)), DTMF_KEYS);
});

test('a held key is one press; a 10 ms break inside it does not make two (Q.24); a 20 ms blip is none', () => {
  assert.equal(detectAll(keySequence('5', 1000, 100)), '5');
  const withDropout = Int16Array.from([...dtmfTone('8', 200), ...new Int16Array(80), ...dtmfTone('8', 200)]);
  assert.equal(detectAll(withDropout), '8');
  assert.equal(detectAll(keySequence('9', 20, 100)), '');
});

test('no tone is no key: silence, white noise, a single sine', () => {
  assert.equal(detectAll(new Int16Array(8000)), '');
  assert.equal(detectAll(Int16Array.from({ length: 16000 }, () => Math.round((Math.random() - 0.5) * 8000))), '');
  assert.equal(detectAll(Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 697 * i) / 8000)))), '');
});

const PROMPTS = [
  'Welcome to Ringflow. Please enter your account number followed by the pound key. For sales, press one. For support, press two. To hear these options again, press star.',
  'The quick brown fox jumps over the lazy dog. She sells sea shells by the sea shore. One two three four five six seven eight nine zero, hash, star.',
];

function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Synthesises each prompt with flite and espeak-ng, resampled by sox to 8 kHz mono 16-bit. */
function synthesise(dir: string): [string, Int16Array][] {
  const out: [string, Int16Array][] = [];
  PROMPTS.forEach((text, i) => {
    const voices: [string, string[]][] = [
      ['flite', ['-t', text, '-o', join(dir, `flite${i}.wav`)]],
      ['flite', ['-voice', 'slt', '-t', text, '-o', join(dir, `flite-slt${i}.wav`)]],
      ['espeak-ng', ['-w', join(dir, `espeak${i}.wav`), text]],
      ['espeak-ng', ['-v', 'en-us+f3', '-w', join(dir, `espeak-f3${i}.wav`), text]],
    ];
    for (const [bin, args] of voices) {
      execFileSync(bin, args, { stdio: 'ignore' });
      const wav = args.find((a) => a.endsWith('.wav'))!;
      const raw = wav.replace(/\.wav$/, '.raw');
      execFileSync('sox', [wav, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', raw]);
      const bytes = readFileSync(raw);
      out.push([`${bin} ${args[0] === '-voice' || args[0] === '-v' ? args[1] : 'default'} #${i}`, new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1)]);
    }
  });
  return out;
}

const speechTools = ['flite', 'espeak-ng', 'sox'].every(hasBinary);

test('no false positive on flite and espeak-ng prompts, as is, louder, and through G.711', { skip: !speechTools && 'flite, espeak-ng or sox missing' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringflow-dtmf-'));
  try {
    let seconds = 0;
    for (const [name, pcm] of synthesise(dir)) {
      seconds += pcm.length / 8000;
      const louder = Int16Array.from(pcm, (v) => Math.max(-32768, Math.min(32767, v * 4)));
      assert.equal(detectAll(pcm), '', name);
      assert.equal(detectAll(louder), '', `${name}, +12 dB`);
      assert.equal(detectAll(decodeG711('PCMA', encodeG711('PCMA', pcm))), '', `${name}, A-law`);
      // and the detector still hears a key spoken over… after the speech
      assert.equal(detectAll(Int16Array.from([...pcm, ...keySequence('7#', 80, 80)])), '7#', `${name} then keys`);
    }
    t.diagnostic(`${seconds.toFixed(1)} s of synthetic speech, no false positive`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const sippSpeech = '/usr/share/sip-tester/g711a.pcap';

test("no false positive on SIPp's packaged speech (g711a.pcap)", { skip: !existsSync(sippSpeech) && 'sip-tester not installed' }, () => {
  const file = readFileSync(sippSpeech);
  const frames: Int16Array[] = [];
  for (let offset = 24; offset + 16 <= file.length; ) {
    const length = file.readUInt32LE(offset + 8);
    const frame = file.subarray(offset + 16, offset + 16 + length);
    offset += 16 + length;
    const parsed = parseRtp(frame.subarray(14 + (frame[14]! & 0x0f) * 4 + 8));
    if (parsed.ok && parsed.packet.payloadType === 8) frames.push(decodeG711('PCMA', parsed.packet.payload));
  }
  assert.ok(frames.length > 200); // 236 packets of 30 ms: 7 s of speech
  const pcm = Int16Array.from(frames.flatMap((f) => [...f]));
  assert.equal(detectAll(pcm), '');
});

for (const codec of ['PCMU', 'PCMA'] as const) {
  test(`in-band keys through real RtpSessions in ${codec}: played tones and sendDigit without telephone-event`, async () => {
    const options = { codec, telephoneEventPayloadType: null };
    const [a, b] = await openPair(options, options);
    const digits = collectDigits(b);
    a.setSource(new BufferSource(keySequence('159#0', 100, 150)));
    await until(() => digits.length === 5, 4000, 'five keys');
    for (const d of ['4', '4', '*', 'D']) await a.sendDigit(d);
    await until(() => digits.length === 9, 4000, 'nine keys');
    assert.deepEqual(digits.map((d) => d.digit).join(''), '159#044*D');
    assert.ok(digits.every((d) => d.via === 'inband'));
  });
}
