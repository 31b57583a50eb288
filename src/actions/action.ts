// The contract every action file fulfils: its name and version, one params schema (from which the
// validator, the published JSON Schema and the docs all derive), its precondition, and execute().

import type { Static, TSchema } from 'typebox';
import type { ActionContext } from './context.ts';

/**
 * What the runner must make true before execute():
 * - `none`: runs anywhere, with or without a call;
 * - `call`: needs a call in the branch (a run error otherwise);
 * - `answered`: needs audio — an unanswered inbound call is answered first, with a warning.
 */
export type Precondition = 'none' | 'call' | 'answered';

/** Every action result has `ok`; remote failures are `ok: false` with a reason, never exceptions. */
export interface ActionResult {
  ok: boolean;
  [key: string]: unknown;
}

export interface ActionDefinition<S extends TSchema = TSchema> {
  readonly name: string;
  readonly version: number;
  /** One line for the docs and editor hovers. */
  readonly summary: string;
  /** The params: an object schema with defaults; unknown params are rejected. */
  readonly params: S;
  /** How the result reads, for the docs. */
  readonly result: string;
  readonly needs: Precondition;
  /** Names of `events:` step lists this action can trigger (startRecording@v1: `ready`). */
  readonly events?: readonly string[];
  /** The param holding JavaScript statements, syntax-checked at load (javascript@v1: `code`). */
  readonly codeParam?: string;
  /** Params naming a branch of the scenario, checked at load (dial@v1: `answerOnBranch`). */
  readonly branchParams?: readonly string[];
  execute(ctx: ActionContext, params: Static<S>, signal: AbortSignal): Promise<ActionResult>;
}

/** Identity, for type inference of `params` in execute(). */
export function defineAction<S extends TSchema>(definition: ActionDefinition<S>): ActionDefinition<S> {
  return definition;
}

export function actionId(a: { name: string; version: number }): string {
  return `${a.name}@v${a.version}`;
}
