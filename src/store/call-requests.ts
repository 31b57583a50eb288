// Calls requested through the Outbound Call Trigger API (Knovvu): what was asked and the CallState.

export type CallState =
  | 'Queued' | 'Dialing' | 'In Progress'
  | 'Answered' | 'Busy' | 'Error' | 'Invalid Number' | 'No Answer' | 'Rejected' | 'Temporarily Unavailable';

export interface CallRequestRecord {
  /** The UniqueId returned to the caller: `UQ` + random. */
  uniqueId: string;
  tenantId: string;
  /** The run carrying the request out (CallRequestId in results). */
  runSid: string;
  conversationId: string;
  project: string;
  scenarioSid: string;
  /** E.164 when valid, else as given. */
  destination: string;
  displayNumber: string;
  callState: CallState;
  resultDestination: string | null;
  sendResultImmediately: boolean;
  orchestratorUrl: string;
  endUser: { Name?: string; Phone?: string; Email?: string } | null;
  locale: string | null;
  /** ScenarioInputParameters as run variables ($-prefixed). */
  variables: Record<string, unknown>;
  created: string;
  updated: string;
  started: string | null;
  answered: string | null;
  ended: string | null;
  /** Seconds answered. */
  duration: number | null;
}

export interface CallRequestsRepository {
  create(request: CallRequestRecord): Promise<void>;
  update(uniqueId: string, changes: Partial<Pick<CallRequestRecord, 'callState' | 'started' | 'answered' | 'ended' | 'duration' | 'variables' | 'updated'>>): Promise<void>;
  get(tenantId: string, uniqueId: string): Promise<CallRequestRecord | undefined>;
  /** Requests whose run belongs to `node`, not yet in a final CallState (after a restart: they ended with the process). */
  unfinished(node: string): Promise<CallRequestRecord[]>;
  /** Those of the tenant among `uniqueIds`, in no particular order (unknown ones are simply absent). */
  getMany(tenantId: string, uniqueIds: readonly string[]): Promise<CallRequestRecord[]>;
}
