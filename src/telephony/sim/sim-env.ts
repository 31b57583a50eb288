// What every simulated call of one network shares: the clock, the timeline's zero, the transcript,
// where recordings go, and the id generator.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../../time/clock.ts';
import type { RecordingInfo } from '../port.ts';
import type { Transcript } from './transcript.ts';
import { writeWavFile } from './wav-file.ts';

export interface SimEnv {
  readonly clock: Clock;
  /** clock.now() when the network was created: the zero of party timings and of the transcript. */
  readonly origin: number;
  readonly transcript: Transcript;
  readonly recordingsDir: string | undefined;
  /**
   * `network`: party times count from the network's origin (one simulation, one timeline: the CLI).
   * `call`: from each call's start (a server, where calls come and go).
   */
  readonly partyTimes: 'network' | 'call';
  newSid(): string;
}

/** Ms since the origin, unrounded (for scheduling; the transcript rounds). */
export function sinceOrigin(env: SimEnv): number {
  return env.clock.now() - env.origin;
}

/**
 * Finishes a recording: a real WAV file when the network has a recordings directory, otherwise
 * only a `sim://` URL (nothing to read, nothing to clean up).
 */
export function saveRecording(env: SimEnv, sid: string, durationMs: number, voicedMs: number): RecordingInfo {
  if (env.recordingsDir === undefined) {
    return { sid, url: `sim://recordings/${sid}.wav`, durationMs, format: 'wav' };
  }
  const path = join(env.recordingsDir, `${sid}.wav`);
  writeWavFile(path, durationMs, voicedMs);
  return { sid, url: pathToFileURL(path).href, durationMs, format: 'wav' };
}
