// Synthesized speech, kept so a prompt said on every call is synthesized once: in memory (an LRU
// bounded by bytes) and, when a directory is given, on disk so a restarted server reuses it.
// Concurrent requests for the same text share one synthesis (a campaign starting 50 calls at once
// runs flite once, not 50 times).
//
// The PCM handed out is shared between callers: treat it as read-only.

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteLru } from './byte-lru.ts';
import { pcmFromBytes, pcmToBytes } from './pcm-bytes.ts';
import { SingleFlight } from './single-flight.ts';

export interface TtsCacheOptions {
  /** Bound of the in-memory cache; 64 MB (about 70 minutes of 8 kHz speech) by default. */
  readonly maxBytes?: number;
  /** Directory for the disk cache (raw 8 kHz s16le files named by key); none by default. */
  readonly dir?: string;
  /** Told about disk errors, which are not fatal: the text is synthesized again. */
  readonly onDiskError?: (error: unknown) => void;
}

export interface TtsCacheStats {
  /** Served from memory. */
  memoryHits: number;
  /** Served from the disk cache. */
  diskHits: number;
  /** Synthesized (joined requests for the same text count once). */
  syntheses: number;
}

export class TtsCache {
  readonly #memory: ByteLru<Int16Array>;
  readonly #flights = new SingleFlight<Int16Array>();
  readonly #dir: string | undefined;
  readonly #onDiskError: (error: unknown) => void;
  #dirReady: Promise<unknown> | undefined;
  readonly stats: TtsCacheStats = { memoryHits: 0, diskHits: 0, syntheses: 0 };

  constructor(o: TtsCacheOptions = {}) {
    this.#memory = new ByteLru(o.maxBytes ?? 64 * 1024 * 1024, (pcm) => pcm.byteLength);
    this.#dir = o.dir;
    this.#onDiskError = o.onDiskError ?? (() => {});
  }

  /** The key of a synthesis: every input that changes the audio, hashed. */
  static key(provider: string, voice: string, text: string): string {
    return createHash('sha256').update(JSON.stringify([provider, voice, text])).digest('hex');
  }

  /** Bytes held in memory. */
  get memoryBytes(): number {
    return this.#memory.bytes;
  }

  /** The cached audio for `key`, or what `synthesize` makes (then cached). */
  get(key: string, synthesize: (signal: AbortSignal) => Promise<Int16Array>, signal?: AbortSignal): Promise<Int16Array> {
    const hit = this.#memory.get(key);
    if (hit) {
      this.stats.memoryHits += 1;
      return Promise.resolve(hit);
    }
    return this.#flights.run(key, (shared) => this.#load(key, synthesize, shared), signal);
  }

  async #load(key: string, synthesize: (signal: AbortSignal) => Promise<Int16Array>, signal: AbortSignal): Promise<Int16Array> {
    const fromDisk = await this.#readDisk(key);
    if (fromDisk) {
      this.stats.diskHits += 1;
      this.#memory.set(key, fromDisk);
      return fromDisk;
    }
    this.stats.syntheses += 1;
    const pcm = await synthesize(signal);
    this.#memory.set(key, pcm);
    await this.#writeDisk(key, pcm);
    return pcm;
  }

  async #readDisk(key: string): Promise<Int16Array | null> {
    if (!this.#dir) return null;
    try {
      return pcmFromBytes(await readFile(join(this.#dir, `${key}.pcm`)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.#onDiskError(e); // not cached yet is no error
      return null;
    }
  }

  async #writeDisk(key: string, pcm: Int16Array): Promise<void> {
    const dir = this.#dir;
    if (!dir) return;
    // Written under a temporary name and renamed, so a crash or a second server sharing the
    // directory never reads half a file.
    const temp = join(dir, `${key}.${randomUUID()}.tmp`);
    try {
      this.#dirReady ??= mkdir(dir, { recursive: true });
      await this.#dirReady;
      await writeFile(temp, pcmToBytes(pcm));
      await rename(temp, join(dir, `${key}.pcm`));
    } catch (e) {
      this.#dirReady = undefined;
      await rm(temp, { force: true }).catch(() => {});
      this.#onDiskError(e);
    }
  }
}
