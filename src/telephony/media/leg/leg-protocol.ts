// The messages between the main thread and a media worker. Commands name a leg by `id`; those that
// expect an answer carry an `op`, answered by exactly one reply. Messages on one port arrive in
// the order they were posted, which is what keeps a key ahead of the prompt it interrupted. Each
// side sends arrays: everything it posted in one turn of its event loop, in order.

import type { MessagePort } from 'node:worker_threads';
import { MediaError, type MediaErrorCode, type MediaErrorReason } from '../audio/media-error.ts';
import type { RecordLimitsOptions } from '../audio/record-limits.ts';
import type { RtpEndpoint } from '../rtp/rtp-session-types.ts';
import type { LegFormat, LegSpec } from './media-leg.ts';

export type Reply = Extract<FromWorker, { t: 'reply' }>;

export type ToWorker =
  /** Binds `port`; replies true, or false when the port is taken. */
  | { t: 'open'; op: number; id: number; port: number; localAddress: string; spec: LegSpec }
  | { t: 'negotiate'; id: number; format: LegFormat }
  | { t: 'remote'; id: number; remote: RtpEndpoint | null }
  | { t: 'rtp-timeout'; id: number; ms: number }
  /** `pcm` is backed by a SharedArrayBuffer: no copy. Replies with the PlayResult. */
  | { t: 'play'; op: number; id: number; pcm: Int16Array; loop: number; stopOnDigit: boolean }
  /** Aborts the play or recording `op` (which still gets its one reply). */
  | { t: 'stop'; op: number }
  | { t: 'digit'; id: number; digit: string }
  | { t: 'record'; op: number; id: number; path: string; limits: RecordLimitsOptions }
  /** Replies once started (op), and again when the file is closed (doneOp). */
  | { t: 'record-all'; op: number; doneOp: number; id: number; path: string }
  /** Both legs in this worker. */
  | { t: 'bridge'; id: number; peer: number }
  /** The peer leg is in another worker, at the other end of `port`. */
  | { t: 'bridge-port'; id: number; port: MessagePort; peer: LegFormat }
  | { t: 'unbridge'; id: number }
  /** Replies with the leg's RtpSessionStats. */
  | { t: 'close'; op: number; id: number }
  /** Closes every leg, then replies. */
  | { t: 'shutdown'; op: number };

export type FromWorker =
  /** Posted once the worker's code has loaded. */
  | { t: 'ready' }
  | { t: 'reply'; op: number; ok: true; value?: unknown }
  | { t: 'reply'; op: number; ok: false; aborted: boolean; error: WireError }
  | { t: 'digit'; id: number; digit: string }
  | { t: 'lost'; id: number; why: string }
  | { t: 'error'; id: number | null; error: WireError };

/** An error as it crosses threads: structured clone keeps neither the class nor `code`. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  reason?: string;
  stack?: string;
}

export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & { code?: unknown; reason?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(typeof e.code === 'string' && { code: e.code }),
    ...(typeof e.reason === 'string' && { reason: e.reason }),
    ...(e.stack !== undefined && { stack: e.stack }),
  };
}

/** Back to an Error: a MediaError again when it was one (callers branch on its code). */
export function fromWire(wire: WireError): Error {
  const err = wire.code?.startsWith('RF_MEDIA_')
    ? new MediaError(wire.code as MediaErrorCode, (wire.reason ?? 'failed') as MediaErrorReason, wire.message)
    : Object.assign(new Error(wire.message), wire.code !== undefined ? { code: wire.code } : {});
  err.name = wire.name;
  if (wire.stack !== undefined) err.stack = wire.stack;
  return err;
}
