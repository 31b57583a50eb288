// Every scenario shown in the docs is valid and runs on the simulator.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createHttpClient } from '../../src/http/client.ts';
import { runScenario } from '../../src/testing/run-scenario.ts';
import { VirtualClock } from '../../src/time/virtual-clock.ts';

const docs = new URL('../../docs/', import.meta.url);

/** YAML blocks that are whole scenarios, with the line where each starts. */
function scenarioBlocks(text: string): { line: number; yaml: string }[] {
  const blocks: { line: number; yaml: string }[] = [];
  const pattern = /^( *)```yaml\n([\s\S]*?)^\1```/gm;
  for (const match of text.matchAll(pattern)) {
    const indent = match[1]!.length;
    const yaml = match[2]!.split('\n').map((l) => l.slice(indent)).join('\n');
    if (/^branches:/m.test(yaml)) blocks.push({ line: text.slice(0, match.index).split('\n').length + 1, yaml });
  }
  return blocks;
}

for (const name of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
  const blocks = scenarioBlocks(readFileSync(new URL(name, docs), 'utf8'));
  if (blocks.length === 0) continue;
  describe(`docs/${name}`, () => {
    for (const block of blocks) {
      it(`the scenario at line ${block.line} is valid and runs to its end`, async () => {
        const clock = new VirtualClock();
        // Examples name public hosts; the test never leaves loopback, so DNS answers "not found".
        const http = createHttpClient({ clock, lookup: async () => Promise.reject(Object.assign(new Error('offline test'), { code: 'ENOTFOUND' })) });
        const r = await runScenario({ text: block.yaml, file: `docs/${name}`, clock, engine: { http }, caller: { presses: [{ digits: '1' }] }, callee: { presses: [{ digits: '1' }] } });
        const errors = r.problems.filter((p) => p.severity === 'error');
        assert.deepEqual(errors, []);
        assert.equal(r.run?.status, 'completed', JSON.stringify(r.run?.error));
      });
    }
  });
}
