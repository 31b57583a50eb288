// Why a branch stops before its end; used as the reason of the AbortSignals the runner hands out.

export class Stop {
  readonly kind: 'hangup' | 'canceled' | 'failed';
  constructor(kind: 'hangup' | 'canceled' | 'failed') {
    this.kind = kind;
  }
}

export const HANGUP = new Stop('hangup');
export const CANCELED = new Stop('canceled');
export const FAILED = new Stop('failed');

export function stopOf(signal: AbortSignal): Stop | undefined {
  return signal.aborted && signal.reason instanceof Stop ? signal.reason : undefined;
}
