// Phone numbers routed to scenarios: an inbound call to a number runs its scenario.

export interface NumberRoute {
  /** E.164, the key: a number routes to one scenario of one tenant. */
  e164: string;
  tenantId: string;
  scenarioSid: string;
  assigned: string;
}

export interface NumbersRepository {
  /** Moves the number to this scenario if the tenant already had it. Throws RF_NUMBER_TAKEN when another tenant has it. */
  assign(tenantId: string, scenarioSid: string, e164: string): Promise<NumberRoute>;
  unassign(tenantId: string, scenarioSid: string, e164: string): Promise<boolean>;
  route(e164: string): Promise<NumberRoute | undefined>;
  forScenario(tenantId: string, scenarioSid: string): Promise<NumberRoute[]>;
}
