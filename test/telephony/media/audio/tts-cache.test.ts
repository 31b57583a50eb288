import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SystemClock } from '../../../../src/time/clock.ts';
import { EspeakProvider } from '../../../../src/telephony/media/audio/espeak.ts';
import { FliteBinaryProvider } from '../../../../src/telephony/media/audio/flite-binary.ts';
import { FliteWasiProvider } from '../../../../src/telephony/media/audio/flite-wasi.ts';
import { rms } from '../../../../src/telephony/media/audio/pcm-level.ts';
import { TtsCache } from '../../../../src/telephony/media/audio/tts-cache.ts';
import type { TtsProvider } from '../../../../src/telephony/media/audio/tts-provider.ts';
import { TtsService } from '../../../../src/telephony/media/audio/tts-service.ts';
import { APPOINTMENT, RENDEZ_VOUS, installed } from './audio-helpers.ts';

const clock = new SystemClock();
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-tts-cache-test-'));
  dirs.push(dir);
  return dir;
}

/** A real engine that counts how often it is asked to synthesize. */
class Counting implements TtsProvider {
  readonly name: string;
  readonly inner: TtsProvider;
  calls = 0;
  constructor(inner: TtsProvider) {
    this.inner = inner;
    this.name = inner.name;
  }
  synthesize(text: string, voice: string, signal?: AbortSignal): Promise<Int16Array> {
    this.calls += 1;
    return this.inner.synthesize(text, voice, signal);
  }
  listVoices(): Promise<readonly string[]> {
    return this.inner.listVoices?.() ?? Promise.resolve([]);
  }
}

const realFlite = (): TtsProvider => (installed('flite') ? new FliteBinaryProvider({ clock }) : new FliteWasiProvider({ clock }));

function say(cache: TtsCache, provider: TtsProvider, text: string, signal?: AbortSignal): Promise<Int16Array> {
  return cache.get(TtsCache.key(provider.name, 'kal', text), (s) => provider.synthesize(text, 'kal', s), signal);
}

describe('TtsCache', () => {
  it('synthesizes once: the second request is a hit with the same audio', async () => {
    const flite = new Counting(realFlite());
    const cache = new TtsCache();
    const first = await say(cache, flite, APPOINTMENT);
    const second = await say(cache, flite, APPOINTMENT);
    assert.equal(flite.calls, 1);
    assert.equal(second, first);
    assert.ok(rms(first) > 0.03);
    assert.deepEqual(cache.stats, { memoryHits: 1, diskHits: 0, syntheses: 1 });
  });

  it('keys on provider, voice and text', () => {
    const keys = new Set([TtsCache.key('flite', 'kal', 'hi'), TtsCache.key('flite', 'slt', 'hi'), TtsCache.key('espeak-ng', 'kal', 'hi'), TtsCache.key('flite', 'kal', 'hi!')]);
    assert.equal(keys.size, 4);
    assert.match(TtsCache.key('flite', 'kal', 'hi'), /^[0-9a-f]{64}$/);
  });

  it('shares one synthesis between concurrent requests', async () => {
    const flite = new Counting(realFlite());
    const cache = new TtsCache();
    const results = await Promise.all(Array.from({ length: 10 }, () => say(cache, flite, 'Please hold the line')));
    assert.equal(flite.calls, 1);
    for (const pcm of results) assert.equal(pcm, results[0]);
  });

  it('lets a caller that hangs up leave without cancelling the synthesis for the others', async () => {
    const flite = new Counting(realFlite());
    const cache = new TtsCache();
    const leaver = new AbortController();
    const reason = new Error('caller hung up');
    const left = say(cache, flite, 'Your call is important to us', leaver.signal);
    const stays = say(cache, flite, 'Your call is important to us');
    leaver.abort(reason);
    await assert.rejects(left, (e) => e === reason);
    assert.ok((await stays).length > 4000);
    assert.equal(flite.calls, 1);
  });

  it('evicts the least recently used audio past its byte bound', async () => {
    const flite = new Counting(realFlite());
    const one = await flite.inner.synthesize('one', 'kal');
    // Room for about two short words.
    const cache = new TtsCache({ maxBytes: Math.round(one.byteLength * 2.5) });
    await say(cache, flite, 'one');
    await say(cache, flite, 'two');
    await say(cache, flite, 'one'); // "one" is now the most recently used
    await say(cache, flite, 'six'); // evicts "two"
    assert.equal(flite.calls, 3);
    assert.ok(cache.memoryBytes <= Math.round(one.byteLength * 2.5));
    await say(cache, flite, 'one');
    assert.equal(flite.calls, 3);
    await say(cache, flite, 'two');
    assert.equal(flite.calls, 4);
  });

  it('reuses the disk cache after a restart (a new cache instance)', async () => {
    const dir = await tempDir();
    const flite = new Counting(realFlite());
    const before = await say(new TtsCache({ dir }), flite, APPOINTMENT);
    assert.equal((await readdir(dir)).filter((f) => f.endsWith('.pcm')).length, 1);
    const restarted = new TtsCache({ dir });
    const after = await say(restarted, flite, APPOINTMENT);
    assert.equal(flite.calls, 1);
    assert.deepEqual(after, before);
    assert.equal(restarted.stats.diskHits, 1);
  });

  it('keeps working when the disk cache cannot be written', async () => {
    const errors: unknown[] = [];
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, 'not a directory');
    const cache = new TtsCache({ dir: join(file, 'cache'), onDiskError: (e) => errors.push(e) });
    const flite = new Counting(realFlite());
    assert.ok((await say(cache, flite, 'hello')).length > 0);
    assert.equal(errors.length, 1);
  });
});

