// A branch flattened into instructions with jumps, so a goto can reach any labelled step of the
// branch — also one inside a nested then/else — and the runner stays a plain loop.

import type { ExprRef } from '../expr/template.ts';
import type { ActionStep, GotoStep, IfStep, Step } from '../scenario/model.ts';

export type Instruction =
  | { readonly op: 'action'; readonly step: ActionStep }
  /** Evaluates the condition; falls through when truthy, jumps to `target` when falsy. */
  | { readonly op: 'if'; readonly step: IfStep; target: number }
  | { readonly op: 'jump'; target: number }
  | { readonly op: 'goto-label'; readonly step: GotoStep; readonly condition: ExprRef | undefined; target: number }
  | { readonly op: 'goto-branch'; readonly step: GotoStep; readonly condition: ExprRef | undefined; readonly branch: string };

export interface Program {
  readonly instructions: readonly Instruction[];
}

export function compileSteps(steps: readonly Step[]): Program {
  const instructions: Instruction[] = [];
  const labels = new Map<string, number>();
  const pendingGotos: { instruction: { target: number }; label: string }[] = [];

  const emit = (list: readonly Step[]): void => {
    for (const step of list) {
      if (step.label !== undefined && !labels.has(step.label)) labels.set(step.label, instructions.length);
      switch (step.kind) {
        case 'action':
          instructions.push({ op: 'action', step });
          break;
        case 'if': {
          const test: Instruction & { op: 'if' } = { op: 'if', step, target: -1 };
          instructions.push(test);
          emit(step.then);
          if (step.else.length > 0) {
            const skipElse: Instruction & { op: 'jump' } = { op: 'jump', target: -1 };
            instructions.push(skipElse);
            test.target = instructions.length;
            emit(step.else);
            skipElse.target = instructions.length;
          } else {
            test.target = instructions.length;
          }
          break;
        }
        case 'goto':
          if ('branch' in step.target) {
            instructions.push({ op: 'goto-branch', step, condition: step.condition, branch: step.target.branch });
          } else {
            const instruction: Instruction & { op: 'goto-label' } = { op: 'goto-label', step, condition: step.condition, target: -1 };
            instructions.push(instruction);
            pendingGotos.push({ instruction, label: step.target.label });
          }
          break;
      }
    }
  };
  emit(steps);
  for (const { instruction, label } of pendingGotos) {
    // A label outside this step list (e.g. from an events handler) ends the list: static checks
    // already reported labels that exist nowhere.
    instruction.target = labels.get(label) ?? instructions.length;
  }
  return { instructions };
}
