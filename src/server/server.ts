// `ringflow serve`: the store, the network (SIP or simulated), the engine, the services and the HTTP API,
// assembled once; and a graceful stop (SIGTERM): no new calls, running ones finish, state written.

import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.ts';
import { RingflowError } from '../errors.ts';
import type { ApiDeps } from '../api/deps.ts';
import { Deliverer } from '../delivery/deliverer.ts';
import { createHttpClient } from '../http/client.ts';
import { parseAllowList } from '../http/guard.ts';
import { createEngine, type Engine } from '../runtime/engine.ts';
import { SimNetwork } from '../telephony/sim/index.ts';
import type { Call, Network } from '../telephony/port.ts';
import type { RtpSessionStats } from '../telephony/media/rtp/rtp-session-types.ts';
import { startSipTelephony, type SipTelephony } from './sip-telephony.ts';
import { withTestNumbers } from './test-numbers.ts';
import { SystemClock, type Clock } from '../time/clock.ts';
import { openStore } from '../store/sql/database.ts';
import { GroupCommit } from '../store/group-commit.ts';
import { cachedStore } from '../store/read-cache.ts';
import type { Store } from '../store/store.ts';
import { bootstrap } from './bootstrap.ts';
import type { ServerConfig } from './config-schema.ts';
import { EventBus } from './event-bus.ts';
import { createLogger, type Logger } from './logger.ts';
import { serverMetrics } from './server-metrics.ts';
import { OutboundCalls } from './outbound-calls.ts';
import { partyOf } from './parties.ts';
import { RunService } from './run-service.ts';
import { ScenarioCache } from './scenario-cache.ts';
import { newSid } from './sids.ts';

export interface RunningServer {
  /** http://host:port of the API. */
  readonly url: string;
  /** Of the Outbound Call Trigger API's own port, when configured. */
  readonly outboundUrl: string | undefined;
  readonly store: Store;
  readonly engine: Engine;
  readonly logger: Logger;
  /** The SIP port (telephony.mode sip), the actual one when 0 was configured. */
  readonly sipPort: number | undefined;
  /** Graceful stop: refuse new calls, let running ones end (canceled past `deadlineMs`), write everything, close. */
  close(deadlineMs?: number): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? createLogger(config.logging.level);
  const recordingsDir = join(config.dataDir, 'recordings');
  mkdirSync(recordingsDir, { recursive: true });
  // Hot reads (API keys, tenants, scenarios) are served from memory for a few seconds: read-cache.ts.
  const store = cachedStore(await openStore({ url: config.database, clock, onError: (e) => logger.error({ err: e }, 'database connection error') }), clock);
  const sim = config.telephony.simulation;
  const simNetwork = new SimNetwork({
    clock,
    recordingsDir,
    partyTimes: 'call',
    parties: Object.fromEntries(Object.entries(sim.parties).map(([number, p]) => [number, partyOf(p)])),
    defaultParty: sim.default ? partyOf(sim.default) : undefined,
    newSid: () => newSid('CA'),
  });
  // Inbound SIP calls go to the run service, which exists once the engine does.
  let onInbound: (call: Call) => void = (call) => void call.hangup('unavailable', 'system');
  let onMediaEnded: (stats: RtpSessionStats) => void = () => {};
  let sip: SipTelephony | undefined;
  if (config.telephony.mode === 'sip') {
    try {
      sip = await startSipTelephony(config, { clock, logger, dataDir: config.dataDir, recordingsDir, httpAllow: parseAllowList(config.http.allow.join(',')), newSid: () => newSid('CA'), onInbound: (call) => onInbound(call), onMediaEnded: (stats) => onMediaEnded(stats) });
    } catch (e) {
      await store.close();
      throw e;
    }
  } else {
    logger.warn('telephony is simulated: calls run on the built-in simulated network, not over SIP (telephony.mode: sip for real calls); see docs/operations.md');
  }
  const network: Network = sip ? withTestNumbers(sip.network, simNetwork, new Set(Object.keys(sim.parties))) : simNetwork;
  const http = createHttpClient({ clock, allow: parseAllowList(config.http.allow.join(',')) });
  const engine = await createEngine({
    clock,
    network,
    http,
    memcache: store.memcache,
    limits: { maxSteps: config.scenarios.maxSteps },
    defaultCallerId: config.telephony.callerId,
    env: config.scenarios.env,
    newSid,
    logError: (error, run) => logger.error({ err: error.cause ?? error, runSid: run.sid, tenant: run.tenant }, 'internal error in a run'),
  });
  const events = new EventBus();
  const metrics = serverMetrics(store, events, sip ? { activeSipCalls: () => sip.network.activeCalls } : {});
  onMediaEnded = metrics.mediaEnded;
  const scenarios = new ScenarioCache(engine);
  let accepting = true;
  // Stable across restarts of the same server (same host, same port), distinct for two on one host.
  const node = config.server.nodeId ?? `${hostname()}:${config.server.port}`;
  const writes = new GroupCommit(store);
  const runs = new RunService({ store, writes, engine, scenarios, clock, events, logger, recordingsDir, newSid, node, onRunEnded: metrics.runEnded, onEvent: metrics.timelineEvent });
  const deliverer = new Deliverer({
    store,
    http,
    clock,
    secretOf: async (tenantId) => (await store.tenants.get(tenantId))?.webhookSecret ?? '',
    retryForMs: config.delivery.retryForHours * 3600_000,
    firstRetryMs: config.delivery.firstRetrySeconds * 1000,
    maxRetryMs: config.delivery.maxRetrySeconds * 1000,
    timeoutMs: config.delivery.timeoutSeconds * 1000,
    log: (level, message, data) => logger[level](data, message),
    onAttempt: metrics.deliveryAttempt,
  });
  const outbound = new OutboundCalls({
    store, writes, runs, scenarios, network, clock, logger, newSid, node,
    defaultCountry: config.telephony.defaultCountry,
    ringTimeoutMs: config.telephony.ringTimeoutSeconds * 1000,
    batchIntervalMs: config.delivery.batchIntervalSeconds * 1000,
    wakeDeliverer: () => deliverer.wake(),
  });

