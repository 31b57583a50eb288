// What an expression can see. The sandbox pulls only the names an expression mentions, so a run
// with large variables pays for them only where they are used.

/** Names visible to every expression besides the $variables (SPEC §1.4). */
export const SCOPE_GLOBALS = ['call', 'run', 'scenario', 'now', 'integrations', 'env', 'recording', 'input'] as const;
export type ScopeGlobal = (typeof SCOPE_GLOBALS)[number];

export interface EvalScope {
  /** Reads a run variable (`$name`, with the $); undefined when unset. */
  getVar(name: string): unknown;
  /** Writes a run variable (javascript@v1 assignments). */
  setVar(name: string, value: unknown): void;
  /** A JSON-compatible value for a global (`call`, `run`, …), or undefined when not in scope. */
  getGlobal(name: ScopeGlobal): unknown;
  /** Current time in ms since the epoch; `now` is a Date of it. */
  now(): number;
  /** Called after javascript@v1 code ran when it mentions `call`, with `call.attachedData` as the code left it. */
  setAttachedData?(data: Record<string, unknown>): void;
}
