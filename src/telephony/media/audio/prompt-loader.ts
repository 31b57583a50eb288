// play@v1 prompts: a `file:` path or an http(s) URL to a WAV or MP3, turned into 8 kHz mono PCM.
// HTTP goes through a fetch function the caller passes in, so the engine's outbound HTTP guard
// (allow-list, no private addresses) applies to prompts as to fetch@v2. Loaded prompts are kept
// (bounded by bytes); concurrent plays of the same URL share one download.

import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../../time/clock.ts';
import { ByteLru } from './byte-lru.ts';
import { MediaError, type MediaErrorReason } from './media-error.ts';
import { decodeMp3, isMp3 } from './mp3-decode.ts';
import { toTelephonyPcmInSlices } from './resample.ts';
import { SingleFlight } from './single-flight.ts';
import { AudioFormatError, decodeWav, isWav, type DecodedAudio } from './wav-decode.ts';

/** The standard fetch signature; the engine passes its guarded one. */
export type PromptFetch = (url: string, init: { signal: AbortSignal; redirect: 'follow'; headers: Record<string, string> }) => Promise<Response>;

export interface PromptLoaderOptions {
  readonly clock: Clock;
  /** Fetch for http(s) prompts; the global fetch by default (tests on loopback). */
  readonly fetch?: PromptFetch;
  /** Largest prompt file accepted; 20 MB by default (about 20 minutes of MP3, 2 of CD-quality WAV). */
  readonly maxBytes?: number;
  /** Deadline for reading one prompt; 15 s by default. */
  readonly timeoutMs?: number;
  /** Bound of the decoded-prompt cache; 64 MB by default. */
  readonly cacheBytes?: number;
  /**
   * How long a downloaded prompt is reused before it is fetched again; 10 minutes by default, so an
   * edited prompt at the same URL is heard within minutes without downloading it on every call.
   * `file:` prompts are checked by modification time instead.
   */
  readonly httpTtlMs?: number;
  /** Directory that relative `file:` paths (`file:prompts/hello.wav`) are resolved against; the working directory by default. */
  readonly baseDir?: string;
}

interface Cached {
  readonly pcm: Int16Array;
  readonly loadedAt: number;
}

export class PromptLoader {
  readonly #clock: Clock;
  readonly #fetch: PromptFetch;
  readonly #maxBytes: number;
  readonly #timeoutMs: number;
  readonly #httpTtlMs: number;
  readonly #baseDir: string;
  readonly #cache: ByteLru<Cached>;
  readonly #flights = new SingleFlight<Int16Array>();

  constructor(o: PromptLoaderOptions) {
    this.#clock = o.clock;
    this.#fetch = o.fetch ?? ((url, init) => fetch(url, init));
    this.#maxBytes = o.maxBytes ?? 20 * 1024 * 1024;
    this.#timeoutMs = o.timeoutMs ?? 15_000;
    this.#httpTtlMs = o.httpTtlMs ?? 10 * 60_000;
    this.#baseDir = o.baseDir ?? process.cwd();
    this.#cache = new ByteLru(o.cacheBytes ?? 64 * 1024 * 1024, (c) => c.pcm.byteLength);
  }

  /** The prompt at `url` as 8 kHz mono PCM (shared with other callers: read-only). Rejects with MediaError RF_MEDIA_PROMPT. */
  async load(url: string, signal?: AbortSignal): Promise<Int16Array> {
    signal?.throwIfAborted();
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
    if (scheme === 'file') return this.#loadFile(url, signal);
    if (scheme === 'http' || scheme === 'https') return this.#loadHttp(url, signal);
    throw fail(url, 'unsupported-url', 'only file: paths and http(s) URLs can be played');
  }

