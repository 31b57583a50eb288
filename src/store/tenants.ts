// Tenants: the unit of isolation. Every other record belongs to one.

export interface Tenant {
  /** `TN` + random. */
  id: string;
  /** Unique, 1–64 characters. */
  name: string;
  /** HMAC key of the signatures on this tenant's webhooks and result deliveries. */
  webhookSecret: string;
  created: string;
}

export interface TenantsRepository {
  /** Throws RingflowError RF_TENANT_EXISTS when the name is taken. */
  create(name: string): Promise<Tenant>;
  get(id: string): Promise<Tenant | undefined>;
  byName(name: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
}
