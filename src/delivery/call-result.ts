// What the Outbound Call Trigger API delivers: the result of a call request (to ResultDestination)
// and its state changes (to OrchestratorUrl), as deliveries written in the caller's transaction, so
// a result is durable the moment the state it tells is.

import type { CallRequestRecord, CallState } from '../store/call-requests.ts';
import type { Repositories } from '../store/store.ts';

/** The body POSTed to ResultDestination (SPEC §3.2 "Result delivery"). */
export interface CallResultPayload {
  UniqueId: string;
  CallRequestId: string;
  ConversationId: string;
  CallState: CallState;
  /** ISO 8601: when dialing began (null when the number was never dialed). */
  Started: string | null;
  /** ISO 8601: when the callee answered (null when not answered). */
  Answered: string | null;
  Ended: string;
  /** Seconds the call was answered (0 when not answered). */
  Duration: number;
  /** The run's variables at its end ($-prefixed): the ScenarioInputParameters and what the scenario set. */
  Variables: Record<string, unknown>;
}

/** The body POSTed to OrchestratorUrl at each CallState change. */
export interface CallStateEvent {
  UniqueId: string;
  CallRequestId: string;
  ConversationId: string;
  Project: string;
  CallState: CallState;
  At: string;
}

export interface EnqueueContext {
  /** Milliseconds since the epoch. */
  now: number;
  newId: () => string;
  /** delivery.batchIntervalSeconds, in ms. */
  batchIntervalMs: number;
}

/**
 * The result, when the request has a ResultDestination. SendResultImmediately: sent at once, on its
 * own. Otherwise queued: it waits for the next batch boundary (a multiple of the interval, so the
 * results of one interval go out together) and is sent after the older queued deliveries to the
 * same destination, in order.
 */
export async function enqueueResult(tx: Repositories, request: CallRequestRecord, result: CallResultPayload, c: EnqueueContext): Promise<void> {
  if (!request.resultDestination) return;
  const immediate = request.sendResultImmediately;
  await tx.deliveries.enqueue({
    id: c.newId(),
    tenantId: request.tenantId,
    kind: 'result',
    destination: request.resultDestination,
    body: JSON.stringify(result),
    mode: immediate ? 'immediate' : 'queued',
    created: iso(c.now),
    nextAttemptAt: iso(immediate ? c.now : nextBatch(c.now, c.batchIntervalMs)),
  });
}

/**
 * A state change for the orchestrator, when its URL is http(s). Sent at once, but in order after the
 * earlier events to that URL: a receiver never sees `Dialing` after `Answered`.
 */
export async function enqueueStateEvent(tx: Repositories, request: CallRequestRecord, state: CallState, c: EnqueueContext): Promise<void> {
  if (!isHttpUrl(request.orchestratorUrl)) return;
  const event: CallStateEvent = {
    UniqueId: request.uniqueId,
    CallRequestId: request.runSid,
    ConversationId: request.conversationId,
    Project: request.project,
    CallState: state,
    At: iso(c.now),
  };
  await tx.deliveries.enqueue({
    id: c.newId(),
    tenantId: request.tenantId,
    kind: 'event',
    destination: request.orchestratorUrl,
    body: JSON.stringify(event),
    mode: 'queued',
    created: iso(c.now),
    nextAttemptAt: iso(c.now),
  });
}

/** An absolute http:// or https:// URL with a host. */
export function isHttpUrl(text: string): boolean {
  // canParse first: a thrown TypeError costs a stack trace, on every state change of every call.
  if (!/^https?:\/\//i.test(text) || !URL.canParse(text)) return false;
  return new URL(text).hostname !== '';
}

/** The first multiple of `intervalMs` at or after `now`. */
export function nextBatch(now: number, intervalMs: number): number {
  return intervalMs > 0 ? Math.ceil(now / intervalMs) * intervalMs : now;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
