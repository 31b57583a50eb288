// Helpers for Outbound Call Trigger API tests: a test server whose simulated parties and delivery
// timings are set per test (the rest of the config keeps its defaults), and Knovvu-shaped requests.

import { loadConfig } from '../../src/server/config.ts';
import type { PartyConfig } from '../../src/server/config-schema.ts';
import { eventually, startTestServer, type TestServer } from './server.ts';

/** Numbers libphonenumber takes as valid (US), with how the simulated network makes them behave. */
export const NUMBERS = {
  answers: '+14155550101',
  busy: '+14155550102',
  noAnswer: '+14155550103',
  rejects: '+14155550104',
  unavailable: '+14155550105',
  error: '+14155550106',
  slow: '+14155550107',
  caller: '+12025550143',
} as const;

export const PARTIES: Record<string, PartyConfig> = {
  [NUMBERS.answers]: { answer: 'answer@0.1s' },
  [NUMBERS.busy]: { answer: 'busy' },
  [NUMBERS.noAnswer]: { answer: 'no-answer' },
  [NUMBERS.rejects]: { answer: 'reject' },
  [NUMBERS.unavailable]: { answer: 'unavailable' },
  [NUMBERS.error]: { answer: 'error' },
  [NUMBERS.slow]: { answer: 'answer@30s' },
};

export interface OutboundOptions {
  parties?: Record<string, PartyConfig>;
  delivery?: Partial<ReturnType<typeof loadConfig>['delivery']>;
  ringTimeoutSeconds?: number;
  outboundPort?: number;
  defaultCountry?: string;
}

/** A test server with the simulated parties above and fast delivery timings unless told otherwise. */
export function startOutboundServer(options: OutboundOptions = {}): Promise<TestServer> {
  const defaults = loadConfig({ env: {} });
  return startTestServer({
    server: { ...defaults.server, port: 0, ...(options.outboundPort === undefined ? {} : { outboundPort: options.outboundPort }) },
    telephony: { ...defaults.telephony, defaultCountry: options.defaultCountry ?? 'US', ringTimeoutSeconds: options.ringTimeoutSeconds ?? 2.5, simulation: { parties: options.parties ?? PARTIES } },
    delivery: { ...defaults.delivery, batchIntervalSeconds: 0.5, firstRetrySeconds: 0.2, maxRetrySeconds: 1, timeoutSeconds: 1, ...options.delivery },
  });
}

export interface TriggerFields {
  Project?: unknown;
  Tenant?: unknown;
  ConversationId?: unknown;
  AccessToken?: unknown;
  ScenarioPath?: unknown;
  OrchestratorUrl?: unknown;
  EndUser?: unknown;
  Locale?: unknown;
  ScenarioInputParameters?: unknown;
  ResultDestination?: unknown;
  SendResultImmediately?: unknown;
}

/** A complete, valid /v2/call body for `t`'s tenant; `fields` replace (or, when undefined, remove) fields. */
export function callBody(t: TestServer, scenario: string, destination: string, fields: TriggerFields & Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    Project: 'proj',
    Tenant: t.tenant.name,
    ConversationId: `conv-${destination}`,
    AccessToken: t.key,
    ScenarioPath: scenario,
    OrchestratorUrl: 'orchestrator.local',
    ScenarioInputParameters: [
      { Name: '_Destination', Value: destination },
      { Name: '_DisplayNumber', Value: NUMBERS.caller },
    ],
  };
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  return body;
}

/** POST /v2/call (no header key: the body's AccessToken authenticates). */
export async function trigger(t: TestServer, body: Record<string, unknown>): Promise<string> {
  const r = await t.api('/v2/call', { body, key: null });
  if (r.status !== 200) throw new Error(`/v2/call answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.UniqueId as string;
}

const FINAL = new Set(['Answered', 'Busy', 'Error', 'Invalid Number', 'No Answer', 'Rejected', 'Temporarily Unavailable']);

/** Polls /v2/callresult until the request's CallState is final (bounded); returns its result. */
export async function finalResult(t: TestServer, uniqueId: string, timeoutMs = 10_000): Promise<{ UniqueId: string; CallRequestId: string; CallState: string }> {
  const r = await eventually(() => t.api('/v2/callresult', { body: { UniqueIds: [uniqueId] } }), (x) => FINAL.has(x.body?.CallResults?.[0]?.CallState), timeoutMs);
  return r.body.CallResults[0];
}

/** Creates a scenario through the API; returns its sid. */
export async function createScenario(t: TestServer, name: string, script: string): Promise<string> {
  const r = await t.api('/v2.0/actions', { body: { name, script } });
  if (r.status !== 201) throw new Error(`creating ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.sid as string;
}
