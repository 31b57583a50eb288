// Writes the audio of a simulated recording: a real 8 kHz mono 16-bit PCM WAV file, so whatever
// reads recordings (the API, a player, a transcription hook) can be tested on the simulator.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const WAV_SAMPLE_RATE = 8000;
const BYTES_PER_SAMPLE = 2;
const HEADER_BYTES = 44;
/** Samples generated per write, so a long call never needs its whole file in memory. */
const CHUNK_SAMPLES = 8000;

/** The 44-byte RIFF header of a PCM WAV file holding `samples` 16-bit mono samples. */
export function wavHeader(samples: number): Buffer {
  const dataBytes = samples * BYTES_PER_SAMPLE;
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(WAV_SAMPLE_RATE, 24);
  h.writeUInt32LE(WAV_SAMPLE_RATE * BYTES_PER_SAMPLE, 28); // byte rate
  h.writeUInt16LE(BYTES_PER_SAMPLE, 32); // block align
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * Writes `durationMs` of audio: the party's voice for the first `voicedMs` (a soft two-tone hum
 * with a syllable rhythm, clearly not silence), then silence. Synchronous on purpose: the file is
 * written between two simulated instants, so virtual time cannot move (and reorder the call's
 * events) while it is written; a minute of audio is under 1 MB.
 */
export function writeWavFile(path: string, durationMs: number, voicedMs: number): void {
  const samples = Math.round((Math.max(0, durationMs) * WAV_SAMPLE_RATE) / 1000);
  const voiced = Math.min(samples, Math.round((Math.max(0, voicedMs) * WAV_SAMPLE_RATE) / 1000));
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, wavHeader(samples));
    const chunk = Buffer.alloc(Math.min(samples, CHUNK_SAMPLES) * BYTES_PER_SAMPLE);
    for (let first = 0; first < samples; first += CHUNK_SAMPLES) {
      const count = Math.min(CHUNK_SAMPLES, samples - first);
      for (let i = 0; i < count; i++) chunk.writeInt16LE(sampleAt(first + i, voiced), i * BYTES_PER_SAMPLE);
      writeSync(fd, chunk, 0, count * BYTES_PER_SAMPLE);
    }
  } finally {
    closeSync(fd);
  }
}

function sampleAt(n: number, voiced: number): number {
  if (n >= voiced) return 0;
  const t = n / WAV_SAMPLE_RATE;
  const syllables = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
  const tone = Math.sin(2 * Math.PI * 180 * t) + 0.5 * Math.sin(2 * Math.PI * 360 * t);
  return Math.round(2500 * syllables * tone);
}
