// A recording written as it happens: an AudioSink that appends each 8 kHz 16-bit mono frame to a
// WAV file. wavefile would hold the whole recording in memory; this keeps one second buffered.
// The header goes first with the sizes at 0xFFFFFFFF ("until the end of the file", which tolerant
// readers accept, so a recording cut short by a crash is still playable) and the real sizes are
// written when it closes.

import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { SAMPLE_RATE } from '../audio-frame.ts';
import { MediaError } from './media-error.ts';
import { pcmToBytes } from './pcm-bytes.ts';

const HEADER_BYTES = 44;
/** Frames are gathered into writes of this size (one second of audio). */
const FLUSH_BYTES = SAMPLE_RATE * 2;
const UNKNOWN_SIZE = 0xffffffff;

export interface RecordingFile {
  readonly path: string;
  readonly samples: number;
  readonly durationMs: number;
}

export function wavHeader(dataBytes: number, riffSize = dataBytes + 36): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(riffSize, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * 2, 28); // bytes per second
  h.writeUInt16LE(2, 32); // bytes per sample frame
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export class WavRecorder {
  readonly path: string;
  readonly #stream: WriteStream;
  #pending = Buffer.alloc(FLUSH_BYTES);
  #pendingBytes = 0;
  #samples = 0;
  #error: Error | undefined;
  #closed = false;

  /** Creates (or truncates) `path` and writes the header. */
  constructor(path: string) {
    this.path = path;
    this.#stream = createWriteStream(path);
    this.#stream.on('error', (e) => (this.#error ??= e));
    this.#stream.write(wavHeader(UNKNOWN_SIZE, UNKNOWN_SIZE));
  }

  get samples(): number {
    return this.#samples;
  }

  /** Milliseconds recorded, from the samples written (the RTP clock, not wall time). */
  get durationMs(): number {
    return (this.#samples * 1000) / SAMPLE_RATE;
  }

  /** Appends a frame (copied: the caller may reuse its buffer). Ignored once closed or failed. */
  write(frame: Int16Array): void {
    if (this.#closed || this.#error) return;
    const bytes = pcmToBytes(frame);
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, FLUSH_BYTES - this.#pendingBytes);
      bytes.copy(this.#pending, this.#pendingBytes, from, from + n);
      this.#pendingBytes += n;
      from += n;
      if (this.#pendingBytes === FLUSH_BYTES) this.#flush();
    }
    this.#samples += frame.length;
  }

  /** Writes what is buffered, closes the file and fills in the sizes. */
  async close(): Promise<RecordingFile> {
    if (!this.#closed) {
      this.#closed = true;
      this.#flush();
      await this.#end();
      if (!this.#error) await this.#patchSizes().catch((e: Error) => (this.#error ??= e));
    }
    if (this.#error) {
      throw new MediaError('RF_MEDIA_RECORDING', 'io', `cannot write the recording ${this.path}: ${this.#error.message}`, { cause: this.#error });
    }
    return { path: this.path, samples: this.#samples, durationMs: this.durationMs };
  }

  /** Stops recording and deletes the file (a recording nobody will keep). */
  async discard(): Promise<void> {
    this.#closed = true;
    await this.#end();
    await rm(this.path, { force: true });
  }

  async #end(): Promise<void> {
    this.#stream.end();
    await finished(this.#stream).catch((e: Error) => (this.#error ??= e));
  }

  #flush(): void {
    if (this.#pendingBytes === 0) return;
    this.#stream.write(this.#pending.subarray(0, this.#pendingBytes));
    // The stream keeps the buffer it was given until written: start a new one.
    this.#pending = Buffer.alloc(FLUSH_BYTES);
    this.#pendingBytes = 0;
  }

  async #patchSizes(): Promise<void> {
    const file = await open(this.path, 'r+');
    try {
      const sizes = wavHeader(this.#samples * 2);
      await file.write(sizes, 4, 4, 4); // RIFF size
      await file.write(sizes, 40, 4, 40); // data size
    } finally {
      await file.close();
    }
  }
}
