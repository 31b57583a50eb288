// Scenarios: every version of the script is kept; a run records the version it ran.

export interface ScenarioRecord {
  /** `SC` + random. */
  sid: string;
  tenantId: string;
  /** Unique within the tenant, 1–64 characters. */
  name: string;
  /** The YAML text of this version. */
  script: string;
  format: 'yaml';
  /** 1 for the first script, +1 each time the script changes. */
  version: number;
  created: string;
  updated: string;
}

export interface ScenarioSearch {
  /** Part of the name, case-insensitive. */
  name?: string | undefined;
  sort: 'name' | 'created' | 'updated';
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface ScenariosRepository {
  /** Version 1. Throws RF_SCENARIO_NAME_TAKEN when the tenant has one with this name. */
  create(tenantId: string, name: string, script: string): Promise<ScenarioRecord>;
  /** A new version when the script changes; a rename alone keeps the version. Undefined when not found. */
  update(tenantId: string, sid: string, changes: { name?: string | undefined; script?: string | undefined }): Promise<ScenarioRecord | undefined>;
  /** The current version. */
  get(tenantId: string, sid: string): Promise<ScenarioRecord | undefined>;
  getVersion(tenantId: string, sid: string, version: number): Promise<ScenarioRecord | undefined>;
  byName(tenantId: string, name: string): Promise<ScenarioRecord | undefined>;
  search(tenantId: string, search: ScenarioSearch): Promise<{ total: number; hits: ScenarioRecord[] }>;
  /** Removes it from lists and lookups (its versions stay, for the runs that used them); its numbers are released. */
  delete(tenantId: string, sid: string): Promise<boolean>;
}
