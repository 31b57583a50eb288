// `telephony.mode: sip`: the SIP user agent on its ports, the RTP port range, text-to-speech and
// prompts, the trunks (registered when asked), assembled into the SIP network the engine uses.

import { randomBytes } from 'node:crypto';
import { availableParallelism, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { RingflowError } from '../errors.ts';
import { createGuardedFetch } from '../http/guarded-fetch.ts';
import type { AllowList } from '../http/guard.ts';
import { PromptLoader } from '../telephony/media/audio/prompt-loader.ts';
import { TtsCache } from '../telephony/media/audio/tts-cache.ts';
import { detectTtsEngines } from '../telephony/media/audio/tts-engines.ts';
import { TtsService } from '../telephony/media/audio/tts-service.ts';
import { LocalLegs } from '../telephony/media/leg/local-leg.ts';
import type { MediaLegs } from '../telephony/media/leg/media-leg.ts';
import { WorkerLegs } from '../telephony/media/leg/worker-legs.ts';
import { PortAllocator } from '../telephony/media/rtp/port-allocator.ts';
import type { RtpSessionStats } from '../telephony/media/rtp/rtp-session-types.ts';
import { DigestServer } from '../telephony/sip/digest/server.ts';
import type { SipRequest } from '../telephony/sip/message/types.ts';
import type { TransportName } from '../telephony/sip/transport/transport.ts';
import { SipUserAgent, type AuthDecision } from '../telephony/sip/ua/user-agent.ts';
import { AudioMedia } from '../telephony/sip-network/audio-media.ts';
import type { SipCall } from '../telephony/sip-network/sip-call.ts';
import { SipNetwork } from '../telephony/sip-network/sip-network.ts';
import { SystemClock, type Clock } from '../time/clock.ts';
import type { ServerConfig } from './config-schema.ts';
import type { Logger } from './logger.ts';
import { NumberChecker } from './phone-numbers.ts';

export interface SipTelephony {
  readonly network: SipNetwork;
  readonly ua: SipUserAgent;
  /** Where SIP listens (the actual port when 0 was asked) and the address put in Contact and SDP. */
  readonly port: number;
  readonly advertisedAddress: string;
  /** Stops taking calls: unregisters, closes the sockets (calls still up get a BYE). */
  close(): Promise<void>;
}

export interface SipTelephonyDeps {
  clock: Clock;
  logger: Logger;
  dataDir: string;
  recordingsDir: string;
  newSid: () => string;
  /** Hosts and CIDRs prompts may come from besides the public internet (the HTTP guard's list). */
  httpAllow: AllowList;
  onInbound: (call: SipCall) => void;
  onMediaEnded?: (stats: RtpSessionStats) => void;
}

export async function startSipTelephony(config: ServerConfig, deps: SipTelephonyDeps): Promise<SipTelephony> {
  const sip = config.telephony.sip;
  const { clock, logger } = deps;
  const advertisedAddress = sip.advertisedAddress ?? defaultAdvertised(sip.host);
  const log = logger.child({ component: 'sip' });
  let ua: SipUserAgent;
  try {
    ua = await SipUserAgent.listen({
      clock,
      host: sip.host,
      port: sip.port,
      transports: sip.transports.map((t) => t.toUpperCase() as TransportName),
      advertisedHost: advertisedAddress,
      userAgent: 'Ringflow',
      // telephony.sip.ackTimeoutSeconds: a caller that never ACKs our 200 OK is hung up after this long.
      ackTimeoutMs: sip.ackTimeoutSeconds * 1000,
      log: (level, message, fields) => log[level](fields ?? {}, message),
      ...(sip.inboundAuth && { authenticate: inboundAuth(sip.inboundAuth, clock) }),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new RingflowError('RF_LISTEN', { host: sip.host, port: sip.port, detail: `SIP: ${code === 'EADDRINUSE' ? 'the port is in use (another SIP server?)' : code === 'EACCES' ? 'not allowed to use this port' : 'no such address on this machine'}` });
    }
    throw e;
  }
  const engines = await detectTtsEngines({ clock, logger: log });
  const tts = new TtsService({
    engines,
    cache: new TtsCache({ dir: join(deps.dataDir, 'tts-cache'), onDiskError: (err) => log.warn({ err }, 'text-to-speech disk cache') }),
    logger: log,
  });
  const guarded = createGuardedFetch(deps.httpAllow);
  const prompts = new PromptLoader({ clock, fetch: guarded.fetch, baseDir: deps.dataDir });
  const trunk = sip.trunks[0];
  const legs = await mediaLegs(config, clock, log);
  const numbers = new NumberChecker(config.telephony.defaultCountry);
  const network = new SipNetwork({
    clock,
    ua,
    rtp: {
      advertisedAddress,
      timeoutMs: sip.rtp.timeoutSeconds * 1000,
    },
    legs,
    codecs: sip.codecs,
    trunk,
    media: new AudioMedia({ tts, prompts }),
    recordingsDir: deps.recordingsDir,
    newSid: deps.newSid,
    normalizeNumber: (text) => {
      const checked = /^\+?[0-9]{4,}$/.test(text) ? numbers.check(text, false) : undefined;
      return checked?.valid ? checked.e164 : text;
    },
    logger: log,
    onInbound: deps.onInbound,
    ...(deps.onMediaEnded && { onMediaEnded: deps.onMediaEnded }),
  });
  const registering = new AbortController();
  for (const t of sip.trunks.filter((t) => t.register)) {
    const domain = t.domain ?? t.host;
    ua.register({
      registrar: `sip:${domain}`,
      aor: `sip:${t.username ?? 'ringflow'}@${domain}`,
      ...(t.username !== undefined && { credentials: { username: t.username, password: t.password ?? '' } }),
      expires: t.registerExpiresSeconds,
      outboundProxy: { host: t.host, port: t.port, transport: t.transport.toUpperCase() as TransportName },
      signal: registering.signal,
    }).then(
      (r) => {
        r.on('failed', (o) => log.warn({ trunk: t.name, status: o.status, reason: o.reason }, 'trunk registration failed; retrying'));
        if (r.last?.ok) log.info({ trunk: t.name }, 'registered to the trunk');
        else log.warn({ trunk: t.name, status: r.last?.status }, 'trunk registration refused; retrying');
      },
      (err: unknown) => log.error({ err, trunk: t.name }, 'trunk registration failed'),
    );
  }
  const port = ua.transport.sentBy(ua.transport.names[0] ?? 'UDP').port;
  log.info({ host: sip.host, port, transports: sip.transports, advertisedAddress, rtp: `${sip.rtp.portMin}-${sip.rtp.portMax}`, trunks: sip.trunks.map((t) => t.name), voices: { flite: engines.flite.name, espeak: engines.espeak !== null } }, 'SIP is listening');
  return {
    network,
    ua,
    port,
    advertisedAddress,
    async close() {
      registering.abort();
      await ua.close({ bye: true });
      await legs.close();
      await guarded.close();
    },
  };
}

/**
 * Where calls' media runs: `rtp.workers` threads (default one per core), or this thread when 0. The
 * workers keep wall time, so a server on any other clock (a test's virtual one) keeps its media here.
 */
async function mediaLegs(config: ServerConfig, clock: Clock, log: Logger): Promise<MediaLegs> {
  const sip = config.telephony.sip;
  const ports = new PortAllocator({ min: sip.rtp.portMin, max: sip.rtp.portMax });
  const onError = (err: unknown) => log.warn({ err }, 'RTP error');
  const threads = sip.rtp.workers ?? (clock instanceof SystemClock ? availableParallelism() : 0);
  if (threads === 0) return new LocalLegs({ clock, localAddress: sip.host, ports, onError });
  const legs = await WorkerLegs.start({ threads, localAddress: sip.host, ports, onError });
  log.info({ workers: threads }, 'media workers started');
  return legs;
}

/** The address peers can reach: the listen address, or this machine's first external IPv4 one. */
function defaultAdvertised(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function inboundAuth(auth: { realm: string; users: Record<string, string> }, clock: Clock): (request: SipRequest) => AuthDecision {
  const server = new DigestServer({ realm: auth.realm, secret: randomBytes(32), clock });
  return (request) => {
    const verdict = server.verifyRequest(request, 401, (user) => auth.users[user]);
    if (verdict.ok) return 'ok';
    return { challenge: 401, header: server.challengeHeader(401, verdict.reason === 'stale') };
  };
}
