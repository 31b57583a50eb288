// The telephony port: what the runtime and the actions may ask of a phone network and of a call.
// The simulator (sim/) and the SIP adapter (sip-network/) implement it; nothing above this file
// knows which one it talks to.

/** Final outcome of placing a call, named as the Outbound Call Trigger API names CallStates. */
export type DialOutcome =
  | 'Answered'
  | 'Busy'
  | 'Rejected'
  | 'Invalid Number'
  | 'No Answer'
  | 'Temporarily Unavailable'
  | 'Error';

export type CallDirection = 'inbound' | 'outbound';
export type CallStatus = 'ringing' | 'answered' | 'ended';
export type HangupSource = 'caller' | 'callee' | 'system';

/**
 * Why Ringflow ends a call (`hangup@v1` `cause`). Each maps to a Q.850 cause and, on a call not
 * yet answered, to the SIP final response that refuses it.
 */
export const HANGUP_CAUSES = {
  normal: { q850: 16, sip: 480 },
  busy: { q850: 17, sip: 486 },
  rejected: { q850: 21, sip: 603 },
  unavailable: { q850: 20, sip: 480 },
  'no-answer': { q850: 19, sip: 480 },
  'not-found': { q850: 1, sip: 404 },
  error: { q850: 41, sip: 500 },
} as const;
export type HangupCause = keyof typeof HANGUP_CAUSES;

/** Call detail record, with the Callr 2025-09-01 field names. Times are ISO-8601 strings. */
export interface Cdr {
  callid: string;
  direction: CallDirection;
  callerNumber: string;
  callee: string;
  started: string;
  answered: string | null;
  ended: string | null;
  /** Seconds from answer to end (0 when never answered). */
  durationAnswered: number;
  /** Seconds from start to end (or to now while the call is up). */
  durationTotal: number;
  /** Q.850 cause, null while the call is up. */
  hangupCause: number | null;
  hangupSource: HangupSource | null;
  /** `answered`, `missed` (inbound never answered), or the lower-case dial outcome (`busy`, `no-answer`, …). */
  status: string;
}

/** Something the call should hear. */
export type Media =
  | { type: 'say'; text: string; language: string; voice?: string | undefined }
  | { type: 'play'; url: string }
  /** The short tone before a recording starts. */
  | { type: 'beep' }
  /** The soft sound a caller hears while fetch@v2 waits for an answer. */
  | { type: 'waiting' };

export interface PlayOptions {
  /** How many times to play; 0 plays until the signal aborts. Default 1. */
  loop?: number;
  /** Stop playing when the caller presses a key (barge-in). The digit is still emitted as `digit`. */
  stopOnDigit?: boolean;
}

export interface PlayOutcome {
  /** Milliseconds actually played. */
  durationMs: number;
  /** True when a key press stopped it. */
  interrupted: boolean;
}

export interface RecordOptions {
  maxDurationMs: number;
  /** End after this much silence (0: never). */
  silenceTimeoutMs: number;
  /** Keys that end the recording ('' for none); the key itself is not part of the audio. */
  finishOnKey: string;
}

export interface RecordingInfo {
  sid: string;
  /** Where the audio can be read: a `file:` URL for local recordings. */
  url: string;
  durationMs: number;
  format: 'wav';
}

export interface RecordOutcome {
  recording: RecordingInfo;
  reason: 'finish-key' | 'silence' | 'max-duration' | 'hangup';
}

/** A recording of the whole call that runs in the background until the call ends. */
export interface BackgroundRecording {
  readonly sid: string;
  /** Resolves with the finished recording once the call (or the recording) has ended. */
  readonly done: Promise<RecordingInfo>;
}

export interface BridgeOutcome {
  /** Which side left first: this call, the other, or neither (the signal aborted). */
  endedBy: 'this' | 'other' | 'aborted';
  durationMs: number;
}

/**
 * What the engine is doing with the call, for observers: simulated parties that press keys after a
 * prompt, the live event stream, logs.
 */
export type CallActivity =
  | { type: 'listening'; maxDigits?: number | undefined }
  | { type: 'not-listening' };

export interface CallEventMap {
  /** A DTMF key: 0-9, *, #, A-D. */
  digit: [digit: string];
  ended: [cdr: Cdr];
  activity: [activity: CallActivity];
}

export type CallEventName = keyof CallEventMap;

export interface Call {
  readonly sid: string;
  readonly direction: CallDirection;
  /** E.164 when known, otherwise what the network gave (a SIP user part). */
  readonly fromNumber: string;
  readonly toNumber: string;
  /** Line type of the caller when known (`MOBILE`, `FIXED_LINE`, …). */
  readonly fromType: string | undefined;
  readonly status: CallStatus;
  /** SIP X- headers received with the call (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;

  on<E extends CallEventName>(event: E, listener: (...args: CallEventMap[E]) => void): void;
  off<E extends CallEventName>(event: E, listener: (...args: CallEventMap[E]) => void): void;

  /** Sends 180 Ringing on an unanswered inbound call; a no-op otherwise. */
  ring(): Promise<void>;
  /** Answers an inbound call (200 OK); a no-op when already answered. */
  answer(): Promise<void>;
  /**
   * Ends the call (BYE, or a final error response if not answered). Idempotent. `by` says who
   * decided: the scenario (hangup@v1, the end of a branch: Ringflow's side of the call in the CDR)
   * or the system (an error, the step limit, a cancelled run: `hangupSource: system`).
   */
  hangup(cause?: HangupCause, by?: 'scenario' | 'system'): Promise<void>;

  /**
   * Plays media. Resolves when done or interrupted by a key; rejects with `signal.reason` when the
   * signal aborts, and with a CallEndedError when the call ends meanwhile.
   */
  play(media: Media, options: PlayOptions, signal: AbortSignal): Promise<PlayOutcome>;
  /** Records what the caller says. Same rejection rules as play; a hang-up ends it with reason `hangup`. */
  record(options: RecordOptions, signal: AbortSignal): Promise<RecordOutcome>;
  /** Starts recording the whole call in the background. */
  startRecording(): Promise<BackgroundRecording>;
  /**
   * Connects the audio of this call and `other` both ways. Resolves when either hangs up (the
   * other is left up) or the signal aborts.
   */
  bridge(other: Call, signal: AbortSignal): Promise<BridgeOutcome>;
  /** Tells the network what the engine is doing (see CallActivity). */
  announce(activity: CallActivity): void;

  /** The CDR so far (complete once the call has ended). */
  cdr(): Cdr;
}

export interface OriginateRequest {
  /** Caller id presented to the callee. */
  from: string;
  /** E.164 number or sip: URI. */
  to: string;
  /** Ring timeout; past it the attempt is cancelled and ends as `No Answer`. */
  timeoutMs: number;
  /** SIP X- headers to send. */
  headers?: Record<string, string>;
}

export type OriginateResult =
  | { outcome: 'Answered'; call: Call }
  | { outcome: Exclude<DialOutcome, 'Answered'>; cdr: Cdr };

export interface Network {
  /**
   * Places a call and resolves once it is answered or has failed. Aborting the signal cancels the
   * attempt (CANCEL) and rejects with `signal.reason`.
   */
  originate(request: OriginateRequest, signal: AbortSignal): Promise<OriginateResult>;
}

/** Raised by call operations when the call ends while they wait. */
export class CallEndedError extends Error {
  readonly callSid: string;
  constructor(callSid: string) {
    super(`call ${callSid} has ended`);
    this.name = 'CallEndedError';
    this.callSid = callSid;
  }
}
