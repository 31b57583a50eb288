// /v2.0/events: a live stream (Server-Sent Events) of the tenant's calls and steps, for the console
// and for anyone who wants to watch a scenario run. One `data:` line of JSON per event.
// With `?run=`, only that run, starting with what it did so far (so a client that starts a run and
// then connects misses nothing); an unknown run is a 404.

import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { RingflowError } from '../../errors.ts';
import type { TimelineEvent } from '../../runtime/timeline.ts';
import type { LiveEvent } from '../../server/event-bus.ts';
import { callerOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

const HEARTBEAT_MS = 15_000;
/** A client that lets this much pile up unread is cut off rather than held in memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export function eventRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Open streams, ended when the server closes (they would otherwise keep it from closing).
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get('/v2.0/events', {
    schema: {
      tags: ['calls'], summary: 'Live events of calls and runs (text/event-stream)',
      description: 'Each event: `event: <type>` (run, branch, step, http, call, log, warning, error) and `data: {"run": sid, "event": {...timeline entry}}`. With `run`, the events of that run only, beginning with those it already had.',
      querystring: Type.Object({ run: Type.Optional(Type.String({ minLength: 1, description: 'Only this run.' })) }, { additionalProperties: false }),
      response: { 200: Type.Unsafe({ type: 'string', description: 'text/event-stream' }), ...errors(404) },
    },
  }, async (request, reply) => {
    const tenantId = callerOf(request).tenant.id;
    const only = (request.query as { run?: string }).run;
    // Subscribed first: what happens while the run's past is read is kept, and sent after it.
    let pending: LiveEvent[] | undefined = [];
    let send = (e: LiveEvent): void => {
      pending?.push(e);
    };
    const unsubscribe = deps.events.subscribe(tenantId, (e) => {
      if (only === undefined || e.runSid === only) send(e);
    });
    let past: readonly TimelineEvent[] = [];
    try {
      if (only !== undefined) {
        const live = deps.runs.liveTimeline(tenantId, only);
        if (live) {
          past = live.slice();
          pending = [];
        } else {
          const record = await deps.store.runs.get(tenantId, only);
          if (!record) throw new RingflowError('RF_API_NOT_FOUND', { what: 'run', id: only });
          const started = deps.runs.liveTimeline(tenantId, only);
          // Started meanwhile: its timeline so far holds every event received since.
          if (started) {
            past = started.slice();
            pending = [];
          } else {
            past = await deps.store.runs.timeline(only);
          }
        }
      }
    } catch (e) {
      unsubscribe();
      throw e;
    }

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': ringflow events\n\n');
    open.add(res);
    const write = (text: string) => {
      if (res.writableEnded) return;
      res.write(text);
      if (res.writableLength > MAX_BUFFERED_BYTES) res.end();
    };
    const frame = (runSid: string, event: unknown, type: string) => `event: ${type}\ndata: ${JSON.stringify({ run: runSid, event })}\n\n`;
    for (const event of past) write(frame(only!, event, event.type));
    for (const e of pending ?? []) write(frame(e.runSid, e.data, e.type));
    pending = undefined;
    send = (e) => {
      write(frame(e.runSid, e.data, e.type));
    };

    let heartbeat = deps.clock.setTimer(HEARTBEAT_MS, function beat() {
      write(': keep-alive\n\n');
      heartbeat = deps.clock.setTimer(HEARTBEAT_MS, beat);
    });
    // Once the client goes (or the server ends the stream), nothing of it is left behind; also
    // when the client left while the run's past was read.
    let left = false;
    const gone = () => {
      if (left) return;
      left = true;
      unsubscribe();
      heartbeat.cancel();
      open.delete(res);
    };
    res.on('error', () => res.destroy());
    res.once('close', gone);
    if (res.destroyed || res.socket === null || res.socket.destroyed) gone();
  });
}
