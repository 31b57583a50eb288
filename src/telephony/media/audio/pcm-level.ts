// Loudness of 16-bit PCM, as a fraction of full scale, for silence detection and tests.

/** Root mean square of the samples, 0 (silence) to 1 (full-scale square wave). */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] / 32768;
    sum += s * s;
  }
  return Math.sqrt(sum / samples.length);
}

/** The level in dB relative to full scale; -Infinity for digital silence. */
export function toDbfs(level: number): number {
  return 20 * Math.log10(level);
}

/** A dBFS level as a linear fraction of full scale. */
export function fromDbfs(dbfs: number): number {
  return 10 ** (dbfs / 20);
}
