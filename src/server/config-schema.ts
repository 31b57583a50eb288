// The server's configuration: one schema, with the defaults, from which the docs table is written.

import { Type, type Static } from 'typebox';

const PartySchema = Type.Object(
  {
    answer: Type.Optional(Type.String({ description: 'How the number answers when Ringflow calls it: answer, answer@3s, busy, no-answer, reject, invalid, unavailable, error (default answer@2s).' })),
    presses: Type.Optional(Type.Array(Type.String(), { description: 'Keys it presses: "1" after the next prompt, "42#@3.5" at 3.5 s.' })),
    hangupAt: Type.Optional(Type.Number({ minimum: 0, description: 'Seconds after the start of the call when it hangs up.' })),
    speechSeconds: Type.Optional(Type.Number({ minimum: 0, description: 'How long it talks when recorded (default 3).' })),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'Address the HTTP API listens on (RINGFLOW_HOST).' }),
        nodeId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'This server among several on one database (RINGFLOW_NODE_ID; default: host name and port). After a restart a node ends only the runs it left unfinished, so keep it stable.' })),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'Port of the HTTP API (RINGFLOW_PORT); 0 picks a free one.' }),
        outboundPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'Also serve the Outbound Call Trigger API (/v2/call, /v2/callresult) on this port, e.g. 22222.' })),
        bodyLimitBytes: Type.Integer({ minimum: 1024, default: 1024 * 1024, description: 'Largest request body accepted (413 beyond).' }),
        rateLimit: Type.Object(
          {
            perSecond: Type.Number({ exclusiveMinimum: 0, default: 200, description: 'Requests per second allowed per API key, on average.' }),
            burst: Type.Integer({ minimum: 1, default: 400, description: 'Requests a key may make at once above the average.' }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    dataDir: Type.String({ default: './data', description: 'Folder for the SQLite database and the recordings (RINGFLOW_DATA_DIR).' }),
    database: Type.Optional(Type.String({ description: 'sqlite:PATH, or a postgres:// URL (DATABASE_URL). Default: sqlite:<dataDir>/ringflow.db.' })),
    http: Type.Object(
      { allow: Type.Array(Type.String(), { default: [], description: 'Hosts and CIDRs scenarios may reach besides the public internet (RINGFLOW_HTTP_ALLOW, comma-separated).' }) },
      { additionalProperties: false, default: {} },
    ),
    telephony: Type.Object(
      {
        mode: Type.Enum(['simulated'], { default: 'simulated', description: 'simulated: calls run on the built-in simulated network (SIP comes in a later release).' }),
        defaultCountry: Type.String({ pattern: '^[A-Z]{2}$', default: 'US', description: 'Country of numbers written without +: ISO 3166 code, e.g. FR.' }),
        callerId: Type.String({ default: '+15550000000', description: 'Caller id for dial@v1 when the scenario gives none.' }),
        ringTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 45, description: 'How long a call placed by the Outbound Call Trigger API rings before it ends as No Answer.' }),
        simulation: Type.Object(
          {
            parties: Type.Record(Type.String(), PartySchema, { default: {}, description: 'How given numbers behave, by E.164 number.' }),
            default: Type.Optional(PartySchema),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    delivery: Type.Object(
      {
        batchIntervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 5, description: 'How often queued results (SendResultImmediately false) are sent.' }),
        retryForHours: Type.Number({ exclusiveMinimum: 0, default: 24, description: 'How long a failing delivery is retried before it is marked failed.' }),
        firstRetrySeconds: Type.Number({ exclusiveMinimum: 0, default: 1, description: 'Wait before the first retry; each retry doubles it.' }),
        maxRetrySeconds: Type.Number({ exclusiveMinimum: 0, default: 3600, description: 'Longest wait between two attempts.' }),
        timeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 10, description: 'Time a receiver has to answer one attempt.' }),
      },
      { additionalProperties: false, default: {} },
    ),
    scenarios: Type.Object(
      {
        maxSteps: Type.Integer({ minimum: 1, default: 10_000, description: 'Steps one run may execute.' }),
        env: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Values scenarios see as `env` (nothing else of the environment).' }),
      },
      { additionalProperties: false, default: {} },
    ),
    logging: Type.Object(
      { level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info', description: 'Log level (RINGFLOW_LOG_LEVEL).' }) },
      { additionalProperties: false, default: {} },
    ),
    bootstrap: Type.Optional(
      Type.Object(
        {
          tenant: Type.String({ minLength: 1, description: 'A tenant created at start when missing.' }),
          apiKey: Type.Optional(Type.String({ pattern: '^rf_[A-Za-z0-9_-]{20,}$', description: 'An API key for it, created when missing (for development: a key in a file is no secret).' })),
          scenarios: Type.Array(
            Type.Object(
              {
                name: Type.String({ minLength: 1 }),
                file: Type.String({ description: 'YAML file, relative to the config file.' }),
                numbers: Type.Array(Type.String(), { default: [], description: 'Numbers routed to it.' }),
              },
              { additionalProperties: false },
            ),
            { default: [], description: 'Scenarios loaded (and updated) at start.' },
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ServerConfig = Static<typeof ConfigSchema> & {
  /** Resolved: from the file, DATABASE_URL, or the default in dataDir. */
  database: string;
  /** The config file, when there was one (paths in it are relative to its folder). */
  file: string | undefined;
};
export type PartyConfig = Static<typeof PartySchema>;
