// The error catalogue: every user-facing error code, its HTTP status and its message template.
// A test checks that each code is documented in docs/errors.md, so users can look any of them up.

export interface ErrorSpec {
  readonly status: number;
  /** Message template; `{name}` placeholders are filled from the error's params. */
  readonly message: string;
}

export const ERRORS = {
  // Scenario documents (static checks)
  RF_YAML_SYNTAX: { status: 400, message: 'YAML syntax error: {detail}' },
  RF_YAML_DUPLICATE_KEY: { status: 400, message: 'the key "{key}" appears twice in the same map' },
  RF_SCENARIO_NOT_A_MAP: { status: 400, message: '{what} must be a map (key: value)' },
  RF_SCENARIO_UNKNOWN_KEY: { status: 400, message: 'unknown key "{key}" in {where}{hint}' },
  RF_SCENARIO_INVALID_VALUE: { status: 400, message: '{what}: {detail}' },
  RF_SCENARIO_NO_BRANCHES: { status: 400, message: 'the scenario has no branches: add at least one, e.g. inbound-call or api-initiated' },
  RF_SCENARIO_BRANCH_NOT_LIST: { status: 400, message: 'branch "{branch}" must be a list of steps, or a map with an "actions" list' },
  RF_SCENARIO_STEP_INVALID: { status: 400, message: '{detail}' },
  RF_SCENARIO_UNKNOWN_ACTION: { status: 400, message: 'unknown action "{action}"{hint}' },
  RF_SCENARIO_UNKNOWN_VERSION: { status: 400, message: 'action "{name}" has no version {version}; known: {known}' },
  RF_SCENARIO_MISSING_VERSION: { status: 400, message: 'action "{action}" needs a version, e.g. "{action}@v{latest}"' },
  RF_SCENARIO_UNSUPPORTED_ACTION: { status: 400, message: 'action "{action}" is not supported yet' },
  RF_SCENARIO_UNKNOWN_PARAM: { status: 400, message: 'unknown param "{param}" for {action}{hint}' },
  RF_SCENARIO_PARAM_TYPE: { status: 400, message: 'param "{param}" of {action} {detail}' },
  RF_SCENARIO_MISSING_PARAM: { status: 400, message: '{action} needs the param "{param}"' },
  RF_SCENARIO_RESULT_NAME: { status: 400, message: 'result must be a variable name starting with $, e.g. "$answer"; got "{value}"' },
  RF_SCENARIO_VARIABLE_NAME: { status: 400, message: 'variable names start with $ and hold letters, digits and _; got "{name}"' },
  RF_SCENARIO_GOTO_LABEL: { status: 400, message: 'goto: no step has the label "{label}" in branch "{branch}"{hint}' },
  RF_SCENARIO_GOTO_BRANCH: { status: 400, message: 'goto: there is no branch "{target}"{hint}' },
  RF_SCENARIO_ANSWER_BRANCH: { status: 400, message: 'answerOnBranch: there is no branch "{target}"{hint}' },
  RF_SCENARIO_BRANCH_TARGET: { status: 400, message: '{kind} cannot go to the branch "{target}": {why}' },
  RF_SCENARIO_DUPLICATE_LABEL: { status: 400, message: 'the label "{label}" is already used at line {line} in "{branch}"' },
  RF_SCENARIO_UNKNOWN_EVENT: { status: 400, message: '{action} has no event "{event}"; it has: {known}' },
  RF_SCENARIO_UNREACHABLE_BRANCH: { status: 200, message: 'branch "{branch}" never runs: it is not a built-in branch, and no goto or answerOnBranch in a branch that runs names it' },
  RF_SCENARIO_COMPAT: { status: 200, message: 'compat.version "{version}" is not known; Ringflow implements {known}' },
  RF_EXPR_SYNTAX: { status: 400, message: 'expression syntax error: {detail}' },

  // Running scenarios
  RF_EXPR_ERROR: { status: 422, message: 'expression failed: {detail}' },
  RF_EXPR_TIMEOUT: { status: 422, message: 'expression ran longer than {limitMs} ms and was stopped' },
  RF_EXPR_MEMORY: { status: 422, message: 'expression used more than {limitBytes} bytes of memory and was stopped' },
  RF_EXPR_STACK: { status: 422, message: 'expression recursed too deeply and was stopped' },
  RF_EXPR_RESULT: { status: 422, message: 'expression result cannot be stored: {detail}' },
  RF_PARAMS_INVALID: { status: 422, message: 'params of {action} are invalid after evaluation: {detail}' },
  RF_STEP_LIMIT: { status: 422, message: 'the run executed {limit} steps and was stopped (a goto loop?)' },
  RF_NO_CALL: { status: 422, message: '{action} needs a call, and this branch has none yet (use dial@v1 first)' },
  RF_BRIDGE_NO_PEER: { status: 422, message: 'bridge@v1 joins the call that dialed this one, and there is none: use it in a branch named by dial@v1 answerOnBranch' },
  RF_BRANCH_MISSING: { status: 422, message: 'the scenario has no "{branch}" branch' },
  RF_INTERNAL: { status: 500, message: 'internal error: {detail}' },


  // Outbound HTTP: the errorDetail of a fetch@v2 result whose error is blocked or invalid-url
  RF_HTTP_BLOCKED: { status: 403, message: 'request to {host} ({address}) blocked: {reason}; allow it with RINGFLOW_HTTP_ALLOW or --http-allow' },
  RF_HTTP_INVALID_URL: { status: 400, message: 'invalid URL "{url}": {detail}' },

  RF_SCENARIO_INVALID: { status: 400, message: 'the scenario has {count} error(s), the first at {first}; `problems` lists them all with their line and column' },

  // Outbound Call Trigger API (POST /v2/call)
  RF_CALL_FIELD: { status: 400, message: '{field} {detail}' },
  RF_CALL_SCENARIO: { status: 404, message: 'ScenarioPath: no scenario of this tenant has the sid or name "{path}"' },
  RF_CALL_TOKEN: { status: 401, message: '{field}: {detail}' },

  // HTTP API
  RF_API_UNAUTHORIZED: { status: 401, message: 'an API key is needed: x-api-key: KEY, Authorization: Bearer KEY, or Basic ACCOUNT_SID:KEY' },
  RF_API_RATE_LIMITED: { status: 429, message: 'too many requests with this API key; retry after {retryAfter} s' },
  RF_API_NOT_FOUND: { status: 404, message: 'no {what} "{id}" here' },
  RF_API_INVALID: { status: 400, message: '{detail}' },
  RF_API_MALFORMED_JSON: { status: 400, message: 'the body is not valid JSON: {detail}' },
  RF_API_BODY_TOO_LARGE: { status: 413, message: 'the body is larger than the {limit} bytes this server accepts' },
  RF_API_MEDIA_TYPE: { status: 415, message: 'send JSON (content-type: application/json), not {type}' },
  RF_API_INVALID_NUMBER: { status: 400, message: '{field}: {detail}' },
  RF_IDEMPOTENCY_MISMATCH: { status: 422, message: 'the Idempotency-Key "{key}" was used for a different request; use a new key for a new run' },
  RF_RUN_FINISHED: { status: 409, message: 'run {sid} is already over' },
  RF_SCENARIO_BROKEN: { status: 409, message: 'scenario {sid} (version {version}) no longer passes the checks of this Ringflow: {count} error(s), the first at {first}; fix its script with PATCH /v2.0/actions/{sid}' },
  RF_NOT_SIMULATED: { status: 404, message: 'this server places real calls; simulated calls are only available when telephony.mode is simulated' },

  // Storage
  RF_TENANT_EXISTS: { status: 409, message: 'a tenant named "{name}" already exists' },
  RF_SCENARIO_NAME_TAKEN: { status: 409, message: 'this tenant already has a scenario named "{name}"' },
  RF_NUMBER_TAKEN: { status: 409, message: 'the number {number} is assigned to another account' },
  RF_API_KEY_TAKEN: { status: 409, message: 'this API key is already registered for another tenant' },
  RF_DATABASE_URL: { status: 400, message: 'cannot use the database URL "{url}": {detail}' },
  RF_DATABASE_OPEN: { status: 503, message: 'cannot open the database {target}: {detail}' },
  RF_CURSOR_INVALID: { status: 400, message: 'the cursor "{cursor}" is not one this server gave: start again without it' },

  // Server
  RF_CONFIG_INVALID: { status: 400, message: 'the configuration has problems:{detail}' },
  RF_SERVER_RESTARTED: { status: 500, message: 'the server stopped while this run was going on; it was ended when the server started again' },
  // Audio on real calls
  RF_MEDIA_PROMPT: { status: 502, message: '{detail}' },
  RF_MEDIA_TTS: { status: 502, message: '{detail}' },
  RF_MEDIA_VOICE: { status: 400, message: '{detail}' },
  RF_MEDIA_RECORDING: { status: 500, message: '{detail}' },
  RF_LISTEN: { status: 500, message: 'cannot listen on {host}:{port}: {detail}' },
  RF_SHUTTING_DOWN: { status: 503, message: 'the server is shutting down and starts no new calls; try again in a moment' },

  // Command line
  RF_CLI_USAGE: { status: 400, message: '{detail}' },
  RF_FILE_READ: { status: 400, message: 'cannot read {file}: {detail}' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** A position in a source file, 1-based. */
export interface SourcePosition {
  readonly file?: string;
  readonly line: number;
  readonly col: number;
}

export function formatMessage(code: ErrorCode, params: Record<string, unknown> = {}): string {
  return ERRORS[code].message.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    return value === undefined ? '' : String(value);
  });
}

/** An error a user can act on: a stable code, a message, and where it happened when known. */
export class RingflowError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: Record<string, unknown>;
  readonly position: SourcePosition | undefined;

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, position?: SourcePosition, options?: { cause?: unknown }) {
    super(formatMessage(code, params), options);
    this.name = 'RingflowError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.params = params;
    this.position = position;
  }

  /** A copy that carries a position, for errors raised below the layer that knows it. */
  at(position: SourcePosition | undefined): RingflowError {
    if (!position || this.position) return this;
    return new RingflowError(this.code, this.params, position, { cause: this.cause });
  }

  toJSON(): { code: ErrorCode; message: string; line?: number; col?: number; file?: string } {
    return { code: this.code, message: this.message, ...this.position };
  }
}

export function isRingflowError(e: unknown): e is RingflowError {
  return e instanceof RingflowError;
}

/** `file:line:col: CODE: message`, the form editors and CI logs understand. */
export function formatLocated(e: { code: string; message: string; position?: SourcePosition | undefined }, fallbackFile = ''): string {
  const p = e.position;
  const where = p ? `${p.file ?? fallbackFile}:${p.line}:${p.col}` : fallbackFile;
  return `${where ? `${where}: ` : ''}${e.code}: ${e.message}`;
}
