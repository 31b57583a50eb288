// A scenario after parsing and checking: what the runtime executes. Every step keeps its place in
// the YAML file so errors and the timeline can point at it.

import type { ActionDefinition } from '../actions/action.ts';
import type { ExprRef, Template } from '../expr/template.ts';
import type { ErrorCode, SourcePosition } from '../errors.ts';

export interface ScenarioDefaults {
  language: string;
  autoAnswer: boolean;
  voice: string | undefined;
  timezone: string | undefined;
}

interface StepBase {
  readonly position: SourcePosition;
  readonly label: string | undefined;
  /** `if:` on an action or goto step: the step is skipped when falsy. */
  readonly condition: ExprRef | undefined;
}

export interface ActionStep extends StepBase {
  readonly kind: 'action';
  readonly action: ActionDefinition;
  /** Params as written (templates), validated again after rendering. */
  readonly params: Template;
  /** `$name` that receives the result. */
  readonly result: string | undefined;
  /** Stable id (CloudTalk's `input[ID]`). */
  readonly id: string | undefined;
  /** Where the action's code param (javascript@v1 `code`) is written, for errors inside the code. */
  readonly codePosition: SourcePosition | undefined;
  readonly events: ReadonlyMap<string, readonly Step[]>;
}

export interface IfStep extends StepBase {
  readonly kind: 'if';
  readonly condition: ExprRef;
  readonly then: readonly Step[];
  readonly else: readonly Step[];
}

export interface GotoStep extends StepBase {
  readonly kind: 'goto';
  readonly target: { readonly label: string } | { readonly branch: string };
}

export type Step = ActionStep | IfStep | GotoStep;

export interface Branch {
  readonly name: string;
  readonly position: SourcePosition;
  readonly steps: readonly Step[];
}

export interface Scenario {
  readonly description: string | undefined;
  readonly compatVersion: string | undefined;
  readonly defaults: ScenarioDefaults;
  /** Initial run variables, `$`-prefixed names. */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly branches: ReadonlyMap<string, Branch>;
  /** The file name used in positions, when the scenario came from a file. */
  readonly file: string | undefined;
}

/** A problem found while loading a scenario. Warnings do not stop a scenario from running. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  readonly code: ErrorCode;
  readonly message: string;
  readonly position: SourcePosition | undefined;
}

/** Branch names with a meaning of their own (SPEC §1.2). */
export const BUILTIN_BRANCHES = ['inbound-call', 'api-initiated', 'outbound-call', 'hangup'] as const;
