// RFC 3261 §17 timer values (Table 4 of Appendix A). Per instance, so a test can run with a short
// T1 while a production stack keeps the RFC defaults.

export interface SipTimerOptions {
  /** RTT estimate. Default 500 ms. */
  t1?: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses. Default 4 s. */
  t2?: number;
  /** Maximum time a message stays in the network. Default 5 s. */
  t4?: number;
  /** Wait time for response retransmits after an INVITE failed. Default 64·T1 (32 s at the default T1). */
  timerD?: number;
}

export interface SipTimers {
  t1: number;
  t2: number;
  t4: number;
  /** 64·T1: timers B, F, H, J, L, M and the UAS's wait for the ACK of a 2xx. */
  timeout: number;
  timerD: number;
}

export function resolveTimers(opts: SipTimerOptions = {}): SipTimers {
  const t1 = opts.t1 ?? 500;
  return { t1, t2: opts.t2 ?? 4000, t4: opts.t4 ?? 5000, timeout: 64 * t1, timerD: opts.timerD ?? 64 * t1 };
}
