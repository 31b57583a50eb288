import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SystemClock } from '../../../../src/time/clock.ts';
import { EspeakProvider } from '../../../../src/telephony/media/audio/espeak.ts';
import { FliteBinaryProvider } from '../../../../src/telephony/media/audio/flite-binary.ts';
import { FliteWasiProvider } from '../../../../src/telephony/media/audio/flite-wasi.ts';
import { MediaError } from '../../../../src/telephony/media/audio/media-error.ts';
import { rms } from '../../../../src/telephony/media/audio/pcm-level.ts';
import { runProcess, ProcessError } from '../../../../src/telephony/media/audio/run-process.ts';
import { detectTtsEngines } from '../../../../src/telephony/media/audio/tts-engines.ts';
import { APPOINTMENT, RENDEZ_VOUS, installed } from './audio-helpers.ts';

const clock = new SystemClock();
const hasFlite = installed('flite');
const hasEspeak = installed('espeak-ng');
const NO_FLITE = hasFlite ? false : 'the flite program is not installed (apt-get install flite)';
const NO_ESPEAK = hasEspeak ? false : 'espeak-ng is not installed (apt-get install espeak-ng)';

/** What a caller would hear as a spoken sentence: 1.5–5 s long, clearly louder than silence. */
function assertSpeech(pcm: Int16Array, minS = 1.5, maxS = 5): void {
  const seconds = pcm.length / 8000;
  assert.ok(seconds >= minS && seconds <= maxS, `duration ${seconds} s`);
  assert.ok(rms(pcm) > 0.03, `RMS ${rms(pcm)}`);
}

describe('flite binary', { skip: NO_FLITE }, () => {
  it('speaks the sentence as 8 kHz PCM, with each voice', async () => {
    const flite = new FliteBinaryProvider({ clock });
    for (const voice of ['slt', 'kal', 'rms', 'awb']) assertSpeech(await flite.synthesize(APPOINTMENT, voice));
  });

  it('lists its voices without the clock-only one', async () => {
    const voices = await new FliteBinaryProvider({ clock }).listVoices();
    assert.ok(voices.includes('slt') && voices.includes('kal'));
    assert.ok(!voices.includes('awb_time'));
  });

  it('refuses an unknown voice instead of falling back silently', async () => {
    await assert.rejects(new FliteBinaryProvider({ clock }).synthesize('hi', 'nosuch'), (e: MediaError) => e.code === 'RF_MEDIA_VOICE' && /kal/.test(e.message));
  });

  it('passes shell syntax through as text to speak, never to a shell', async () => {
    const marker = join(tmpdir(), `ringflow-pwned-${process.pid}`);
    const pcm = await new FliteBinaryProvider({ clock }).synthesize(`-o /dev/null $(touch ${marker}); touch ${marker}`, 'kal');
    assert.ok(pcm.length > 8000);
    assert.equal(existsSync(marker), false);
  });

  it('rejects with the abort reason when the caller hangs up', async () => {
    const reason = new Error('hung up');
    const controller = new AbortController();
    const pending = new FliteBinaryProvider({ clock }).synthesize(APPOINTMENT.repeat(20), 'slt', controller.signal);
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
  });

  it('returns no audio for blank text', async () => {
    assert.equal((await new FliteBinaryProvider({ clock }).synthesize('  ', 'kal')).length, 0);
  });
});

