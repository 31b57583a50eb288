// What the scenario reader needs to know about the language: the actions, their params validator,
// and (optionally) a JavaScript syntax checker for expressions.

import type { ActionRegistry } from '../actions/registry.ts';
import type { ParamsValidator } from './params.ts';

export interface SyntaxProblem {
  readonly message: string;
  /** 1-based, relative to the checked source. */
  readonly line: number;
  readonly col: number;
}

export interface Language {
  readonly registry: ActionRegistry;
  readonly params: ParamsValidator;
  /** Compiles without running; undefined when the source is valid. Without it, syntax is checked at run time. */
  readonly checkSyntax?: ((source: string, kind: 'expression' | 'statements') => SyntaxProblem | undefined) | undefined;
}
