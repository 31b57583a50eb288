// Checks that need the whole scenario: goto targets, and branches nothing can reach.

import type { Branch } from './model.ts';
import { BUILTIN_BRANCHES } from './model.ts';
import type { ScenarioSource } from './source.ts';
import type { References } from './steps.ts';
import { hint } from './suggest.ts';

const ENTRY_BRANCHES: readonly string[] = ['inbound-call', 'api-initiated', 'outbound-call'];

export function checkReferences(src: ScenarioSource, branches: ReadonlyMap<string, Branch>, refs: References): void {
  for (const ref of refs.gotoLabels) {
    const labels = refs.labels.get(ref.branch);
    if (!labels?.has(ref.label)) {
      src.error('RF_SCENARIO_GOTO_LABEL', { label: ref.label, branch: ref.branch, hint: hint(ref.label, labels?.keys() ?? []) }, undefined, ref.position);
    }
  }
  for (const ref of refs.branchTargets) {
    if (ref.target === '*') continue;
    if (ref.target === 'hangup') {
      src.error('RF_SCENARIO_BRANCH_TARGET', { target: ref.target, kind: ref.kind, why: 'it runs by itself, once, after the call has ended' }, undefined, ref.position);
    } else if (ref.kind === 'answerOnBranch' && ENTRY_BRANCHES.includes(ref.target)) {
      src.error('RF_SCENARIO_BRANCH_TARGET', { target: ref.target, kind: ref.kind, why: 'it is where a run starts; give the answered call a branch of its own' }, undefined, ref.position);
    } else if (!branches.has(ref.target)) {
      const code = ref.kind === 'goto' ? 'RF_SCENARIO_GOTO_BRANCH' : 'RF_SCENARIO_ANSWER_BRANCH';
      src.error(code, { target: ref.target, hint: hint(ref.target, branches.keys()) }, undefined, ref.position);
    }
  }
  const reachable = reachableBranches(branches, refs);
  for (const branch of branches.values()) {
    if (reachable.has(branch.name)) continue;
    src.warn('RF_SCENARIO_UNREACHABLE_BRANCH', { branch: branch.name }, undefined, branch.position);
  }
}

/** Branches reachable from the built-in ones through goto and answerOnBranch. */
function reachableBranches(branches: ReadonlyMap<string, Branch>, refs: References): Set<string> {
  const seen = new Set<string>((BUILTIN_BRANCHES as readonly string[]).filter((b) => branches.has(b)));
  const queue = [...seen];
  while (queue.length > 0) {
    const from = queue.pop()!;
    for (const ref of refs.branchTargets) {
      if (ref.from === from && ref.target === '*') return new Set(branches.keys());
      if (ref.from === from && !seen.has(ref.target)) {
        seen.add(ref.target);
        queue.push(ref.target);
      }
    }
  }
  return seen;
}
