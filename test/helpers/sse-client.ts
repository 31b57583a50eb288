// A small Server-Sent Events client for tests: connects with node:http (so the test can cut the
// connection), parses `event:`/`data:`/`id:` blocks, and lets the test wait for the events it expects.

import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  data: any;
  id: string | undefined;
}

export interface SseStream {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly events: SseEvent[];
  /** Resolves once `done` holds for the events received so far (rejects after `timeoutMs`). */
  until(done: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  /** The body when the server answered with an error instead of a stream. */
  text(): Promise<string>;
  close(): void;
}

export function openEvents(url: string, headers: Record<string, string>): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const waiters = new Set<() => void>();
    let buffer = '';
    let raw = '';
    let ended = false;
    const endWaiters = new Set<() => void>();
    const req: ClientRequest = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            const name = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            fields[name] = fields[name] === undefined ? value : `${fields[name]}\n${value}`;
          }
          if (fields.data === undefined) continue;
          events.push({ event: fields.event ?? 'message', data: JSON.parse(fields.data), id: fields.id });
        }
        for (const w of [...waiters]) w();
      });
      const finish = () => {
        ended = true;
        for (const w of [...waiters]) w();
        for (const w of [...endWaiters]) w();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        until(done, timeoutMs = 10_000) {
          return new Promise((ok, fail) => {
            const check = () => {
              if (done(events)) {
                cleanup();
                ok(events);
              } else if (ended) {
                cleanup();
                fail(new Error(`the stream ended; events: ${JSON.stringify(events.map((e) => e.event))}`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`not received within ${timeoutMs} ms; events: ${JSON.stringify(events.map((e) => [e.event, e.data?.event?.event ?? e.data?.event?.step]))}`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        text() {
          return ended ? Promise.resolve(raw) : new Promise((ok) => endWaiters.add(() => ok(raw)));
        },
        close() {
          req.destroy();
        },
      });
    });
    req.on('error', (e) => {
      if (!ended) reject(e);
    });
    req.end();
  });
}
