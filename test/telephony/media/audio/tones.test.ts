import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Player } from '../../../../src/telephony/media/audio/player.ts';
import { rms, toDbfs } from '../../../../src/telephony/media/audio/pcm-level.ts';
import { WAITING_PERIOD_MS, recordingBeep, silence, silenceFrame, waitingSound } from '../../../../src/telephony/media/audio/tones.ts';
import { peak, toneFrequency } from './audio-helpers.ts';

/** The largest jump between neighbouring samples: a click is a jump far above the signal's own. */
function largestStep(samples: Int16Array): number {
  let max = 0;
  for (let i = 1; i < samples.length; i++) max = Math.max(max, Math.abs(samples[i] - samples[i - 1]));
  return max;
}

describe('tones', () => {
  it('beeps at 1 kHz for 250 ms at −10 dBFS, fading in and out', () => {
    const beep = recordingBeep();
    assert.equal(beep.length, 2000);
    assert.ok(Math.abs(toneFrequency(beep, 8000) - 1000) < 5);
    assert.ok(Math.abs(toDbfs(peak(beep) / 32767) - -10) < 0.1);
    assert.ok(Math.abs(beep[0]) < 50 && Math.abs(beep[beep.length - 1]) < 50);
  });

  it('makes a soft waiting sound: 2 s, peak −24 dBFS, quiet on average', () => {
    const sound = waitingSound();
    assert.equal(sound.length, (WAITING_PERIOD_MS * 8000) / 1000);
    assert.ok(Math.abs(toDbfs(peak(sound) / 32767) - -24) < 0.1);
    assert.ok(toDbfs(rms(sound)) < -30);
  });

  it('loops the waiting sound without a click: the seam is as smooth as the sound itself', async () => {
    const sound = waitingSound();
    const player = new Player();
    const controller = new AbortController();
    const playing = player.play(sound, { loop: 0, signal: controller.signal });
    const frames: Int16Array[] = [];
    for (let i = 0; i < 250; i++) frames.push(player.read()!); // 5 s: two loop points
    controller.abort(new Error('answer arrived'));
    await assert.rejects(playing, /answer arrived/);
    const heard = Int16Array.from(frames.flatMap((f) => [...f]));
    // Both seams: the last samples of one period next to the first of the next.
    for (const seam of [sound.length, 2 * sound.length]) {
      // The period ends in silence and the next starts from zero with a 4 ms fade-in.
      assert.ok(peak(heard.subarray(seam - 160, seam)) <= 1, `tail ${peak(heard.subarray(seam - 160, seam))} before ${seam}`);
      assert.ok(Math.abs(heard[seam] - heard[seam - 1]) <= 2, `step at ${seam}`);
    }
    assert.equal(sound[0], 0);
    assert.ok(Math.abs(sound[sound.length - 1]) <= 1);
    assert.ok(largestStep(heard) <= largestStep(sound));
  });

  it('stays below the DTMF frequencies (no false key presses on echo)', () => {
    const sound = waitingSound();
    const first = sound.subarray(400, 3200); // the first note alone
    assert.ok(toneFrequency(first, 8000) < 697);
  });

  it('makes silence of the right length', () => {
    assert.equal(silence(1000).length, 8000);
    assert.equal(peak(silence(40)), 0);
    assert.equal(silenceFrame().length, 160);
  });
});
