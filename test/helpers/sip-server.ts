// A real Ringflow server taking real SIP calls on loopback (telephony.mode sip, SIP and RTP on
// free ports of 127.0.0.1), for the interop tests with SIPp and baresip.

import { loadConfig } from '../../src/server/config.ts';
import { startTestServer, type TestServer } from './server.ts';

export interface SipServerOptions {
  transports?: ('udp' | 'tcp')[];
  trunks?: Record<string, unknown>[];
  inboundAuth?: { realm?: string; users: Record<string, string> };
  rtpTimeoutSeconds?: number;
  ackTimeoutSeconds?: number;
  codecs?: ('PCMU' | 'PCMA')[];
  /** How long a call placed by the Outbound Call Trigger API rings (telephony.ringTimeoutSeconds). */
  ringTimeoutSeconds?: number;
}

export interface SipTestServer extends TestServer {
  readonly sipPort: number;
  /** host:port for SIPp's target. */
  readonly sipTarget: string;
}

/** Each server takes RTP ports from its own slice, so parallel test files do not collide. */
function rtpRange(): { portMin: number; portMax: number } {
  const base = 20000 + 2 * Math.floor(Math.random() * 9000);
  return { portMin: base, portMax: base + 998 };
}

export async function startSipServer(options: SipServerOptions = {}): Promise<SipTestServer> {
  const defaults = loadConfig({ env: {}, overrides: { port: 0 } });
  const telephony = {
    ...defaults.telephony,
    mode: 'sip',
    ...(options.ringTimeoutSeconds !== undefined && { ringTimeoutSeconds: options.ringTimeoutSeconds }),
    sip: {
      ...defaults.telephony.sip,
      host: '127.0.0.1',
      port: 0,
      transports: options.transports ?? ['udp', 'tcp'],
      advertisedAddress: '127.0.0.1',
      rtp: { ...rtpRange(), timeoutSeconds: options.rtpTimeoutSeconds ?? 30 },
      trunks: options.trunks ?? [],
      ...(options.codecs && { codecs: options.codecs }),
      ...(options.ackTimeoutSeconds !== undefined && { ackTimeoutSeconds: options.ackTimeoutSeconds }),
      ...(options.inboundAuth && { inboundAuth: { realm: options.inboundAuth.realm ?? 'ringflow', users: options.inboundAuth.users } }),
    },
  };
  const t = await startTestServer({ telephony });
  const sipPort = t.server.sipPort!;
  return Object.assign(t, { sipPort, sipTarget: `127.0.0.1:${sipPort}` });
}
