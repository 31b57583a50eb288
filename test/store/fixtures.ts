// Records for the store tests, with every field filled so a round trip checks every column.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RingflowError, type ErrorCode } from '../../src/errors.ts';
import type { CallRecord } from '../../src/store/calls.ts';
import type { CallRequestRecord } from '../../src/store/call-requests.ts';
import type { RunRecord } from '../../src/store/runs.ts';
import type { Store } from '../../src/store/store.ts';
import type { Tenant } from '../../src/store/tenants.ts';

export function sid(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** A tenant of its own, so tests sharing a store do not see each other's records. */
export function newTenant(store: Store): Promise<Tenant> {
  return store.tenants.create(`tenant-${randomUUID().slice(0, 8)}`);
}

export function runRecord(tenantId: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    sid: sid('RN'),
    tenantId,
    scenarioSid: 'SC0000',
    scenarioVersion: 1,
    type: 'api',
    status: 'queued',
    variables: { $name: 'Ada', $n: 3, $nested: { list: [1, 'two', null, true] } },
    error: null,
    created: '2025-01-01T09:00:00.000Z',
    started: null,
    ended: null,
    node: 'node-a',
    ...overrides,
  };
}

export function callRecord(tenantId: string, runSid: string, overrides: Partial<CallRecord> = {}): CallRecord {
  const created = overrides.created ?? '2025-01-01T09:00:00.000Z';
  return {
    sid: sid('CA'),
    tenantId,
    runSid,
    direction: 'outbound',
    from: '+33100000001',
    to: '+33100000002',
    status: 'ended',
    cdr: {
      callid: 'abc@host',
      direction: 'outbound',
      callerNumber: '+33100000001',
      callee: '+33100000002',
      started: created,
      answered: created,
      ended: created,
      durationAnswered: 12,
      durationTotal: 15,
      hangupCause: 16,
      hangupSource: 'callee',
      status: 'answered',
    },
    attachedData: { crmId: 42, tags: ['vip'] },
    created,
    updated: created,
    ...overrides,
  };
}

export function callRequest(tenantId: string, overrides: Partial<CallRequestRecord> = {}): CallRequestRecord {
  return {
    uniqueId: sid('UQ'),
    tenantId,
    runSid: sid('RN'),
    conversationId: 'conv-1',
    project: 'proj',
    scenarioSid: 'SC0000',
    destination: '+33612345678',
    displayNumber: '+33100000000',
    callState: 'Queued',
    resultDestination: 'https://crm.example/results',
    sendResultImmediately: true,
    orchestratorUrl: 'https://orchestrator.example/events',
    endUser: { Name: 'Ada', Phone: '+33612345678' },
    locale: 'fr-FR',
    variables: { $order: 'A-17' },
    created: '2025-01-01T09:00:00.000Z',
    updated: '2025-01-01T09:00:00.000Z',
    started: null,
    answered: null,
    ended: null,
    duration: null,
    ...overrides,
  };
}

/** Awaits `promise`, which must reject with a RingflowError of `code`; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<RingflowError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof RingflowError, `expected a RingflowError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}
