// A media worker thread: runs the legs the main thread opens here (LocalLeg each, on wall time and
// one shared 20 ms ticker) and answers its commands. Nothing here touches SIP, the database or a
// scenario, so a packet never waits behind them.

import { parentPort, type MessagePort } from 'node:worker_threads';
import { SystemClock } from '../../../time/clock.ts';
import { FrameTicker } from '../rtp/frame-ticker.ts';
import { NoRtpPortError } from '../rtp/port-allocator.ts';
import type { RelayedPacket, RtpPorts } from '../rtp/rtp-session-types.ts';
import type { HalfBridge } from '../bridge.ts';
import { PostBatch } from './post-batch.ts';
import { toWire, type FromWorker, type ToWorker } from './leg-protocol.ts';
import { LocalLeg, type LocalLegDeps } from './local-leg.ts';
import type { LegFormat } from './media-leg.ts';

if (!parentPort) throw new Error('media-worker.ts runs as a worker thread');
const port = parentPort;

/** Everything this worker holds, in one place (no module-level mutable state beyond this instance). */
class MediaWorker {
  readonly #clock = new SystemClock();
  readonly #ticker = new FrameTicker(this.#clock);
  readonly #legs = new Map<number, LocalLeg>();
  /** Plays and recordings in progress, by op: aborting one answers its op. */
  readonly #running = new Map<number, AbortController>();
  readonly #bridges = new Map<number, { stop(): void }>();
  readonly #post: (message: FromWorker) => void;

  constructor(post: (message: FromWorker) => void) {
    this.#post = post;
  }

  handle(m: ToWorker): void {
    switch (m.t) {
      case 'open':
        return void this.#open(m);
      case 'negotiate':
        return this.#legs.get(m.id)?.negotiate(m.format);
      case 'remote':
        return this.#legs.get(m.id)?.setRemote(m.remote);
      case 'rtp-timeout':
        return this.#legs.get(m.id)?.setRtpTimeout(m.ms);
      case 'digit':
        return this.#legs.get(m.id)?.digit(m.digit);
      case 'play': {
        const leg = this.#leg(m.id, m.op);
        if (leg) this.#run(m.op, (signal) => leg.play(m.pcm, { loop: m.loop, stopOnDigit: m.stopOnDigit }, signal));
        return;
      }
      case 'record': {
        const leg = this.#leg(m.id, m.op);
        if (leg) this.#run(m.op, (signal) => leg.record(m.path, m.limits, signal));
        return;
      }
      case 'record-all': {
        const leg = this.#leg(m.id, m.op);
        if (!leg) return this.#fail(m.doneOp, new Error('media leg closed'), false);
        leg.startRecording(m.path).then(
          (rec) => {
            this.#reply(m.op, true);
            rec.done.then((v) => this.#reply(m.doneOp, v), (e: unknown) => this.#fail(m.doneOp, e, false));
          },
          (e: unknown) => {
            this.#fail(m.op, e, false);
            this.#fail(m.doneOp, e, false);
          },
        );
        return;
      }
      case 'stop':
        return this.#running.get(m.op)?.abort(new Error('stopped by the call'));
      case 'bridge':
        return this.#bridge(m.id, m.peer);
      case 'bridge-port':
        return this.#bridgePort(m.id, m.port, m.peer);
      case 'unbridge':
        return this.#unbridge(m.id);
      case 'close':
        return void this.#close(m.id).then((stats) => this.#reply(m.op, stats), (e: unknown) => this.#fail(m.op, e, false));
      case 'shutdown':
        return void Promise.allSettled([...this.#legs.keys()].map((id) => this.#close(id))).then(() => this.#reply(m.op, true));
    }
  }

  async #open(m: Extract<ToWorker, { t: 'open' }>): Promise<void> {
    const deps: LocalLegDeps = {
      clock: this.#clock,
      ticker: this.#ticker,
      localAddress: m.localAddress,
      ports: onePort(m.port),
      onError: (err) => this.#post({ t: 'error', id: m.id, error: toWire(err) }),
    };
    try {
      const leg = await LocalLeg.open(deps, m.spec);
      leg.listen({
        digit: (digit) => this.#post({ t: 'digit', id: m.id, digit }),
        lost: (why) => this.#post({ t: 'lost', id: m.id, why }),
      });
      this.#legs.set(m.id, leg);
      this.#reply(m.op, true);
    } catch (e) {
      if (e instanceof NoRtpPortError) this.#reply(m.op, false);
      else this.#fail(m.op, e, false);
    }
  }

  #leg(id: number, op: number): LocalLeg | undefined {
    const leg = this.#legs.get(id);
    if (!leg) this.#fail(op, new Error('media leg closed'), true);
    return leg;
  }

  #run(op: number, start: (signal: AbortSignal) => Promise<unknown>): void {
    const controller = new AbortController();
    this.#running.set(op, controller);
    start(controller.signal).then(
      (value) => {
        this.#running.delete(op);
        this.#reply(op, value);
      },
      (e: unknown) => {
        this.#running.delete(op);
        this.#fail(op, e, controller.signal.aborted);
      },
    );
  }

