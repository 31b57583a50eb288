// Every error the API returns is `{code, message}` with a proper status; validation errors name each
// field at fault. Nothing escapes as an HTML page or a stack trace.

import type { FastifyError, FastifyInstance } from 'fastify';
import { formatMessage, isRingflowError, type ErrorCode } from '../errors.ts';

function body(code: ErrorCode, params: Record<string, unknown>): { code: ErrorCode; message: string } {
  return { code, message: formatMessage(code, params) };
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isRingflowError(error)) {
      const extra = error.params.problems && Array.isArray(error.params.problems) ? { problems: error.params.problems } : {};
      if (error.code === 'RF_SHUTTING_DOWN' || error.code === 'RF_API_RATE_LIMITED') reply.header('retry-after', String(error.params.retryAfter ?? 1));
      return reply.status(error.status).send({ code: error.code, message: error.message, ...extra });
    }
    if (error.validation) {
      const where = error.validationContext ?? 'body';
      const details = error.validation.map((v) => {
        const path = v.instancePath.split('/').filter(Boolean).join('.');
        const field = v.keyword === 'required' ? [path, String((v.params as { missingProperty?: string }).missingProperty)].filter(Boolean).join('.') : path;
        const what = v.keyword === 'required' ? 'is required' : v.keyword === 'additionalProperties' ? `has an unknown field "${String((v.params as { additionalProperty?: string }).additionalProperty)}"` : v.message ?? 'is invalid';
        return `${where}${field ? `.${field}` : ''} ${what}`;
      });
      return reply.status(400).send(body('RF_API_INVALID', { detail: [...new Set(details)].join('; ') }));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.status(400).send(body('RF_API_MALFORMED_JSON', { detail: error.message }));
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send(body('RF_API_BODY_TOO_LARGE', { limit: bodyLimit }));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send(body('RF_API_MEDIA_TYPE', { type: request.headers['content-type'] ?? 'nothing' }));
    }
    if (error instanceof SyntaxError) return reply.status(400).send(body('RF_API_MALFORMED_JSON', { detail: error.message }));
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(status === 500 ? body('RF_INTERNAL', { detail: 'the details are in the server log' }) : body('RF_API_INVALID', { detail: error.message }));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body('RF_API_NOT_FOUND', { what: 'route', id: `${request.method} ${request.url.split('?')[0]}` })),
  );
}
