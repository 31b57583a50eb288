// Parsed scenarios by (sid, version): a script is parsed once, however many runs use it. Bounded.

import type { Engine } from '../runtime/engine.ts';
import type { Scenario } from '../scenario/model.ts';
import type { ScenarioRecord } from '../store/scenarios.ts';
import { RingflowError } from '../errors.ts';
import { LruMap } from '../lru-map.ts';

export class ScenarioCache {
  readonly #engine: Engine;
  readonly #parsed: LruMap<Scenario>;

  constructor(engine: Engine, max = 500) {
    this.#engine = engine;
    this.#parsed = new LruMap(max);
  }

  /** The scenario of this record; throws RF_SCENARIO_INVALID if the stored script no longer parses. */
  get(record: ScenarioRecord): Scenario {
    const key = `${record.sid}@${record.version}`;
    const hit = this.#parsed.get(key);
    if (hit) return hit;
    const { scenario, problems } = this.#engine.parse(record.script, { file: record.name });
    if (!scenario) {
      const listed = problems.map((p) => ({ severity: p.severity, code: p.code, message: p.message, line: p.position?.line, col: p.position?.col }));
      const first = listed.find((p) => p.severity === 'error')!;
      throw new RingflowError('RF_SCENARIO_INVALID', { count: listed.filter((p) => p.severity === 'error').length, first: `${first.line}:${first.col} ${first.message}`, problems: listed });
    }
    this.#parsed.set(key, scenario);
    return scenario;
  }
}
