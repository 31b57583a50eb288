// One simulated call: the port's Call for the engine, plus the party's side (press, hang up) for
// scripts, the CLI and tests. Kept small on purpose: thousands sit in a gather at once in the
// benchmark, so state is a few fields, and collections exist only while something uses them.

import {
  CallEndedError,
  HANGUP_CAUSES,
  type BackgroundRecording,
  type BridgeOutcome,
  type Call,
  type CallActivity,
  type CallDirection,
  type CallEventMap,
  type CallEventName,
  type CallStatus,
  type Cdr,
  type HangupCause,
  type HangupSource,
  type Media,
  type PlayOptions,
  type PlayOutcome,
  type RecordOptions,
  type RecordOutcome,
} from '../port.ts';
import { CallEvents } from '../call/call-events.ts';
import { CallHooks } from '../call/call-wait.ts';
import {
  DEFAULT_SPEECH_MS,
  LISTEN_PRESS_DELAY_MS,
  PRESS_GAP_MS,
  normalizeDigits,
  type PartyScript,
} from './party-script.ts';
import { bridgeCalls } from './sim-bridge.ts';
import { buildCdr } from '../call/cdr.ts';
import { sinceOrigin, type SimEnv } from './sim-env.ts';
import { playOn } from './sim-play.ts';
import { recordOn, startRecordingOn } from './sim-record.ts';
import { TimerSet } from './timer-set.ts';

/** Q.850 16, normal call clearing: what a party's plain hang-up gives. */
const PARTY_HANGUP_CAUSE = 16;

export interface SimCallInit {
  sid: string;
  direction: CallDirection;
  from: string;
  to: string;
  fromType?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** The party on the far side: the caller of an inbound call, the callee of an outbound one. */
  script?: PartyScript | undefined;
  /** Clock time the call began (for an outbound call: when dialing began). */
  startedAt: number;
  /** Set for outbound calls, which exist only once answered. */
  answeredAt?: number | undefined;
}

export class SimCall implements Call {
  readonly sid: string;
  readonly direction: CallDirection;
  readonly fromNumber: string;
  readonly toNumber: string;
  readonly fromType: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  readonly #env: SimEnv;
  readonly #script: PartyScript | undefined;
  readonly #hooks = new CallHooks();
  #events: CallEvents | undefined;
  #status: CallStatus;
  readonly #startedAt: number;
  #answeredAt: number | undefined;
  #endedAt: number | undefined;
  #hangupCause: number | null = null;
  #hangupSource: HangupSource | null = null;
  #rang = false;
  /** The party's pending timers (hang-up, key presses), cancelled when the call ends. */
  readonly #timers = new TimerSet();
  /** Index in script.presses where the search for the next press-on-listening starts. */
  #nextPress = 0;
  #bridgedWith: SimCall | undefined;

  constructor(env: SimEnv, init: SimCallInit) {
    for (const press of init.script?.presses ?? []) normalizeDigits(press.digits); // fail early on a bad script
    this.#env = env;
    this.sid = init.sid;
    this.direction = init.direction;
    this.fromNumber = init.from;
    this.toNumber = init.to;
    this.fromType = init.fromType;
    this.headers = lowerCaseKeys(init.headers);
    this.#script = init.script;
    this.#startedAt = init.startedAt;
    this.#answeredAt = init.answeredAt;
    this.#status = init.answeredAt === undefined ? 'ringing' : 'answered';
    if (this.direction === 'inbound') env.transcript.add(this.sid, 'call', { from: this.fromNumber, to: this.toNumber });
    this.#scheduleParty();
  }

  get status(): CallStatus {
    return this.#status;
  }

  /** The far party's number: the caller of an inbound call, the callee of an outbound one. */
  get partyNumber(): string {
    return this.direction === 'inbound' ? this.fromNumber : this.toNumber;
  }

