// The simulated phone network: the port's Network for the engine, inbound calls for scripts and
// the CLI, scripted parties by number, and the transcript of everything the calls heard and did.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../../time/clock.ts';
import type { Network, OriginateRequest, OriginateResult } from '../port.ts';
import { isDialable, type PartyScript } from './party-script.ts';
import { SimCall } from './sim-call.ts';
import { dialOn } from './sim-dial.ts';
import type { SimEnv } from './sim-env.ts';
import { Transcript, type TranscriptEntry, type TranscriptListener } from './transcript.ts';

export interface SimNetworkOptions {
  clock: Clock;
  /** Scripted parties by number (E.164) or sip: URI: callees Ringflow dials, and inbound callers. */
  parties?: Record<string, PartyScript>;
  /** The party for any other routable number Ringflow dials. */
  defaultParty?: PartyScript;
  /**
   * When set, recordings are real 8 kHz mono 16-bit WAV files in this directory (url: a file:
   * URL); otherwise nothing is written and the url is sim://recordings/<sid>.wav.
   */
  recordingsDir?: string;
  /** What party times (`atMs`, `hangupAtMs`) count from: the network's origin (default) or each call's start. */
  partyTimes?: 'network' | 'call';
  /** Id generator for calls and recordings; default random 12-hex-digit ids. */
  newSid?: () => string;
  /**
   * false: keep no transcript entries (subscribers still get them), for benchmarks that hold
   * thousands of calls. Default true.
   */
  keepTranscript?: boolean;
}

export interface InboundOptions {
  from: string;
  to: string;
  /** What the caller does; default: parties[from], else nothing (it waits, never hangs up). */
  party?: PartyScript;
  /** Line type of the caller (`MOBILE`, `FIXED_LINE`, …). */
  fromType?: string;
  /** SIP X- headers received with the call. */
  headers?: Record<string, string>;
}

export type CallListener = (call: SimCall) => void;

export class SimNetwork implements Network {
  readonly clock: Clock;
  /** clock.now() at creation: the zero of `atMs`, `hangupAtMs` and of transcript times. */
  readonly origin: number;
  readonly #env: SimEnv;
  readonly #transcript: Transcript;
  readonly #parties: Record<string, PartyScript>;
  readonly #defaultParty: PartyScript | undefined;
  readonly #callListeners = new Set<CallListener>();

  constructor(options: SimNetworkOptions) {
    this.clock = options.clock;
    this.origin = options.clock.now();
    this.#transcript = new Transcript(options.clock, this.origin, options.keepTranscript ?? true);
    this.#parties = options.parties ?? {};
    this.#defaultParty = options.defaultParty;
    this.#env = {
      clock: options.clock,
      origin: this.origin,
      transcript: this.#transcript,
      recordingsDir: options.recordingsDir,
      partyTimes: options.partyTimes ?? 'network',
      newSid: options.newSid ?? randomSid,
    };
  }

  /** Every entry so far, in time order; plain data, so JSON.stringify gives the stable document. */
  get transcript(): readonly TranscriptEntry[] {
    return this.#transcript.entries;
  }

  /** Calls `listener` with each new transcript entry (a CLI prints them live). Returns the unsubscribe function. */
  onTranscript(listener: TranscriptListener): () => void {
    return this.#transcript.subscribe(listener);
  }

  /** Calls `listener` with each new call (inbound, or outbound once answered), e.g. to press keys on it. */
  onCall(listener: CallListener): () => void {
    this.#callListeners.add(listener);
    return () => { this.#callListeners.delete(listener); };
  }

  /** Ms since the origin. */
  elapsed(): number {
    return this.#transcript.elapsed();
  }

  /** A ringing inbound call; the engine answers it (or not). */
  inbound(options: InboundOptions): SimCall {
    const call = new SimCall(this.#env, {
      sid: this.#env.newSid(),
      direction: 'inbound',
      from: options.from,
      to: options.to,
      fromType: options.fromType,
      headers: options.headers,
      script: options.party ?? this.#party(options.from),
      startedAt: this.clock.now(),
    });
    this.#announce(call);
    return call;
  }

  originate(request: OriginateRequest, signal: AbortSignal): Promise<OriginateResult> {
    const party = this.#party(request.to);
    const target = party
      ? { party, routable: true }
      : { party: this.#defaultParty, routable: isDialable(request.to) };
    return dialOn(this.#env, target, request, signal, (call) => this.#announce(call));
  }

  #party(number: string): PartyScript | undefined {
    return Object.hasOwn(this.#parties, number) ? this.#parties[number] : undefined;
  }

  #announce(call: SimCall): void {
    for (const listener of this.#callListeners) listener(call);
  }
}

function randomSid(): string {
  return randomBytes(6).toString('hex');
}
