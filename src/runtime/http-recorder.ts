// The HTTP client a step sees: at most N requests in flight per run, and every exchange written to
// the timeline (headers redacted, bodies capped) at the step's position.

import type { HttpClient, HttpRequest, HttpResponse } from '../http/exchange.ts';
import { redactHeaders } from '../http/redact.ts';
import type { Limiter } from './limiter.ts';
import type { Timeline } from './timeline.ts';

export function recordedHttp(client: HttpClient, limiter: Limiter, timeline: Timeline, branch: string, position: { line: number; col: number }): HttpClient {
  return {
    async send(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
      return limiter.run(async () => {
        const startedAt = timeline.now();
        let response: HttpResponse | undefined;
        try {
          response = await client.send(request, signal);
          return response;
        } finally {
          timeline.add({
            type: 'http',
            branch,
            line: position.line,
            col: position.col,
            request: {
              method: request.method.toUpperCase(),
              url: timeline.mask(request.url),
              headers: timeline.keep(redactHeaders(request.headers)) as Record<string, string>,
              body: request.body === undefined ? undefined : (timeline.keep(request.body) as string),
            },
            response: response && response.status > 0
              ? { status: response.status, statusText: response.statusText, headers: redactHeaders(response.headers), body: timeline.keep(response.body) as string }
              : undefined,
            error: response ? response.error : 'aborted',
            errorDetail: response?.errorDetail,
            redirects: response?.redirects.length ? response.redirects : undefined,
            durationMs: response?.duration ?? Math.round(timeline.now() - startedAt),
          }, startedAt);
        }
      }, signal);
    },
  };
}
