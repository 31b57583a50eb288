import { Type } from 'typebox';
import { defineAction, type ActionResult } from './action.ts';
import type { ActionContext } from './context.ts';
import { LinkedAbort } from '../linked-abort.ts';
import { isDialable } from '../telephony/dialable.ts';
import type { Call, Cdr, DialOutcome, OriginateRequest } from '../telephony/port.ts';
import type { Clock } from '../time/clock.ts';

const TargetSchema = Type.Object(
  {
    number: Type.String({ minLength: 1, description: 'E.164 number (+33612345678) or sip: URI.' }),
    timeout: Type.Number({ minimum: 1, maximum: 600, default: 30, description: 'Seconds to let it ring.' }),
  },
  { additionalProperties: false },
);

export const dial = defineAction({
  name: 'dial',
  version: 1,
  summary: 'Places a call: the outbound call of an API-started run, or a second leg from a live call (forwarding).',
  params: Type.Object(
    {
      targets: Type.Array(TargetSchema, { minItems: 1, maxItems: 10, description: 'Who to call.' }),
      strategy: Type.Enum(['sequential', 'simultaneous'], {
        default: 'sequential',
        description: 'sequential: one target after the other until one answers. simultaneous: ring all, the first to answer wins.',
      }),
      answerOnBranch: Type.Optional(Type.String({ description: 'Branch to run on the answered call; the dialing branch resumes when it is over.' })),
      callerId: Type.Optional(Type.String({ description: "Number shown to the callee (default: the inbound caller's number, else the server's default caller id)." })),
      timeLimit: Type.Optional(Type.Number({ minimum: 1, maximum: 86400, description: 'Seconds the answered call may last before Ringflow hangs it up.' })),
      headers: Type.Optional(
        Type.Unsafe<Record<string, string>>({
          type: 'object',
          propertyNames: { pattern: '^[Xx]-[A-Za-z0-9-]+$' },
          additionalProperties: { type: 'string' },
          description: 'SIP X- headers sent with the INVITE.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  result: '`{ok, status, target, duration, cdr}` — `status` is a call state (Answered, Busy, No Answer, Rejected, Invalid Number, Temporarily Unavailable, Error); `duration` the seconds the answered call lasted (0 while it goes on)',
  needs: 'none',
  branchParams: ['answerOnBranch'],
  async execute(ctx, params, signal) {
    // A call that has ended (in the hangup branch) is no call: dial@v1 then places a new one (a callback).
    const live = ctx.call && ctx.call.status !== 'ended' ? ctx.call : undefined;
    const from = params.callerId ?? (live?.direction === 'inbound' ? live.fromNumber : ctx.defaultCallerId);
    const requests = params.targets.map((t) => ({ from, to: t.number.trim(), timeoutMs: t.timeout * 1000, headers: params.headers }));
    const attempt = params.strategy === 'simultaneous' ? await dialAll(ctx, requests, signal) : await dialInTurn(ctx, requests, signal);
    if (attempt.outcome !== 'Answered') {
      return { ok: false, status: attempt.outcome, target: attempt.target, duration: 0, cdr: attempt.cdr };
    }
    const leg = attempt.call;
    const limit = params.timeLimit === undefined ? undefined : ctx.clock.setTimer(params.timeLimit * 1000, () => leg.hangup('normal', 'scenario').catch(() => {}));
    leg.on('ended', () => limit?.cancel());
    const answered = (): ActionResult => ({ ok: true, status: 'Answered', target: attempt.target, duration: leg.cdr().durationAnswered, cdr: leg.cdr() });

    if (params.answerOnBranch !== undefined) {
      try {
        await ctx.runBranch(params.answerOnBranch, leg, live, signal);
      } finally {
        await leg.hangup('normal', 'scenario');
      }
      return answered();
    }
    if (!live) {
      // No call in this branch yet: from now on it runs on the answered one.
      ctx.adoptCall(leg);
      return answered();
    }
    // Forwarding: the caller is answered only once the callee is (they hear ringing meanwhile).
    try {
      await live.answer();
      await live.bridge(leg, signal);
    } finally {
      await leg.hangup('normal', 'scenario');
    }
    return answered();
  },
});

interface Request extends OriginateRequest {
  to: string;
}
type Attempt =
  | { outcome: 'Answered'; call: Call; target: string }
  | { outcome: Exclude<DialOutcome, 'Answered'>; cdr: Cdr; target: string };

async function dialInTurn(ctx: ActionContext, requests: Request[], signal: AbortSignal): Promise<Attempt> {
  let first: Attempt | undefined;
  for (const request of requests) {
    const attempt = await dialOne(ctx, request, signal);
    if (attempt.outcome === 'Answered') return attempt;
    first ??= attempt;
  }
  return first!;
}

/**
 * Rings every target at once; the first to answer wins and the others are cancelled. When none
 * answers, the outcome is the first target's.
 */
async function dialAll(ctx: ActionContext, requests: Request[], signal: AbortSignal): Promise<Attempt> {
  const race = new LinkedAbort(signal);
  let winner: Attempt | undefined;
  try {
    const attempts = requests.map(async (request) => {
      const attempt = await dialOne(ctx, request, race.signal);
      if (attempt.outcome !== 'Answered') return attempt;
      if (winner) {
        attempt.call.hangup('normal', 'system').catch(() => {}); // answered a moment too late
      } else {
        winner = attempt;
        race.abort(new Error('another target answered'));
      }
      return attempt;
    });
    const settled = await Promise.allSettled(attempts);
    if (winner) return winner;
    signal.throwIfAborted();
    return (settled.find((s) => s.status === 'fulfilled') as PromiseFulfilledResult<Attempt>).value;
  } finally {
    race.dispose();
  }
}

async function dialOne(ctx: ActionContext, request: Request, signal: AbortSignal): Promise<Attempt> {
  if (!isDialable(request.to)) {
    return { outcome: 'Invalid Number', target: request.to, cdr: unplacedCdr(ctx.clock, request, 'invalid-number', 28) };
  }
  try {
    const result = await ctx.network.originate(request, signal);
    return result.outcome === 'Answered'
      ? { outcome: 'Answered', call: result.call, target: request.to }
      : { outcome: result.outcome, cdr: result.cdr, target: request.to };
  } catch (e) {
    if (signal.aborted) throw e;
    // A network that fails to place the call (a trunk down): the scenario sees status Error.
    ctx.warn(`dial@v1: could not place the call to ${request.to}: ${(e as Error).message}`);
    return { outcome: 'Error', target: request.to, cdr: unplacedCdr(ctx.clock, request, 'failed', 41) };
  }
}

/** The CDR of a call that never reached the network. `cause` is Q.850 (28: invalid number format; 41: temporary failure). */
function unplacedCdr(clock: Clock, request: Request, status: string, cause: number): Cdr {
  const at = new Date(clock.now()).toISOString();
  return {
    callid: '',
    direction: 'outbound',
    callerNumber: request.from,
    callee: request.to,
    started: at,
    answered: null,
    ended: at,
    durationAnswered: 0,
    durationTotal: 0,
    hangupCause: cause,
    hangupSource: 'system',
    status,
  };
}
