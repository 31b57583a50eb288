// Shared by the audio tests: what a listener would check about a sound, and whether a program is installed.

import { spawnSync } from 'node:child_process';

/** Whether `command` can be run (for tests that need a Debian binary). */
export function installed(command: string): boolean {
  const r = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return !(r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT');
}

/** The frequency of a steady tone, from its rising zero crossings. */
export function toneFrequency(samples: Int16Array | Float32Array, sampleRate: number): number {
  let crossings = 0;
  let first = -1;
  let last = -1;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i - 1] < 0 && samples[i] >= 0) {
      crossings += 1;
      if (first < 0) first = i;
      last = i;
    }
  }
  return crossings < 2 ? 0 : ((crossings - 1) * sampleRate) / (last - first);
}

/** The peak absolute value. */
export function peak(samples: Int16Array | Float32Array): number {
  let max = 0;
  for (const v of samples) max = Math.max(max, Math.abs(v));
  return max;
}

export const APPOINTMENT = 'Hello, your appointment is tomorrow at nine';
export const RENDEZ_VOUS = 'Bonjour, votre rendez-vous est demain à neuf heures';