  async #loadFile(url: string, signal: AbortSignal | undefined): Promise<Int16Array> {
    const path = this.#filePath(url);
    let info;
    try {
      info = await stat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw fail(url, code === 'ENOENT' || code === 'ENOTDIR' ? 'not-found' : 'io', code === 'ENOENT' ? 'no such file' : (e as Error).message, e);
    }
    if (!info.isFile()) throw fail(url, 'not-found', 'not a file');
    if (info.size > this.#maxBytes) throw tooLarge(url, this.#maxBytes);
    // The modification time is in the key: an edited file is loaded again.
    const key = `${url}\0${info.mtimeMs}\0${info.size}`;
    const hit = this.#cache.get(key);
    if (hit) return hit.pcm;
    return this.#flights.run(
      key,
      async (shared) => {
        const bytes = await readFile(path, { signal: shared }).catch((e: unknown) => {
          throw shared.aborted ? e : fail(url, 'io', (e as Error).message, e);
        });
        const pcm = await decodePrompt(url, bytes, '', shared);
        this.#cache.set(key, { pcm, loadedAt: this.#clock.now() });
        return pcm;
      },
      signal,
    );
  }

  #filePath(url: string): string {
    const rest = url.slice('file:'.length);
    if (rest.startsWith('//') || rest.startsWith('/')) {
      try {
        return fileURLToPath(rest.startsWith('//') ? url : `file://${rest}`);
      } catch (e) {
        throw fail(url, 'unsupported-url', (e as Error).message, e);
      }
    }
    let path: string;
    try {
      path = decodeURIComponent(rest);
    } catch (e) {
      throw fail(url, 'unsupported-url', (e as Error).message, e);
    }
    return isAbsolute(path) ? path : resolve(this.#baseDir, path);
  }

  #loadHttp(url: string, signal: AbortSignal | undefined): Promise<Int16Array> {
    const hit = this.#cache.get(url);
    if (hit && this.#clock.now() - hit.loadedAt < this.#httpTtlMs) return Promise.resolve(hit.pcm);
    return this.#flights.run(
      url,
      async (shared) => {
        const { bytes, contentType } = await this.#download(url, shared);
        const pcm = await decodePrompt(url, bytes, contentType, shared);
        this.#cache.set(url, { pcm, loadedAt: this.#clock.now() });
        return pcm;
      },
      signal,
    );
  }

  async #download(url: string, signal: AbortSignal): Promise<{ bytes: Uint8Array; contentType: string }> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = this.#clock.setTimer(this.#timeoutMs, () => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    });
    // Real network time: a virtual clock must let the deadline run at the real rate meanwhile.
    const release = this.#clock.hold();
    try {
      const { target, headers } = withBasicAuth(url);
      const response = await this.#fetch(target, { signal: controller.signal, redirect: 'follow', headers });
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        const reason = response.status === 404 || response.status === 410 ? 'not-found' : 'http-status';
        throw fail(url, reason, `the server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > this.#maxBytes) {
        await response.body?.cancel().catch(() => {});
        throw tooLarge(url, this.#maxBytes);
      }
      const bytes = await readBody(response, this.#maxBytes, url);
      return { bytes, contentType: response.headers.get('content-type') ?? '' };
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      if (timedOut) throw fail(url, 'timeout', `no complete answer within ${this.#timeoutMs} ms`, e);
      if (e instanceof MediaError) throw e;
      throw fail(url, 'network', (e as Error).message, e);
    } finally {
      release();
      timer.cancel();
      signal.removeEventListener('abort', onAbort);
    }
  }
}

async function readBody(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw tooLarge(url, maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

async function decodePrompt(url: string, bytes: Uint8Array, contentType: string, signal: AbortSignal): Promise<Int16Array> {
  let audio: DecodedAudio;
  try {
    if (isWav(bytes)) audio = decodeWav(bytes);
    else if (isMp3(bytes)) audio = await decodeMp3(bytes);
    else {
      const what = contentType ? `the server sent ${contentType.split(';')[0]}` : bytes.length === 0 ? 'the file is empty' : 'the file';
      throw new AudioFormatError(`${what}, not a WAV or MP3 file`);
    }
  } catch (e) {
    if (e instanceof AudioFormatError) throw fail(url, 'unsupported-format', e.message, e);
    throw fail(url, 'unsupported-format', `cannot decode the audio: ${(e as Error).message}`, e);
  }
  signal.throwIfAborted();
  return toTelephonyPcmInSlices(audio, signal);
}

function fail(url: string, reason: MediaErrorReason, detail: string, cause?: unknown): MediaError {
  const shown = displayUrl(url);
  // Lower layers quote the URL as given; the password in it must not reach a log.
  const safeDetail = shown === url ? detail : detail.replaceAll(url, shown);
  return new MediaError('RF_MEDIA_PROMPT', reason, `cannot play ${shown}: ${safeDetail}`, cause === undefined ? undefined : { cause });
}

/**
 * fetch refuses URLs with credentials (https://user:pass@host/a.wav), which prompt hosts often
 * hand out: they are sent as HTTP Basic authentication instead.
 */
function withBasicAuth(url: string): { target: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { target: url, headers: {} };
  const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  return { target: u.toString(), headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

function tooLarge(url: string, maxBytes: number): MediaError {
  return fail(url, 'too-large', `the file is larger than ${formatBytes(maxBytes)}, the most a prompt may be`);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** The URL without a user name or password, which must not reach logs. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}
