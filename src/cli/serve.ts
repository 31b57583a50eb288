// `ringflow serve`: starts the server; SIGTERM or SIGINT stops it gracefully.

import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/server.ts';

export interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
  outboundPort?: string;
  dataDir?: string;
  database?: string;
}

export async function serveCommand(flags: ServeFlags, out: (line: string) => void): Promise<number> {
  const config = loadConfig({
    file: flags.config ?? process.env.RINGFLOW_CONFIG,
    env: process.env,
    overrides: {
      host: flags.host,
      port: flags.port === undefined ? undefined : Number(flags.port),
      outboundPort: flags.outboundPort === undefined ? undefined : Number(flags.outboundPort),
      dataDir: flags.dataDir,
      database: flags.database,
    },
  });
  const server = await startServer(config);
  out(`Ringflow is listening on ${server.url} — API docs at ${server.url}/docs`);
  if (server.outboundUrl) out(`Outbound Call Trigger API also on ${server.outboundUrl}/v2/call`);
  if (config.bootstrap?.apiKey) {
    out(`Tenant "${config.bootstrap.tenant}", API key ${config.bootstrap.apiKey} (from the configuration: for local use only)`);
  }
  if (server.sipPort !== undefined) {
    const host = config.telephony.sip.advertisedAddress ?? (config.telephony.sip.host === '0.0.0.0' ? '127.0.0.1' : config.telephony.sip.host);
    out(`SIP is listening on port ${server.sipPort} (${config.telephony.sip.transports.join(', ')}): call sip:NUMBER@${host}:${server.sipPort} from a softphone.`);
  } else {
    out('Telephony is simulated: place a call with `ringflow call-in NUMBER`, or start a run through the API.');
  }
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      out(`${signal}: stopping (running calls finish, then everything is written)…`);
      server.close().then(() => resolve(0), () => resolve(1));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
