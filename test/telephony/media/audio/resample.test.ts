import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downmix, resample, resampleInSlices, toInt16 } from '../../../../src/telephony/media/audio/resample.ts';
import { peak, toneFrequency } from './audio-helpers.ts';

function sine(frequency: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
}

/** The middle of a signal, away from the filter's start-up and tail. */
const middle = (x: Float32Array) => x.subarray(Math.floor(x.length * 0.2), Math.floor(x.length * 0.8));

describe('resample to 8 kHz', () => {
  for (const rate of [44100, 22050, 16000, 11025, 48000, 6000]) {
    it(`keeps a 1 kHz tone at ${rate} Hz: same pitch, same level, right length`, () => {
      const out = resample(sine(1000, rate, 1), rate, 8000);
      assert.equal(out.length, 8000);
      assert.ok(Math.abs(toneFrequency(middle(out), 8000) - 1000) < 2, `${toneFrequency(middle(out), 8000)} Hz`);
      assert.ok(Math.abs(peak(middle(out)) - 0.5) < 0.02, `peak ${peak(middle(out))}`);
    });
  }

  it('removes what 8 kHz cannot carry instead of folding it back (a 6 kHz tone at 44.1 kHz)', () => {
    const out = resample(sine(6000, 44100, 1), 44100, 8000);
    // Aliased, it would come back as a 2 kHz tone at full level; filtered it is below −50 dB.
    assert.ok(peak(middle(out)) < 0.5 * 10 ** (-50 / 20), `peak ${peak(middle(out))}`);
  });

  it('passes a 3.4 kHz tone (the top of the telephone band) nearly untouched', () => {
    const out = resample(sine(3400, 22050, 1), 22050, 8000);
    assert.ok(peak(middle(out)) > 0.48, `peak ${peak(middle(out))}`);
  });

  it('gives the same result in slices as in one go', async () => {
    const input = sine(440, 44100, 5);
    assert.deepEqual(await resampleInSlices(input, 44100, 8000), resample(input, 44100, 8000));
  });

  it('copies audio already at 8 kHz unchanged', () => {
    const input = sine(440, 8000, 0.1);
    assert.deepEqual(resample(input, 8000, 8000), input);
  });

  it('averages stereo into mono and converts to 16 bits with clipping', () => {
    const mono = downmix([Float32Array.of(1, 0.5), Float32Array.of(-1, 0.5)]);
    assert.deepEqual([...mono], [0, 0.5]);
    assert.deepEqual([...toInt16(Float32Array.of(0.5, 1.5, -1.5, -1))], [16384, 32767, -32768, -32768]);
  });
});