describe('TtsService', () => {
  const hasEspeak = installed('espeak-ng');

  it('speaks English with flite, through the cache', async () => {
    const flite = new Counting(realFlite());
    const service = new TtsService({ engines: { flite, espeak: null }, cache: new TtsCache() });
    const pcm = await service.speak(APPOINTMENT, 'en-US');
    await service.speak(APPOINTMENT, 'en-US');
    assert.ok(rms(pcm) > 0.03);
    assert.equal(flite.calls, 1);
  });

  it('speaks French with espeak-ng', { skip: hasEspeak ? false : 'espeak-ng is not installed (apt-get install espeak-ng)' }, async () => {
    const flite = new Counting(realFlite());
    const espeak = new Counting(new EspeakProvider({ clock }));
    const service = new TtsService({ engines: { flite, espeak }, cache: new TtsCache() });
    const pcm = await service.speak(RENDEZ_VOUS, 'fr-FR');
    assert.ok(rms(pcm) > 0.03 && pcm.length > 8000);
    assert.equal(espeak.calls, 1);
    assert.equal(flite.calls, 0);
    assert.equal((await service.choose('fr-FR')).voice, 'fr-fr');
  });

  it('reads French with flite when espeak-ng is missing, and warns once', async () => {
    const warnings: string[] = [];
    const flite = new Counting(realFlite());
    const service = new TtsService({ engines: { flite, espeak: null }, cache: new TtsCache(), logger: { warn: (_, m) => warnings.push(m) } });
    await service.speak('Bonjour', 'fr-FR');
    await service.speak('Au revoir', 'fr-FR');
    assert.equal(flite.calls, 2);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /espeak-ng is not installed/);
  });

  it('honours the voice param', async () => {
    const flite = new Counting(realFlite());
    const service = new TtsService({ engines: { flite, espeak: null }, cache: new TtsCache() });
    const choice = await service.choose('en-US', 'flite:rms');
    assert.deepEqual([choice.engine, choice.voice, choice.provider], ['flite', 'rms', flite]);
    assert.ok((await service.speak('Good morning', 'en-US', 'flite:rms')).length > 4000);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const service = new TtsService({ engines: { flite: realFlite(), espeak: null }, cache: new TtsCache() });
    const reason = new Error('gone');
    await assert.rejects(service.speak('hi', 'en-US', undefined, AbortSignal.abort(reason)), (e) => e === reason);
  });
});