  #bridge(id: number, peer: number): void {
    const a = this.#legs.get(id);
    const b = this.#legs.get(peer);
    if (!a || !b) return;
    const bridge = a.bridge(b);
    this.#bridges.set(id, bridge);
    this.#bridges.set(peer, bridge);
  }

  #bridgePort(id: number, channel: MessagePort, peer: LegFormat): void {
    const leg = this.#legs.get(id);
    if (!leg) return void channel.close();
    // The payload may be a view into a larger received buffer: a copy of its bytes crosses, not the buffer.
    const half: HalfBridge = leg.halfBridge(peer, (p) => channel.postMessage({ ...p, payload: p.payload.slice() }));
    channel.on('message', (p: RelayedPacket) => half.receive(p));
    this.#bridges.set(id, {
      stop: () => {
        half.stop();
        channel.close();
      },
    });
  }

  #unbridge(id: number): void {
    const bridge = this.#bridges.get(id);
    if (!bridge) return;
    bridge.stop();
    for (const [key, value] of this.#bridges) if (value === bridge) this.#bridges.delete(key);
  }

  #close(id: number): Promise<unknown> {
    const leg = this.#legs.get(id);
    if (!leg) return Promise.reject(new Error('media leg closed'));
    this.#unbridge(id);
    this.#legs.delete(id);
    return leg.close();
  }

  #reply(op: number, value: unknown): void {
    this.#post({ t: 'reply', op, ok: true, value });
  }

  #fail(op: number, err: unknown, aborted: boolean): void {
    this.#post({ t: 'reply', op, ok: false, aborted, error: toWire(err) });
  }
}

/** The one port the main thread picked for this leg (it keeps the allocator). */
function onePort(port: number): RtpPorts {
  return {
    acquire: async (tryPort) => {
      const value = await tryPort(port);
      return value === null ? null : { port, value };
    },
    release: () => {},
  };
}

// What this worker says in one turn leaves in one message, as the main thread's commands come.
const outbox = new PostBatch<FromWorker>((batch) => port.postMessage(batch));
const post = (message: FromWorker): void => outbox.push(message);
const worker = new MediaWorker(post);
port.on('message', (batch: ToWorker[]) => {
  for (const m of batch) {
    try {
      worker.handle(m);
    } catch (e) {
      // A command that expected an answer still gets one, or its caller would wait forever.
      post('op' in m && m.t !== 'stop'
        ? { t: 'reply', op: m.op, ok: false, aborted: false, error: toWire(e) }
        : { t: 'error', id: 'id' in m ? m.id : null, error: toWire(e) });
    }
  }
});
post({ t: 'ready' });
