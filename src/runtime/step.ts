// Runs one action step: its `if`, its params (rendered, then validated), the action's precondition,
// the action itself, its result — and a timeline entry for each step, whatever happens.

import { actionId, type ActionResult } from '../actions/action.ts';
import type { ActionContext } from '../actions/context.ts';
import { RingflowError, type SourcePosition } from '../errors.ts';
import { renderTemplate, type ExprRef } from '../expr/template.ts';
import type { ActionStep } from '../scenario/model.ts';
import { CallEndedError } from '../telephony/port.ts';
import type { FrameView, RunContext } from './run-context.ts';
import { stopOf } from './stop.ts';

/** `next`: go on with the branch. `stop`: the branch is over (hang-up, hangup@v1, cancel). */
export type StepOutcome = 'next' | 'stop';

export function evaluate(run: RunContext, frame: FrameView, expr: ExprRef, fallback: SourcePosition): unknown {
  try {
    return run.sandbox.evaluate(expr.source, frame.scope);
  } catch (e) {
    throw positioned(e, expr.position ?? fallback);
  }
}

export async function runActionStep(run: RunContext, frame: FrameView, step: ActionStep): Promise<StepOutcome> {
  const id = actionId(step.action);
  const started = run.clock.now();
  const { line, col } = step.position;
  const record = (extra: Record<string, unknown>) =>
    run.timeline.add(
      { type: 'step', branch: frame.branch, step: id, line, col, label: step.label, durationMs: Math.round(run.clock.now() - started), ...extra } as never,
      started,
    );

  if (step.condition && !evaluate(run, frame, step.condition, step.position)) {
    record({ skipped: true });
    return 'next';
  }
  let params: Record<string, unknown>;
  try {
    const rendered = renderTemplate(step.params, (expr) => evaluate(run, frame, expr, step.position));
    params = run.params.prepare(step.action, rendered);
  } catch (e) {
    record({ outcome: 'failed' });
    throw positioned(e, step.position);
  }

  const call = frame.call;
  if (step.action.needs !== 'none') {
    if (!call) {
      record({ params: run.timeline.keep(params), outcome: 'failed' });
      throw new RingflowError('RF_NO_CALL', { action: id }, step.position);
    }
    if (call.status === 'ended') {
      // After the call (hangup branch, events.ready) call actions have nothing to act on.
      run.timeline.add({ type: 'warning', message: `${id} skipped: the call has ended`, line, col });
      const result = { ok: false, reason: 'hangup' };
      store(run, step, result);
      record({ params: run.timeline.keep(params), result, outcome: 'hangup' });
      return frame.afterCall ? 'next' : 'stop';
    }
    if (step.action.needs === 'answered' && call.status === 'ringing') {
      run.timeline.add({ type: 'warning', message: `${id} needs audio: answering the call first`, line, col });
      await call.answer();
    }
  }

  let branchEnded = false;
  const ctx = contextFor(run, frame, step, () => (branchEnded = true));
  let result: ActionResult;
  try {
    result = await step.action.execute(ctx, params, frame.signal);
  } catch (e) {
    const stop = stopOf(frame.signal);
    if (stop?.kind === 'hangup' || (!stop && e instanceof CallEndedError)) {
      const hungUp = { ok: false, reason: 'hangup' };
      store(run, step, hungUp);
      record({ params: run.timeline.keep(params), result: hungUp, outcome: 'hangup' });
      return frame.afterCall ? 'next' : 'stop';
    }
    if (stop) {
      record({ params: run.timeline.keep(params), outcome: stop.kind });
      return 'stop';
    }
    record({ params: run.timeline.keep(params), outcome: 'failed' });
    throw positioned(e, step.position);
  }
  store(run, step, result);
  record({ params: run.timeline.keep(params), result: run.timeline.keep(result) });
  if (branchEnded) return 'stop';
  if (frame.call?.status === 'ended' && !frame.afterCall) return 'stop';
  return 'next';
}

function store(run: RunContext, step: ActionStep, result: ActionResult): void {
  if (step.result) run.variables.set(step.result, result);
  if (step.id !== undefined) run.rememberStep(step.id, result);
}

function contextFor(run: RunContext, frame: FrameView, step: ActionStep, endBranch: () => void): ActionContext {
  const { line, col } = step.position;
  return {
    run: run.info,
    call: frame.call,
    peer: frame.peer,
    defaults: { language: run.language, voice: run.scenario.defaults.voice },
    defaultCallerId: run.defaultCallerId,
    clock: run.clock,
    network: run.network,
    http: run.httpFor(frame.branch, step.position),
    memcache: run.memcache,
    log: (message) => run.timeline.add({ type: 'log', branch: frame.branch, message, line, col }),
    warn: (message) => run.timeline.add({ type: 'warning', message, line, col }),
    runCode: (code) => {
      try {
        return run.sandbox.execute(code, frame.scope);
      } catch (e) {
        throw positioned(e, step.codePosition ?? step.position);
      }
    },
    adoptCall: (call) => frame.adoptCall(call),
    runBranch: (name, call, peer, signal) => frame.runBranch(name, call, peer, signal),
    endBranch,
    emit: (event, scope) => {
      const handler = step.events.get(event);
      // Without a handler the event's work (registering a recording once its file is written)
      // still has to happen, and the run stays open until it has.
      run.background(
        scope.then(
          (extra) => (handler ? frame.runHandler(`${frame.branch}/${actionId(step.action)}/events.${event}`, handler, extra) : undefined),
          (e: unknown) => {
            run.timeline.add({ type: 'warning', message: `${actionId(step.action)} events.${event} did not ${handler ? 'run' : 'complete'}: ${(e as Error).message}`, line, col });
          },
        ),
      );
    },
    addRecording: (recording) => run.addRecording(recording),
  };
}

export function positioned(e: unknown, position: SourcePosition): RingflowError {
  if (e instanceof RingflowError) return e.at(position);
  const detail = e instanceof Error ? e.message : String(e);
  return new RingflowError('RF_INTERNAL', { detail }, position, { cause: e });
}
