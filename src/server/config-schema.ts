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

const TrunkSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'How dial@v1 and the logs name this trunk.' }),
    host: Type.String({ minLength: 1, description: 'The carrier or PBX: host name or IP address.' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 5060, description: 'Its SIP port.' }),
    transport: Type.Enum(['udp', 'tcp'], { default: 'udp', description: 'How to reach it.' }),
    username: Type.Optional(Type.String({ description: 'Digest user name, when the trunk challenges (401/407).' })),
    password: Type.Optional(Type.String({ description: 'Digest password (redacted in logs).' })),
    register: Type.Boolean({ default: false, description: 'REGISTER to the trunk (and refresh) so it sends calls for our numbers here.' }),
    registerExpiresSeconds: Type.Integer({ minimum: 60, default: 600, description: 'Expiry asked for in REGISTER; refreshed before it runs out.' }),
    domain: Type.Optional(Type.String({ description: 'Domain of the From and Request-URI (default: host).' })),
    callerId: Type.Optional(Type.String({ description: 'Caller id sent when the scenario gives none.' })),
    callerIdAllowed: Type.Optional(Type.Array(Type.String(), { description: 'Caller ids the trunk accepts (E.164 numbers, or prefixes ending in *); others are replaced by callerId.' })),
    prefix: Type.String({ default: '', description: 'Prepended to the dialled number (e.g. a tech prefix).' }),
    numberFormat: Type.Enum(['e164', 'e164-no-plus'], { default: 'e164', description: 'How the number goes in the Request-URI user part.' }),
  },
  { additionalProperties: false },
);

const SipSchema = Type.Object(
  {
    host: Type.String({ default: '0.0.0.0', description: 'Address SIP listens on (UDP and TCP).' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 5060, description: 'SIP port, UDP and TCP (RINGFLOW_SIP_PORT); 0 picks a free one.' }),
    transports: Type.Array(Type.Enum(['udp', 'tcp']), { default: ['udp', 'tcp'], minItems: 1, description: 'Transports to listen on.' }),
    advertisedAddress: Type.Optional(Type.String({ description: 'Address put in Via, Contact and SDP when Ringflow is behind NAT (its public IP). Default: the listen address, or this machine\'s first non-internal IPv4 address when listening on 0.0.0.0.' })),
    rtp: Type.Object(
      {
        portMin: Type.Integer({ minimum: 1024, maximum: 65534, default: 10000, description: 'Lowest RTP port.' }),
        portMax: Type.Integer({ minimum: 1025, maximum: 65535, default: 20000, description: 'Highest RTP port (one even port per call leg).' }),
        timeoutSeconds: Type.Number({ minimum: 0, default: 30, description: 'Hang up a call that has sent no RTP for this long (the peer vanished); 0 never.' }),
        workers: Type.Optional(Type.Integer({ minimum: 0, maximum: 64, description: 'Threads that send and receive RTP, each taking a share of the calls. Default: one per CPU core. 0 keeps media on the main thread (fine for a few dozen calls).' })),
      },
      { additionalProperties: false, default: {} },
    ),
    codecs: Type.Array(Type.Enum(['PCMU', 'PCMA']), { default: ['PCMU', 'PCMA'], minItems: 1, description: 'Codecs offered, in order of preference (answers follow the caller\'s order).' }),
    inboundAuth: Type.Optional(
      Type.Object(
        {
          realm: Type.String({ default: 'ringflow', description: 'Digest realm.' }),
          users: Type.Record(Type.String(), Type.String(), { description: 'User name → password of the peers allowed to call in.' }),
        },
        { additionalProperties: false, description: 'Challenge inbound INVITEs (401) and accept only these users. Without it, any peer that can reach the port may call assigned numbers.' },
      ),
    ),
    trunks: Type.Array(TrunkSchema, { default: [], description: 'Where outgoing calls go: the first trunk carries them (several trunks: the others are for inbound calls and registration).' }),
    ackTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 32, description: 'A caller that never ACKs our 200 OK is hung up after this long (64×T1).' }),
  },
  { additionalProperties: false, default: {} },
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
        mode: Type.Enum(['simulated', 'sip'], { default: 'simulated', description: 'sip: real calls over SIP/RTP (telephony.sip); simulated: the built-in simulated network (telephony.simulation), for trying scenarios without a phone line.' }),
        defaultCountry: Type.String({ pattern: '^[A-Z]{2}$', default: 'US', description: 'Country of numbers written without +: ISO 3166 code, e.g. FR.' }),
        callerId: Type.String({ default: '+15550000000', description: 'Caller id for dial@v1 when the scenario gives none.' }),
        ringTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 45, description: 'How long a call placed by the Outbound Call Trigger API rings before it ends as No Answer.' }),
        sip: SipSchema,
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
                numbers: Type.Array(Type.String(), { default: [], description: 'Numbers routed to it; "*" routes every number no other scenario has (a catch-all, e.g. for a softphone).' }),
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
