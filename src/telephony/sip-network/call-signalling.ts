// What a SIP call needs of its dialog, kept to four verbs so sip-call.ts knows nothing of
// transactions or headers: sip-network.ts adapts the user agent's objects to it.

export interface CallSignalling {
  /** 180 Ringing (inbound, before the answer). */
  ring(): Promise<void>;
  /** 200 OK with our SDP; resolves once the caller's ACK came (inbound). */
  accept(): Promise<void>;
  /** A final error response to an unanswered inbound call (404, 486, 480…). */
  reject(status: number): Promise<void>;
  /** BYE on an established call. */
  bye(): Promise<void>;
}