  on<E extends CallEventName>(event: E, listener: (...args: CallEventMap[E]) => void): void {
    if (this.#status === 'ended') {
      // The call will never emit again; an `ended` listener added late still learns the end,
      // so no one waits forever on a call that ended in between.
      if (event === 'ended') {
        const cdr = this.cdr();
        queueMicrotask(() => (listener as (cdr: Cdr) => void)(cdr));
      }
      return;
    }
    (this.#events ??= new CallEvents()).on(event, listener);
  }

  off<E extends CallEventName>(event: E, listener: (...args: CallEventMap[E]) => void): void {
    this.#events?.off(event, listener);
  }

  ring(): Promise<void> {
    if (this.#status === 'ended') return Promise.reject(new CallEndedError(this.sid));
    if (this.#status === 'ringing' && !this.#rang) {
      this.#rang = true;
      this.#env.transcript.add(this.sid, 'ringing', {});
    }
    return Promise.resolve();
  }

  answer(): Promise<void> {
    if (this.#status === 'ended') return Promise.reject(new CallEndedError(this.sid));
    if (this.#status === 'ringing') {
      this.#status = 'answered';
      this.#answeredAt = this.#env.clock.now();
      this.#env.transcript.add(this.sid, 'answered', {});
    }
    return Promise.resolve();
  }

  hangup(cause: HangupCause = 'normal', by: 'scenario' | 'system' = 'scenario'): Promise<void> {
    const spec = HANGUP_CAUSES[cause];
    if (!spec) return Promise.reject(new RangeError(`unknown hang-up cause "${cause}"`));
    this.#end(spec.q850, by === 'system' ? 'system' : this.#ringflowSide());
    return Promise.resolve();
  }

  play(media: Media, options: PlayOptions, signal: AbortSignal): Promise<PlayOutcome> {
    return playOn(this.#env, this.#hooks, this, media, options, signal);
  }

  record(options: RecordOptions, signal: AbortSignal): Promise<RecordOutcome> {
    const speechMs = this.#script?.speechMs ?? DEFAULT_SPEECH_MS;
    return recordOn(this.#env, this.#hooks, this, speechMs, options, signal);
  }

  startRecording(): Promise<BackgroundRecording> {
    return startRecordingOn(this.#env, this.#hooks, this);
  }

  bridge(other: Call, signal: AbortSignal): Promise<BridgeOutcome> {
    if (!(other instanceof SimCall) || other === this) {
      return Promise.reject(new TypeError('a simulated call can only be bridged with another simulated call'));
    }
    if (this.#bridgedWith || other.#bridgedWith) {
      return Promise.reject(new Error(`call ${this.#bridgedWith ? this.sid : other.sid} is already bridged`));
    }
    this.#bridgedWith = other;
    other.#bridgedWith = this;
    const self = { call: this, hooks: this.#hooks };
    return bridgeCalls(this.#env, self, { call: other, hooks: other.#hooks }, signal).finally(() => {
      this.#bridgedWith = undefined;
      other.#bridgedWith = undefined;
    });
  }

  announce(activity: CallActivity): void {
    if (this.#status === 'ended') return;
    this.#events?.emit('activity', activity);
    if (activity.type === 'listening') this.#pressOnListening();
  }

  cdr(): Cdr {
    return buildCdr({
      callid: this.sid,
      direction: this.direction,
      callerNumber: this.fromNumber,
      callee: this.toNumber,
      startedAt: this.#startedAt,
      answeredAt: this.#answeredAt,
      endedAt: this.#endedAt,
      hangupCause: this.#hangupCause,
      hangupSource: this.#hangupSource,
      status: this.#cdrStatus(),
    }, this.#env.clock.now());
  }

  /** The party presses `digits` now, one `digit` event per key. Ignored once the call has ended. */
  press(digits: string): void {
    for (const key of normalizeDigits(digits)) this.#partyPress(key);
  }

  /** The party hangs up now (a no-op once the call has ended). */
  hangupByParty(): void {
    this.#end(PARTY_HANGUP_CAUSE, this.direction === 'inbound' ? 'caller' : 'callee');
  }

  /** Ringflow is the callee of an inbound call and the caller of an outbound one. */
  #ringflowSide(): HangupSource {
    return this.direction === 'inbound' ? 'callee' : 'caller';
  }

  #cdrStatus(): string {
    if (this.#answeredAt !== undefined) return 'answered';
    return this.#status === 'ended' ? 'missed' : 'ringing';
  }

  #end(q850: number, source: HangupSource): void {
    if (this.#status === 'ended') return;
    this.#status = 'ended';
    this.#endedAt = this.#env.clock.now();
    this.#hangupCause = q850;
    this.#hangupSource = source;
    this.#timers.cancelAll();
    // Operations first (a prompt notes it was cut, a recording is saved), then the engine.
    this.#hooks.ended();
    const cdr = this.cdr();
    this.#env.transcript.add(this.sid, 'ended', { status: cdr.status, hangupCause: q850, hangupSource: source });
    const events = this.#events;
    this.#events = undefined;
    events?.emit('ended', cdr);
  }

  #partyPress(key: string): void {
    if (this.#status === 'ended') return;
    if (this.#status !== 'answered') {
      // Keys pressed while the phone still rings go nowhere: there is no media path yet.
      this.#env.transcript.add(this.sid, 'press', { text: key, lost: true });
      return;
    }
    this.#env.transcript.add(this.sid, 'press', { text: key });
    this.#hooks.digit(key);
    this.#events?.emit('digit', key);
  }

  #scheduleParty(): void {
    const script = this.#script;
    if (!script) return;
    const now = this.#env.partyTimes === 'call' ? this.#env.clock.now() - this.#startedAt : sinceOrigin(this.#env);
    if (script.hangupAtMs !== undefined) this.#after(script.hangupAtMs - now, () => this.hangupByParty());
    for (const press of script.presses ?? []) {
      if (press.atMs === undefined) continue;
      const keys = normalizeDigits(press.digits);
      // An outbound call exists from its answer: keys timed before it were pressed while it rang.
      const early = press.atMs < now;
      this.#after(press.atMs - now, () => (early ? this.#loseKeys(keys) : this.#pressKeys(keys, 0)));
    }
  }

  /** Each `listening` announcement takes the next press that has no time of its own. */
  #pressOnListening(): void {
    const presses = this.#script?.presses;
    if (!presses) return;
    while (this.#nextPress < presses.length && presses[this.#nextPress]!.atMs !== undefined) this.#nextPress++;
    const press = presses[this.#nextPress];
    if (!press) return;
    this.#nextPress++;
    const keys = normalizeDigits(press.digits);
    this.#after(LISTEN_PRESS_DELAY_MS, () => this.#pressKeys(keys, 0));
  }

  #pressKeys(keys: string, index: number): void {
    this.#partyPress(keys[index]!);
    if (index + 1 < keys.length) this.#after(PRESS_GAP_MS, () => this.#pressKeys(keys, index + 1));
  }

  #loseKeys(keys: string): void {
    for (const key of keys) this.#env.transcript.add(this.sid, 'press', { text: key, lost: true });
  }

  #after(ms: number, fn: () => void): void {
    if (this.#status !== 'ended') this.#timers.after(this.#env.clock, ms, fn);
  }
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Readonly<Record<string, string>> {
  if (!headers) return EMPTY_HEADERS;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** Shared by every call without headers (frozen, so sharing it is safe). */
const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
