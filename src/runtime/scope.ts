// What expressions see in a given branch (SPEC §1.4): $variables, call, run, scenario, now,
// integrations, env — built on demand, so an expression that does not mention `call` never pays for
// its CDR.

import type { EvalScope, ScopeGlobal } from '../expr/scope.ts';
import type { Call } from '../telephony/port.ts';
import type { FrameView, RunContext } from './run-context.ts';

/** The scope of a frame, built once by the frame: its functions read the frame's current call when called. */
export function scopeFor(run: RunContext, frame: Omit<FrameView, 'scope'>): EvalScope {
  return {
    getVar: (name) => run.variables.get(name),
    setVar: (name, value) => {
      run.variables.set(name, value);
    },
    now: () => run.clock.now(),
    getGlobal: (name: ScopeGlobal) => {
      switch (name) {
        case 'call':
          return frame.call ? callView(run, frame.call) : undefined;
        case 'run':
          return { id: run.info.sid, sid: run.info.sid, type: run.info.type, startedAt: new Date(run.startedAt).toISOString(), ...(run.endUser === undefined ? {} : { endUser: run.endUser }) };
        case 'scenario':
          return { sid: run.info.scenario.sid, name: run.info.scenario.name };
        case 'integrations':
          return run.integrations();
        case 'env':
          return run.env;
        case 'input':
          return run.stepResults();
        case 'now':
          return undefined; // the sandbox builds `now` from now()
        default:
          return frame.extraScope[name];
      }
    },
    setAttachedData: (data) => {
      if (frame.call) run.setAttachedData(frame.call.sid, data);
    },
  };
}

function callView(run: RunContext, call: Call): Record<string, unknown> {
  return {
    sid: call.sid,
    fromNumber: call.fromNumber,
    toNumber: call.toNumber,
    fromType: call.fromType,
    direction: call.direction,
    status: call.status,
    headers: call.headers,
    cdr: call.cdr(),
    attachedData: run.attachedData(call.sid),
  };
}
