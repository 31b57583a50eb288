// Structured JSON logs (pino), with secrets redacted wherever they may appear.

import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie',
  'headers.authorization', 'headers["x-api-key"]', '*.apiKey', '*.secret', '*.webhookSecret', '*.AccessToken', 'AccessToken', 'apiKey', 'secret',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'ringflow' } }, destination);
}
