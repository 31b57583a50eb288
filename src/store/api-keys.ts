// API keys: stored as SHA-256 hashes (keys are 256-bit random, so no salt or slow hash is needed);
// the key itself is shown once, when created.

export interface ApiKey {
  /** `AK` + random; safe to show and log. */
  id: string;
  tenantId: string;
  name: string | null;
  /** The first characters of the key, to recognise it in a list. */
  prefix: string;
  created: string;
  revoked: string | null;
}

export interface ApiKeysRepository {
  /** Returns the record and the key text (`rf_` + 43 base64url characters), which is never stored. */
  create(tenantId: string, name?: string): Promise<{ key: ApiKey; secret: string }>;
  /**
   * Registers a key whose text is given (configuration bootstrap for development); returns the
   * existing record when that text is already a key of the tenant.
   */
  register(tenantId: string, secret: string, name?: string): Promise<ApiKey>;
  /** The key with this text, unless revoked. */
  authenticate(secret: string): Promise<ApiKey | undefined>;
  list(tenantId: string): Promise<ApiKey[]>;
  revoke(tenantId: string, id: string): Promise<boolean>;
}
