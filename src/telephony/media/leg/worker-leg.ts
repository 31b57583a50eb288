// A media leg that lives in a media worker: each method is a message to it. What the call reads
// back at once (port, format) is mirrored here; what waits (a prompt, a recording, the close) is a
// reply to an op.

import { MessageChannel } from 'node:worker_threads';
import type { PlayResult } from '../audio/player.ts';
import type { RecordLimitsOptions } from '../audio/record-limits.ts';
import type { RtpEndpoint, RtpSessionStats } from '../rtp/rtp-session-types.ts';
import { fromWire, type Reply } from './leg-protocol.ts';
import type { MediaThread, ThreadLeg } from './media-thread.ts';
import type { MediaBridge } from '../bridge.ts';
import type { LegBackgroundRecording, LegEvents, LegFormat, LegRecording, MediaLeg } from './media-leg.ts';

export interface WorkerLegInit {
  thread: MediaThread;
  id: number;
  localPort: number;
  format: LegFormat;
  /** The same samples in shared memory, so a prompt crosses to the worker without a copy. */
  share: (pcm: Int16Array) => Int16Array;
  /** Gives the port back to the allocator (once the worker closed the socket). */
  release: () => void;
}

const NO_MEDIA: RtpSessionStats = {
  sent: 0, received: 0, lost: 0, late: 0, duplicates: 0, foreignSource: 0, invalid: 0, unknownPayloadType: 0, errors: 0,
  jitter: { p50: 0, p99: 0, max: 0, count: 0 }, skippedFrames: 0,
};

export class WorkerLeg implements MediaLeg, ThreadLeg {
  readonly thread: MediaThread;
  readonly id: number;
  readonly localPort: number;
  readonly #init: WorkerLegInit;
  #format: LegFormat;
  #events: LegEvents | null = null;
  #closing: Promise<RtpSessionStats> | undefined;

  constructor(init: WorkerLegInit) {
    this.#init = init;
    this.thread = init.thread;
    this.id = init.id;
    this.localPort = init.localPort;
    this.#format = { ...init.format };
  }

  get format(): LegFormat {
    return this.#format;
  }

  listen(events: LegEvents): void {
    this.#events = events;
  }

  heard(digit: string): void {
    this.#events?.digit(digit);
  }

  lost(why: string): void {
    this.#events?.lost(why);
  }

  negotiate(format: LegFormat): void {
    this.#format = { ...format };
    this.thread.post({ t: 'negotiate', id: this.id, format: this.#format });
  }

  setRemote(remote: RtpEndpoint | null): void {
    this.thread.post({ t: 'remote', id: this.id, remote });
  }

  setRtpTimeout(ms: number): void {
    this.thread.post({ t: 'rtp-timeout', id: this.id, ms });
  }

  digit(digit: string): void {
    this.thread.post({ t: 'digit', id: this.id, digit });
  }

  play(pcm: Int16Array, request: { loop: number; stopOnDigit: boolean }, signal: AbortSignal): Promise<PlayResult> {
    return this.#stoppable<PlayResult>(signal, (op) => ({ t: 'play', op, id: this.id, pcm: this.#init.share(pcm), loop: request.loop, stopOnDigit: request.stopOnDigit }));
  }

  record(path: string, limits: RecordLimitsOptions, signal: AbortSignal): Promise<LegRecording> {
    return this.#stoppable<LegRecording>(signal, (op) => ({ t: 'record', op, id: this.id, path, limits }));
  }

  startRecording(path: string): Promise<LegBackgroundRecording> {
    if (this.#closing) return Promise.reject(new Error('media leg closed'));
    const thread = this.thread;
    const doneOp = thread.op();
    const done = new Promise<{ durationMs: number }>((resolve, reject) => {
      thread.expect(doneOp, (r) => (r.ok ? resolve(r.value as { durationMs: number }) : reject(fromWire(r.error))));
    });
    done.catch(() => {});
    return thread.request((op) => ({ t: 'record-all', op, doneOp, id: this.id, path })).then((r) => {
      if (!r.ok) throw fromWire(r.error);
      return { done };
    });
  }

  bridge(other: MediaLeg): MediaBridge {
    if (!(other instanceof WorkerLeg) || other === this) throw new TypeError('a worker media leg can only be bridged with another worker leg');
    let stopped = false;
    if (other.thread === this.thread) {
      this.thread.post({ t: 'bridge', id: this.id, peer: other.id });
    } else {
      // The legs live in two workers: they relay to each other directly, not through this thread.
      const { port1, port2 } = new MessageChannel();
      this.thread.post({ t: 'bridge-port', id: this.id, port: port1, peer: other.format }, [port1]);
      other.thread.post({ t: 'bridge-port', id: other.id, port: port2, peer: this.format }, [port2]);
    }
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        this.thread.post({ t: 'unbridge', id: this.id });
        if (other.thread !== this.thread) other.thread.post({ t: 'unbridge', id: other.id });
      },
    };
  }

  close(): Promise<RtpSessionStats> {
    this.#closing ??= this.thread.request((op) => ({ t: 'close', op, id: this.id })).then((r) => {
      this.thread.forget(this.id);
      this.#init.release();
      if (r.ok) return r.value as RtpSessionStats;
      // A worker that stopped took the socket with it: nothing to report, nothing left to close.
      if (!this.thread.alive) return NO_MEDIA;
      throw fromWire(r.error);
    });
    return this.#closing;
  }

  /**
   * A command that runs until done or stopped. Aborting sends `stop` and still waits for the
   * worker's one reply: when a key already ended the prompt there, the reply says interrupted, as it
   * would have in-process.
   */
  #stoppable<T>(signal: AbortSignal, build: (op: number) => Parameters<MediaThread['post']>[0]): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#closing) return Promise.reject(new Error('media leg closed'));
    const thread = this.thread;
    const op = thread.op();
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => thread.post({ t: 'stop', op });
      signal.addEventListener('abort', onAbort, { once: true });
      thread.expect(op, (r: Reply) => {
        signal.removeEventListener('abort', onAbort);
        if (r.ok) resolve(r.value as T);
        else reject(r.aborted && signal.aborted ? signal.reason : fromWire(r.error));
      });
      thread.post(build(op));
    });
  }
}
