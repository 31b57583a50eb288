// A branch running on a call: the instruction loop, gotos, and what happens when the call ends.

import type { ExprRef } from '../expr/template.ts';
import { RingflowError } from '../errors.ts';
import type { Step } from '../scenario/model.ts';
import type { Call } from '../telephony/port.ts';
import { compileSteps, type Program } from './program.ts';
import type { FrameView, RunContext } from './run-context.ts';
import { evaluate, runActionStep } from './step.ts';
import { LinkedAbort } from '../linked-abort.ts';
import { scopeFor } from './scope.ts';
import type { EvalScope } from '../expr/scope.ts';
import { HANGUP, stopOf } from './stop.ts';

export type FrameOutcome = 'completed' | 'hangup' | 'canceled' | 'failed';

export interface FrameOptions {
  branch: string;
  call?: Call | undefined;
  peer?: Call | undefined;
  /** Runs after its call ended (hangup branch, events handlers). */
  afterCall?: boolean;
  extraScope?: Record<string, unknown>;
  /** Aborting it stops this frame (the run's signal, or the dialing branch's). */
  parent: AbortSignal;
  /** For events handlers: the steps to run instead of a scenario branch. */
  program?: Program;
  /** Told when the frame adopts a call (dial@v1 without answerOnBranch in a branch with no call). */
  onAdopt?: (call: Call) => void;
}

export class Frame implements FrameView {
  branch: string;
  call: Call | undefined;
  readonly peer: Call | undefined;
  readonly afterCall: boolean;
  readonly extraScope: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal;
  readonly scope: EvalScope;
  readonly #run: RunContext;
  readonly #abort: LinkedAbort;
  readonly #options: FrameOptions;
  #unwatch: (() => void) | undefined;

  constructor(run: RunContext, options: FrameOptions) {
    this.#run = run;
    this.#options = options;
    this.branch = options.branch;
    this.call = options.call;
    this.peer = options.peer;
    this.afterCall = options.afterCall ?? false;
    this.extraScope = options.extraScope ?? {};
    this.scope = scopeFor(run, this);
    this.#abort = new LinkedAbort(options.parent);
    this.signal = this.#abort.signal;
    if (this.call && !this.afterCall) this.#watch(this.call);
  }

  adoptCall(call: Call): void {
    this.#run.track(call);
    this.call = call;
    this.#unwatch?.();
    this.#watch(call);
    this.#options.onAdopt?.(call);
  }

  async runBranch(name: string, call: Call, peer: Call | undefined, signal: AbortSignal): Promise<void> {
    this.#run.track(call);
    const child = new Frame(this.#run, { branch: name, call, peer, parent: signal });
    await child.execute();
  }

  async runHandler(name: string, steps: readonly Step[], extraScope: Record<string, unknown>): Promise<void> {
    const handler = new Frame(this.#run, {
      branch: name,
      call: this.call,
      afterCall: true,
      extraScope,
      parent: this.#run.afterCallSignal,
      program: compileSteps(steps),
    });
    await handler.execute();
  }

  /** Runs the branch (and any branch it goes to) until its end or until it stops. */
  async execute(): Promise<FrameOutcome> {
    const run = this.#run;
    let program = this.#options.program ?? this.#programOf(this.branch);
    let outcome: FrameOutcome = 'completed';
    run.timeline.add({ type: 'branch', event: 'started', branch: this.branch, callSid: this.call?.sid });
    try {
      let pc = 0;
      while (pc < program.instructions.length) {
        const stop = stopOf(this.signal);
        if (stop) {
          outcome = stop.kind;
          break;
        }
        const instruction = program.instructions[pc]!;
        // Steps of the scenario count; the jumps the compiler adds around an `else` do not.
        if (instruction.op !== 'jump') {
          try {
            run.countStep();
          } catch (e) {
            throw (e as RingflowError).at(instruction.step.position);
          }
        }
        switch (instruction.op) {
          case 'action': {
            const result = await runActionStep(run, this, instruction.step);
            if (result === 'stop') {
              outcome = stopOf(this.signal)?.kind ?? (this.call?.status === 'ended' && !this.afterCall ? 'hangup' : 'completed');
              pc = program.instructions.length;
            } else pc++;
            break;
          }
          case 'if': {
            const value = this.#test(instruction.step.condition, instruction.step);
            this.#record(instruction.step, 'if', { condition: instruction.step.condition.source, value });
            pc = value ? pc + 1 : instruction.target;
            break;
          }
          case 'jump':
            pc = instruction.target;
            break;
          case 'goto-label': {
            const go = this.#test(instruction.condition, instruction.step);
            this.#record(instruction.step, 'goto', { label: 'label' in instruction.step.target ? instruction.step.target.label : '', taken: go });
            pc = go ? instruction.target : pc + 1;
            break;
          }
          case 'goto-branch': {
            const go = this.#test(instruction.condition, instruction.step);
            this.#record(instruction.step, 'goto', { branch: instruction.branch, taken: go });
            if (!go) {
              pc++;
              break;
            }
            run.timeline.add({ type: 'branch', event: 'ended', branch: this.branch, callSid: this.call?.sid, reason: `goto ${instruction.branch}` });
            this.branch = instruction.branch;
            program = this.#programOf(this.branch);
            run.timeline.add({ type: 'branch', event: 'started', branch: this.branch, callSid: this.call?.sid });
            pc = 0;
            break;
          }
        }
      }
      if (outcome === 'completed' && pc >= program.instructions.length) outcome = stopOf(this.signal)?.kind ?? 'completed';
    } catch (e) {
      outcome = 'failed';
      throw e;
    } finally {
      this.#unwatch?.();
      this.#abort.dispose();
      run.timeline.add({ type: 'branch', event: 'ended', branch: this.branch, callSid: this.call?.sid, reason: outcome });
    }
    // A branch that ends with its call still up hangs it up (SPEC §1.2) — also a call placed from the
    // hangup branch (a callback).
    if (outcome === 'completed' && this.call && this.call.status !== 'ended') {
      await this.call.hangup('normal', 'scenario');
    }
    return outcome;
  }

  #programOf(branch: string): Program {
    const program = this.#run.program(branch);
    if (!program) throw new RingflowError('RF_BRANCH_MISSING', { branch });
    return program;
  }

  #test(condition: ExprRef | undefined, step: Step): boolean {
    return condition === undefined ? true : Boolean(evaluate(this.#run, this, condition, step.position));
  }

  #record(step: Step, kind: string, result: Record<string, unknown>): void {
    const { line, col } = step.position;
    this.#run.timeline.add({ type: 'step', branch: this.branch, step: kind, line, col, label: step.label, result, durationMs: 0 });
  }

  #watch(call: Call): void {
    if (call.status === 'ended') {
      this.#abort.abort(HANGUP);
      return;
    }
    const onEnded = () => this.#abort.abort(HANGUP);
    call.on('ended', onEnded);
    this.#unwatch = () => call.off('ended', onEnded);
  }
}