  onInbound = (call) => {
    runs.startInbound(call).catch((err: unknown) => {
      logger.error({ err, callSid: call.sid }, 'could not start the run of an inbound call');
      void call.hangup('error', 'system').catch(() => {});
    });
  };

  const failedRuns = await runs.recover();
  const failedRequests = await outbound.recover();
  if (failedRuns.length || failedRequests) logger.warn({ runs: failedRuns.length, callRequests: failedRequests }, 'ended what a previous process left unfinished');
  await bootstrap(config, store, logger);
  deliverer.start();

  const deps: ApiDeps = {
    store, engine, clock, logger, metrics: metrics.registry, runs, outbound, events, recordingsDir,
    defaultCountry: config.telephony.defaultCountry,
    bodyLimitBytes: config.server.bodyLimitBytes,
    rateLimit: config.server.rateLimit,
    // Simulated inbound calls (ringflow call-in) work in both modes: they never touch SIP.
    simulator: {
      async callIn({ from, to, party }) {
        const call = simNetwork.inbound({ from, to, party });
        const run = await runs.startInbound(call);
        return { callSid: call.sid, runSid: run?.sid };
      },
    },
    accepting: () => accepting,
    countRequest: metrics.request,
  };
  const app = await buildApp(deps);
  let outboundApp: FastifyInstance | undefined;
  let url: string;
  let outboundUrl: string | undefined;
  try {
    url = await listen(app, config.server.host, config.server.port);
    if (config.server.outboundPort !== undefined) {
      outboundApp = await buildApp(deps, { outboundOnly: true });
      outboundUrl = await listen(outboundApp, config.server.host, config.server.outboundPort);
    }
  } catch (e) {
    await Promise.all([app.close(), outboundApp?.close()]);
    await deliverer.stop();
    await engine.close();
    await sip?.close();
    await store.close();
    metrics.stop();
    throw e;
  }
  logger.info({ url, outboundUrl, database: store.engine, sip: sip ? `${sip.advertisedAddress}:${sip.port}` : 'simulated' }, 'Ringflow is listening');

  let closing: Promise<void> | undefined;
  return {
    url, outboundUrl, store, engine, logger, sipPort: sip?.port,
    close(deadlineMs = 10_000) {
      closing ??= (async () => {
        accepting = false;
        // Stop taking requests (open event streams are cut), let calls finish, then write and close.
        await Promise.all([app.close(), outboundApp?.close()]);
        await outbound.drain();
        await runs.drain(deadlineMs);
        await deliverer.stop();
        await engine.close();
        await sip?.close();
        await store.close();
        metrics.stop();
        logger.info('Ringflow stopped');
      })();
      return closing;
    },
  };
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    await app.listen({ host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new RingflowError('RF_LISTEN', { host, port, detail: code === 'EADDRINUSE' ? 'the port is in use (another Ringflow?)' : code === 'EACCES' ? 'not allowed to use this port' : 'no such address on this machine' });
    throw e;
  }
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
}
