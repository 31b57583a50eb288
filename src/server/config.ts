// Loads the server configuration: a YAML file (optional), then environment variables on top, checked
// against the schema at start. Every problem is reported at once, with where it is:
// `ringflow.yaml:12:9: server.port must be an integer`, or `RINGFLOW_PORT: …`.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { RingflowError } from '../errors.ts';
import { parseCallee, parsePress } from '../telephony/sim/party-spec.ts';
import { ConfigSchema, type ServerConfig } from './config-schema.ts';

export interface ConfigSources {
  /** The YAML file, if any. */
  file?: string | undefined;
  /** Usually process.env. */
  env: Readonly<Record<string, string | undefined>>;
  /** Command-line flags, applied last (they win). */
  overrides?: { host?: string | undefined; port?: number | undefined; outboundPort?: number | undefined; dataDir?: string | undefined; database?: string | undefined };
}

/** Environment variables and where each lands in the config. */
const ENV: readonly [name: string, path: readonly string[], kind: 'string' | 'int' | 'list'][] = [
  ['RINGFLOW_HOST', ['server', 'host'], 'string'],
  ['RINGFLOW_NODE_ID', ['server', 'nodeId'], 'string'],
  ['RINGFLOW_PORT', ['server', 'port'], 'int'],
  ['RINGFLOW_OUTBOUND_PORT', ['server', 'outboundPort'], 'int'],
  ['RINGFLOW_DATA_DIR', ['dataDir'], 'string'],
  ['RINGFLOW_TELEPHONY_MODE', ['telephony', 'mode'], 'string'],
  ['RINGFLOW_SIP_PORT', ['telephony', 'sip', 'port'], 'int'],
  ['RINGFLOW_SIP_ADVERTISED_ADDRESS', ['telephony', 'sip', 'advertisedAddress'], 'string'],
  ['DATABASE_URL', ['database'], 'string'],
  ['RINGFLOW_HTTP_ALLOW', ['http', 'allow'], 'list'],
  ['RINGFLOW_LOG_LEVEL', ['logging', 'level'], 'string'],
];

export function loadConfig(sources: ConfigSources): ServerConfig {
  const problems: string[] = [];
  let doc: Document | undefined;
  let lines: LineCounter | undefined;
  let value: Record<string, unknown> = {};
  const file = sources.file;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new RingflowError('RF_FILE_READ', { file, detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
    }
    lines = new LineCounter();
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      problems.push(`${file}:${line}:${col}: ${e.message.split('\n')[0]}`);
    }
    if (problems.length === 0) {
      const contents = doc.contents;
      if (contents !== null && !isMap(contents)) problems.push(`${file}:1:1: the configuration must be a map (key: value)`);
      else value = (doc.toJS() ?? {}) as Record<string, unknown>;
    }
  }
  const fromEnv = new Map<string, string>();
  for (const [name, path, kind] of ENV) {
    const raw = sources.env[name];
    if (raw === undefined || raw === '') continue;
    const parsed = kind === 'int' ? (/^\d+$/.test(raw) ? Number(raw) : raw) : kind === 'list' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
    setIn(value, path, parsed);
    fromEnv.set(path.join('.'), name);
  }
  const o = sources.overrides ?? {};
  if (o.host !== undefined) setIn(value, ['server', 'host'], o.host);
  if (o.port !== undefined) setIn(value, ['server', 'port'], o.port);
  if (o.outboundPort !== undefined) setIn(value, ['server', 'outboundPort'], o.outboundPort);
  if (o.dataDir !== undefined) setIn(value, ['dataDir'], o.dataDir);
  if (o.database !== undefined) setIn(value, ['database'], o.database);

  if (problems.length === 0) {
    const validate = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(ConfigSchema);
    if (!validate(value)) {
      for (const e of validate.errors ?? []) problems.push(locate(e, file, doc, lines, fromEnv));
    }
  }
  const config = value as ServerConfig;
  if (problems.length === 0) checkParties(config, (path, message) => problems.push(`${where(path, file, doc, lines, fromEnv)}${path.join('.')}: ${message}`));
  if (problems.length > 0) throw new RingflowError('RF_CONFIG_INVALID', { detail: `\n  ${problems.join('\n  ')}` });

  const base = file ? dirname(resolve(file)) : process.cwd();
  config.dataDir = resolve(base, config.dataDir);
  config.database ??= `sqlite:${resolve(config.dataDir, 'ringflow.db')}`;
  config.file = file ? resolve(file) : undefined;
  return config;
}

/** The simulated parties' texts (answer@3s, 1@4.5) use the command line's syntax: check them now. */
function checkParties(config: ServerConfig, report: (path: (string | number)[], message: string) => void): void {
  const sim = config.telephony.simulation;
  const entries: [(string | number)[], typeof sim.default][] = [
    ...Object.entries(sim.parties).map(([n, p]) => [['telephony', 'simulation', 'parties', n], p] as [(string | number)[], typeof p]),
    ...(sim.default ? [[['telephony', 'simulation', 'default'], sim.default] as [(string | number)[], typeof sim.default]] : []),
  ];
  for (const [path, party] of entries) {
    const attempt = (at: (string | number)[], f: () => unknown) => {
      try {
        f();
      } catch (e) {
        report(at, (e as Error).message.trim());
      }
    };
    if (party?.answer !== undefined) attempt([...path, 'answer'], () => parseCallee(party.answer!, ''));
    party?.presses?.forEach((press, i) => attempt([...path, 'presses', i], () => parsePress(press, '')));
  }
}

function locate(e: ErrorObject, file: string | undefined, doc: Document | undefined, lines: LineCounter | undefined, fromEnv: Map<string, string>): string {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : undefined;
  const full = extra === undefined ? path : [...path, extra];
  const message =
    e.keyword === 'additionalProperties' ? 'unknown setting'
    : e.keyword === 'required' ? `missing setting "${String(e.params.missingProperty)}"`
    : e.keyword === 'enum' ? `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`
    : e.message ?? e.keyword;
  return `${where(full, file, doc, lines, fromEnv)}${full.join('.') || '(config)'}: ${message}`;
}

function where(path: readonly (string | number)[], file: string | undefined, doc: Document | undefined, lines: LineCounter | undefined, fromEnv: Map<string, string>): string {
  for (let i = path.length; i > 0; i--) {
    const env = fromEnv.get(path.slice(0, i).join('.'));
    if (env) return `${env}: `;
  }
  if (!doc || !lines || !file) return '';
  for (let i = path.length; i >= 0; i--) {
    const node = doc.getIn(path.slice(0, i), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return `${file}:${line}:${col}: `;
    }
  }
  return `${file}: `;
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
