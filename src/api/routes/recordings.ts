// /v2.0/recordings/{sid}: the audio of a recording (WAV).

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { RingflowError } from '../../errors.ts';
import { callerOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

export function recordingRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v2.0/recordings/:sid', {
    schema: {
      tags: ['calls'], summary: 'Download a recording (audio/wav)',
      params: Type.Object({ sid: Type.String() }),
      response: { 200: Type.Unsafe({ type: 'string', format: 'binary', description: 'WAV audio, 8 kHz mono.' }), ...errors(404) },
    },
  }, async (request, reply) => {
    const { sid } = request.params as { sid: string };
    const record = await deps.store.recordings.get(callerOf(request).tenant.id, sid);
    const root = resolve(deps.recordingsDir);
    const path = record?.path ? resolve(root, record.path) : undefined;
    // A stored path never leaves the recordings folder, whatever it holds.
    const size = path && path.startsWith(root + sep) ? await stat(path).then((s) => s.size, () => undefined) : undefined;
    if (!path || size === undefined) throw new RingflowError('RF_API_NOT_FOUND', { what: 'recording', id: sid });
    return reply.type('audio/wav').header('content-length', size).header('content-disposition', `attachment; filename="${sid}.wav"`).send(createReadStream(path));
  });
}
