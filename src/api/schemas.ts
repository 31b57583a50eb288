// Schemas shared by several routes (the error body), so the OpenAPI document describes them once.

import { Type } from 'typebox';

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable error code, documented in docs/errors.md.' }),
    message: Type.String(),
    problems: Type.Optional(Type.Array(Type.Unknown(), { description: 'For RF_SCENARIO_INVALID: every problem with its line and column.' })),
  },
  { $id: 'Error', description: 'An error.' },
);

export const ErrorRef = Type.Unsafe<{ code: string; message: string }>({ $ref: 'Error#' });

/** The common error answers of an authenticated route. */
export function errors(...statuses: number[]): Record<number, typeof ErrorRef> {
  return Object.fromEntries([401, 429, ...statuses].map((s) => [s, ErrorRef]));
}
