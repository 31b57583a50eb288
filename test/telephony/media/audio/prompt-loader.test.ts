import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import wavefile from 'wavefile';
import { SystemClock } from '../../../../src/time/clock.ts';
import { MediaError } from '../../../../src/telephony/media/audio/media-error.ts';
import { rms } from '../../../../src/telephony/media/audio/pcm-level.ts';
import { PromptLoader } from '../../../../src/telephony/media/audio/prompt-loader.ts';
import { installed, peak, toneFrequency } from './audio-helpers.ts';

const clock = new SystemClock();
const MP3 = new URL('./fixtures/thank-you-hold.mp3', import.meta.url);
const hasSox = installed('sox');
let dir = '';
let server: Server;
let base = '';
const hits = new Map<string, number>();
const files = new Map<string, { type: string; body: Buffer }>();

function middleOf(pcm: Int16Array): Int16Array {
  return pcm.subarray(Math.floor(pcm.length * 0.2), Math.floor(pcm.length * 0.8));
}

/** A WAV made with wavefile, for the formats sox is not needed for. */
function wavefileTone(bitDepth: string, sampleRate: number, channels: number, encode: (v: number) => number): Buffer {
  const n = sampleRate; // 1 s
  const data = Array.from({ length: channels }, () => Array.from({ length: n }, (_, i) => encode(0.5 * Math.sin((2 * Math.PI * 440 * i) / sampleRate))));
  const wav = new wavefile.WaveFile();
  // G.711 is made from 16-bit samples by wavefile's own encoder.
  const law = bitDepth === '8m' || bitDepth === '8a';
  wav.fromScratch(channels, sampleRate, law ? '16' : bitDepth, channels === 1 ? data[0] : data);
  if (bitDepth === '8m') wav.toMuLaw();
  if (bitDepth === '8a') wav.toALaw();
  return Buffer.from(wav.toBuffer());
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ringflow-prompt-test-'));
  files.set('/hold.mp3', { type: 'audio/mpeg', body: await readFile(MP3) });
  files.set('/page', { type: 'text/html; charset=utf-8', body: Buffer.from('<html><body>Not found, sorry</body></html>') });
  files.set('/mulaw-by-wavefile.wav', { type: 'audio/wav', body: wavefileTone('8m', 8000, 1, (v) => Math.round(v * 32767)) });
  if (hasSox) {
    execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', join(dir, 'cd.wav'), 'synth', '1.5', 'sine', '440', 'vol', '0.5']);
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', join(dir, 'mulaw.wav'), 'synth', '1', 'sine', '440', 'vol', '0.5']);
    files.set('/cd.wav', { type: 'audio/wav', body: await readFile(join(dir, 'cd.wav')) });
  }
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const file = files.get(path);
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length }).end(file.body);
    } else if (path === '/big-declared') {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': 50_000_000 }).end();
    } else if (path === '/big-streamed') {
      // No content-length: the cap must be enforced while reading.
      res.writeHead(200, { 'content-type': 'audio/wav' });
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    } else if (path === '/slow') {
      // Never answers: the loader's deadline must end it.
    } else if (path === '/error') {
      res.writeHead(503).end('busy');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such prompt');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

const isPromptError = (reason: string, ...words: string[]) => (e: unknown) =>
  e instanceof MediaError && e.code === 'RF_MEDIA_PROMPT' && e.reason === reason && words.every((w) => e.message.includes(w));

describe('PromptLoader', () => {
  const skipSox = hasSox ? false : 'sox is not installed (apt-get install sox)';

  it('plays a 44.1 kHz stereo 16-bit WAV over HTTP as 8 kHz mono', { skip: skipSox }, async () => {
    const pcm = await new PromptLoader({ clock }).load(`${base}/cd.wav`);
    assert.equal(pcm.length, 12000);
    assert.ok(Math.abs(toneFrequency(middleOf(pcm), 8000) - 440) < 2);
    assert.ok(Math.abs(peak(middleOf(pcm)) / 32768 - 0.5) < 0.02);
  });

  it('plays an 8 kHz µ-law WAV from a file: URL', { skip: skipSox }, async () => {
    const pcm = await new PromptLoader({ clock }).load(pathToFileURL(join(dir, 'mulaw.wav')).href);
    assert.equal(pcm.length, 8000);
    assert.ok(Math.abs(toneFrequency(middleOf(pcm), 8000) - 440) < 2);
    assert.ok(Math.abs(peak(middleOf(pcm)) / 32768 - 0.5) < 0.03);
  });

  it('plays µ-law, A-law, 24-bit and float WAVs made by another writer (wavefile)', async () => {
    const loader = new PromptLoader({ clock });
    const cases: [string, Buffer][] = [
      ['mulaw', wavefileTone('8m', 8000, 1, (v) => Math.round(v * 32767))],
      ['alaw', wavefileTone('8a', 8000, 1, (v) => Math.round(v * 32767))],
      ['24-bit 48 kHz', wavefileTone('24', 48000, 1, (v) => Math.round(v * 8388607))],
      ['float 16 kHz stereo', wavefileTone('32f', 16000, 2, (v) => v)],
      ['8-bit 11 kHz', wavefileTone('8', 11025, 1, (v) => Math.round(v * 127 + 128))],
    ];
    for (const [name, body] of cases) {
      const path = join(dir, `${name}.wav`);
      await writeFile(path, body);
      const pcm = await loader.load(pathToFileURL(path).href);
      assert.ok(Math.abs(pcm.length - 8000) <= 1, `${name}: ${pcm.length} samples`);
      assert.ok(Math.abs(toneFrequency(middleOf(pcm), 8000) - 440) < 2, `${name}: ${toneFrequency(middleOf(pcm), 8000)} Hz`);
      assert.ok(Math.abs(peak(middleOf(pcm)) / 32768 - 0.5) < 0.03, `${name}: peak ${peak(middleOf(pcm))}`);
    }
  });

  it('plays an MP3 over HTTP and from a relative file: path', async () => {
    const loader = new PromptLoader({ clock, baseDir: new URL('.', import.meta.url).pathname });
    const fromHttp = await loader.load(`${base}/hold.mp3`);
    const fromFile = await loader.load('file:fixtures/thank-you-hold.mp3');
    for (const pcm of [fromHttp, fromFile]) {
      const seconds = pcm.length / 8000;
      assert.ok(seconds > 2.2 && seconds < 2.8, `${seconds} s`);
      assert.ok(rms(pcm) > 0.05, `RMS ${rms(pcm)}`);
    }
    assert.deepEqual(fromHttp, fromFile);
  });

  it('downloads a prompt once for many plays, also when they start together', async () => {
    const loader = new PromptLoader({ clock });
    hits.delete('/mulaw-by-wavefile.wav');
    const all = await Promise.all(Array.from({ length: 5 }, () => loader.load(`${base}/mulaw-by-wavefile.wav`)));
    await loader.load(`${base}/mulaw-by-wavefile.wav`);
    assert.equal(hits.get('/mulaw-by-wavefile.wav'), 1);
    for (const pcm of all) assert.equal(pcm, all[0]);
  });

  it('loads an edited file again', async () => {
    const loader = new PromptLoader({ clock });
    const path = join(dir, 'edited.wav');
    await writeFile(path, wavefileTone('16', 8000, 1, (v) => Math.round(v * 32767)));
    const first = await loader.load(pathToFileURL(path).href);
    await writeFile(path, wavefileTone('16', 8000, 1, () => 0));
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const second = await loader.load(pathToFileURL(path).href);
    assert.ok(peak(first) > 10000);
    assert.equal(peak(second), 0);
  });

  it('says "not found" for a 404 and a missing file, naming the URL', async () => {
    const loader = new PromptLoader({ clock });
    await assert.rejects(loader.load(`${base}/nope.wav`), isPromptError('not-found', `${base}/nope.wav`, 'HTTP 404'));
    const missing = pathToFileURL(join(dir, 'nope.wav')).href;
    await assert.rejects(loader.load(missing), isPromptError('not-found', missing, 'no such file'));
  });

  it('reports other HTTP statuses', async () => {
    await assert.rejects(new PromptLoader({ clock }).load(`${base}/error`), isPromptError('http-status', 'HTTP 503'));
  });

  it('refuses something that is not audio, saying what it was', async () => {
    await assert.rejects(new PromptLoader({ clock }).load(`${base}/page`), isPromptError('unsupported-format', `${base}/page`, 'text/html', 'not a WAV or MP3'));
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'hello');
    await assert.rejects(new PromptLoader({ clock }).load(pathToFileURL(path).href), isPromptError('unsupported-format', 'not a WAV or MP3'));
  });

  it('refuses a prompt over the size cap, declared or streamed, and a large file', async () => {
    const loader = new PromptLoader({ clock, maxBytes: 1024 * 1024 });
    await assert.rejects(loader.load(`${base}/big-declared`), isPromptError('too-large', `${base}/big-declared`, '1 MB'));
    await assert.rejects(loader.load(`${base}/big-streamed`), isPromptError('too-large', '1 MB'));
    const path = join(dir, 'big.wav');
    await writeFile(path, Buffer.alloc(2 * 1024 * 1024));
    await assert.rejects(loader.load(pathToFileURL(path).href), isPromptError('too-large'));
  });

  it('gives up on a server that does not answer', async () => {
    await assert.rejects(new PromptLoader({ clock, timeoutMs: 200 }).load(`${base}/slow`), isPromptError('timeout', '200 ms'));
  });

  it('reports a refused connection as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await assert.rejects(new PromptLoader({ clock }).load(`http://127.0.0.1:${port}/x.wav`), isPromptError('network'));
  });

  it('refuses other URL schemes, and keeps passwords out of messages', async () => {
    await assert.rejects(new PromptLoader({ clock }).load('ftp://example.com/a.wav'), isPromptError('unsupported-url', 'ftp://example.com/a.wav'));
    await assert.rejects(
      new PromptLoader({ clock }).load(`http://user:s3cret@127.0.0.1:${new URL(base).port}/nope.wav`),
      (e: MediaError) => e.reason === 'not-found' && !e.message.includes('s3cret') && e.message.includes('/nope.wav'),
    );
  });

  it('sends credentials in the URL as Basic authentication', async () => {
    let seen = '';
    files.set('/private.mp3', files.get('/hold.mp3')!);
    const loader = new PromptLoader({
      clock,
      fetch: (url, init) => {
        seen = init.headers.authorization ?? '';
        return fetch(url, init);
      },
    });
    await loader.load(`http://user:s3cret@127.0.0.1:${new URL(base).port}/private.mp3`);
    assert.equal(seen, `Basic ${Buffer.from('user:s3cret').toString('base64')}`);
  });

  it('uses the fetch it is given (the engine passes its guarded one)', async () => {
    const seen: string[] = [];
    const guarded = (url: string, init: { signal: AbortSignal; redirect: 'follow'; headers: Record<string, string> }) => {
      seen.push(url);
      return fetch(url, init);
    };
    await new PromptLoader({ clock, fetch: guarded }).load(`${base}/hold.mp3`);
    assert.deepEqual(seen, [`${base}/hold.mp3`]);
  });

  it('rejects with the abort reason when the caller hangs up mid-download', async () => {
    const controller = new AbortController();
    const reason = new Error('caller hung up');
    const pending = new PromptLoader({ clock }).load(`${base}/slow`, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    await assert.rejects(pending, (e) => e === reason);
  });
});
