// Request validation for the authenticated API. A query string or a path only carries text, so
// `?limit=10` is converted to the number the schema asks for; a JSON body carries real types, so
// it is taken as sent: `{"name": 5}` is a wrong type, named in the 400, not quietly made "5".

import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;

function ajv(coerceTypes: false | 'array'): Ajv {
  const instance = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, removeAdditional: false, strict: false });
  instance.addFormat('date-time', { type: 'string', validate: (text: string) => ISO_DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)) });
  // Described in the OpenAPI document only (a download's body), never validated.
  instance.addFormat('binary', true);
  return instance;
}

/** A validator compiler: exact types for bodies, converted text for the query, path and headers. */
export function requestValidator(): FastifySchemaCompiler<FastifySchema> {
  const exact = ajv(false);
  const fromText = ajv('array');
  return ({ schema, httpPart }): ValidateFunction => (httpPart === 'body' ? exact : fromText).compile(schema as object);
}
