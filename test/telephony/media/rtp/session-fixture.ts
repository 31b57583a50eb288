// Real RtpSessions on 127.0.0.1 for the media tests, wired to each other.

import { after } from 'node:test';
import { SystemClock, type Clock } from '../../../../src/time/clock.ts';
import type { AudioSink, AudioSource } from '../../../../src/telephony/media/audio-frame.ts';
import { PortAllocator } from '../../../../src/telephony/media/rtp/port-allocator.ts';
import { RtpSession, type DtmfEvent, type RtpSessionOptions } from '../../../../src/telephony/media/rtp/rtp-session.ts';

/** A per-test-file port range, away from the default one, so parallel test files rarely collide. */
export function testPorts(): PortAllocator {
  const min = 30000 + 2 * Math.floor(Math.random() * 10000);
  return new PortAllocator({ min, max: min + 2000 });
}

export async function openSession(options: Partial<RtpSessionOptions> = {}): Promise<RtpSession> {
  const errors: unknown[] = [];
  const session = new RtpSession({
    localAddress: '127.0.0.1',
    ports: options.ports ?? testPorts(),
    clock: options.clock ?? new SystemClock(),
    codec: 'PCMU',
    telephoneEventPayloadType: 101,
    onError: (err) => errors.push(err),
    ...options,
  });
  await session.start();
  after(() => session.close());
  return session;
}

/** Two started sessions sending to each other. */
export async function openPair(a: Partial<RtpSessionOptions> = {}, b: Partial<RtpSessionOptions> = {}): Promise<[RtpSession, RtpSession]> {
  const ports = testPorts();
  const left = await openSession({ ports, ...a });
  const right = await openSession({ ports, ...b });
  left.setRemote({ address: '127.0.0.1', port: right.localPort });
  right.setRemote({ address: '127.0.0.1', port: left.localPort });
  return [left, right];
}

export class CollectingSink implements AudioSink {
  readonly frames: Int16Array[] = [];
  write(frame: Int16Array): void {
    this.frames.push(frame.slice());
  }
  /** All samples received, concatenated. */
  samples(): Int16Array {
    const out = new Int16Array(this.frames.length * 160);
    this.frames.forEach((f, i) => out.set(f, i * 160));
    return out;
  }
}

/** Plays `pcm` frame by frame, then nothing. */
export class BufferSource implements AudioSource {
  #offset = 0;
  readonly #pcm: Int16Array;
  constructor(pcm: Int16Array) {
    this.#pcm = pcm;
  }
  get done(): boolean {
    return this.#offset >= this.#pcm.length;
  }
  read(): Int16Array | null {
    if (this.done) return null;
    const frame = new Int16Array(160);
    frame.set(this.#pcm.subarray(this.#offset, this.#offset + 160));
    this.#offset += 160;
    return frame;
  }
}

export function collectDigits(session: RtpSession): DtmfEvent[] {
  const digits: DtmfEvent[] = [];
  session.on('dtmf', (e) => digits.push(e));
  return digits;
}

/** Polls `condition` every 10 ms of real time until true; throws after `ms`. */
export async function until(condition: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const clock: Clock = new SystemClock();
  const deadline = clock.now() + ms;
  while (!condition()) {
    if (clock.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await clock.sleep(10);
  }
}

/** A sine at `hz`, `amplitude` peak, `samples` long. */
export function sine(hz: number, amplitude: number, samples: number): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000)));
}
