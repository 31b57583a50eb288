// A test server for the API tests, with the settings those tests need (a low rate limit, a small
// body limit, simulated parties that answer at once), and small helpers to make scenarios and wait
// for runs. Built on startTestServer, whose overrides replace whole config sections: each section
// is given here complete, from the defaults.

import assert from 'node:assert/strict';
import { loadConfig } from '../../src/server/config.ts';
import type { PartyConfig } from '../../src/server/config-schema.ts';
import { eventually, startTestServer, type TestServer } from './server.ts';

export interface ApiServerOptions {
  rateLimit?: { perSecond: number; burst: number };
  bodyLimitBytes?: number;
  /** Simulated parties by E.164 number (answer@0.1s, busy, …). */
  parties?: Record<string, PartyConfig>;
}

/** Numbers the default test network answers at once. */
export const ANSWERS = '+15550001111';
export const ANSWERS_TOO = '+15550001112';

export async function startApiServer(options: ApiServerOptions = {}): Promise<TestServer> {
  const defaults = loadConfig({ env: {}, overrides: { port: 0 } });
  const server = {
    ...defaults.server,
    port: 0,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
  };
  const parties = { [ANSWERS]: { answer: 'answer@0.1s' }, [ANSWERS_TOO]: { answer: 'answer@0.1s' }, ...options.parties };
  const telephony = { ...defaults.telephony, simulation: { parties } };
  return startTestServer({ server, telephony });
}

/** Creates a scenario through the API; returns its sid. */
export async function createScenario(t: TestServer, name: string, script: string, key?: string): Promise<string> {
  const created = await t.api('/v2.0/actions', { body: { name, script }, ...(key === undefined ? {} : { key }) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.sid as string;
}

/** Starts a run through the API; returns its sid. */
export async function startRun(t: TestServer, scenarioSid: string, variables: Record<string, unknown> = {}, key?: string): Promise<string> {
  const run = await t.api(`/v2.0/actions/${scenarioSid}/runs`, { body: { variables }, ...(key === undefined ? {} : { key }) });
  assert.equal(run.status, 201, JSON.stringify(run.body));
  return run.body.sid as string;
}

const FINISHED = new Set(['completed', 'failed', 'canceled']);

/** The run once it is over (GET /v2.0/runs/{sid}). */
export async function finished(t: TestServer, runSid: string, timeoutMs = 15_000): Promise<any> {
  const read = await eventually(() => t.api(`/v2.0/runs/${runSid}`), (r) => r.status !== 200 || FINISHED.has(r.body.status), timeoutMs);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  return read.body;
}

/** A scenario whose api-initiated branch dials `number` and says `what`. */
export function dialAndSay(number: string, what = 'Hi'): string {
  return [
    'branches:',
    '  api-initiated:',
    '    - action: dial@v1',
    `      params: { targets: [{ number: "${number}" }] }`,
    '      result: $dial',
    '    - action: say@v2',
    `      params: { what: "${what}" }`,
    '',
  ].join('\n');
}

/** Checks an error answer: its status, its code, and that the message says something. */
export function assertError(response: { status: number; body: any }, status: number, code: string, mentions: (string | RegExp)[] = []): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body?.code, code, JSON.stringify(response.body));
  assert.equal(typeof response.body.message, 'string');
  assert.ok(response.body.message.length > 0);
  for (const m of mentions) {
    if (typeof m === 'string') assert.ok(response.body.message.includes(m), `"${response.body.message}" should mention "${m}"`);
    else assert.match(response.body.message, m);
  }
}
