// The set of actions an engine knows, looked up by `name@vN`.

import { actionId, type ActionDefinition } from './action.ts';

export interface ActionRegistry {
  get(id: string): ActionDefinition | undefined;
  /** Known versions of an action name, ascending (empty when unknown). */
  versionsOf(name: string): readonly number[];
  /** Actions of the Callr language that Ringflow will implement later (refused with a clear message). */
  isUnsupported(name: string): boolean;
  /** Every known and announced action name, for "did you mean". */
  names(): readonly string[];
  all(): readonly ActionDefinition[];
}

export function createActionRegistry(actions: readonly ActionDefinition[], unsupported: readonly string[] = []): ActionRegistry {
  const byId = new Map(actions.map((a) => [actionId(a), a]));
  const versions = new Map<string, number[]>();
  for (const a of actions) versions.set(a.name, [...(versions.get(a.name) ?? []), a.version].sort((x, y) => x - y));
  const unsupportedNames = new Set(unsupported.map((id) => id.split('@')[0]!));
  const names = [...new Set([...versions.keys(), ...unsupportedNames])];
  return {
    get: (id) => byId.get(id),
    versionsOf: (name) => versions.get(name) ?? [],
    isUnsupported: (name) => unsupportedNames.has(name),
    names: () => names,
    all: () => actions,
  };
}