describe('flite in WASI', () => {
  it('speaks the sentence as 8 kHz PCM with the built-in voices', async () => {
    const flite = new FliteWasiProvider({ clock });
    for (const voice of ['slt', 'kal', 'rms']) assertSpeech(await flite.synthesize(APPOINTMENT, voice));
  });

  it('sounds like the flite binary (same engine, same length)', { skip: NO_FLITE }, async () => {
    const wasi = await new FliteWasiProvider({ clock }).synthesize(APPOINTMENT, 'kal');
    const binary = await new FliteBinaryProvider({ clock }).synthesize(APPOINTMENT, 'kal');
    assert.ok(Math.abs(wasi.length - binary.length) < 800, `${wasi.length} vs ${binary.length}`);
  });

  it('refuses an unknown voice', async () => {
    await assert.rejects(new FliteWasiProvider({ clock }).synthesize('hi', 'awb_time'), (e: MediaError) => e.code === 'RF_MEDIA_VOICE');
  });

  it('reports a missing WASM file as RF_MEDIA_TTS unavailable', async () => {
    const flite = new FliteWasiProvider({ clock, wasmPath: join(tmpdir(), 'no-such-flite.wasm') });
    await assert.rejects(flite.synthesize('hi', 'kal'), (e: MediaError) => e.code === 'RF_MEDIA_TTS' && e.reason === 'unavailable');
  });
});

describe('espeak-ng', { skip: NO_ESPEAK }, () => {
  it('speaks French, resampled from 22,050 Hz to 8 kHz', async () => {
    assertSpeech(await new EspeakProvider({ clock }).synthesize(RENDEZ_VOUS, 'fr'));
  });

  it('speaks German, Spanish and British English', async () => {
    const espeak = new EspeakProvider({ clock });
    assertSpeech(await espeak.synthesize('Ihr Termin ist morgen um neun Uhr', 'de'), 1, 5);
    assertSpeech(await espeak.synthesize('Su cita es mañana a las nueve', 'es'), 1, 5);
    assertSpeech(await espeak.synthesize(APPOINTMENT, 'en-gb'), 1, 5);
  });

  it('reads text starting with a dash as text', async () => {
    assertSpeech(await new EspeakProvider({ clock }).synthesize('--help -v de Bonjour à tous', 'fr'), 0.8, 5);
  });

  it('refuses an unknown language instead of returning no audio', async () => {
    await assert.rejects(new EspeakProvider({ clock }).synthesize('hi', 'xx-yy'), (e: MediaError) => e.code === 'RF_MEDIA_VOICE');
  });
});

describe('engine detection', () => {
  it('uses the installed binaries', async () => {
    const engines = await detectTtsEngines({ clock });
    assert.equal(engines.flite.name, hasFlite ? 'flite' : 'flite-wasi');
    assert.equal(engines.espeak?.name ?? null, hasEspeak ? 'espeak-ng' : null);
  });

  it('falls back to flite in WASI and no espeak-ng when the programs are missing, and says so', async () => {
    const logged: string[] = [];
    const logger = { warn: (_: object, m: string) => logged.push(m), info: (_: object, m: string) => logged.push(m) };
    const engines = await detectTtsEngines({ clock, logger, fliteCommand: 'no-such-flite', espeakCommand: 'no-such-espeak' });
    assert.equal(engines.flite.name, 'flite-wasi');
    assert.equal(engines.espeak, null);
    assert.ok(logged.some((m) => /apt-get install espeak-ng/.test(m)));
    assertSpeech(await engines.flite.synthesize(APPOINTMENT, 'slt'));
  });

  it('reports a missing engine as RF_MEDIA_TTS unavailable', async () => {
    await assert.rejects(new EspeakProvider({ clock, command: 'no-such-espeak' }).synthesize('bonjour', 'fr'), (e: MediaError) => e.code === 'RF_MEDIA_TTS' && e.reason === 'unavailable');
  });
});

describe('runProcess', () => {
  it('kills a process that overruns its deadline', async () => {
    const started = performance.now();
    await assert.rejects(
      runProcess({ command: 'sleep', args: ['5'], clock, timeoutMs: 50, maxOutputBytes: 1024 }),
      (e) => e instanceof ProcessError && e.kind === 'timeout',
    );
    assert.ok(performance.now() - started < 2000);
  });

  it('refuses output past its cap', async () => {
    await assert.rejects(
      runProcess({ command: 'head', args: ['-c', '100000', '/dev/zero'], clock, timeoutMs: 5000, maxOutputBytes: 1000 }),
      (e) => e instanceof ProcessError && e.kind === 'too-large',
    );
  });
});
