// Reading values back the same way from both engines: JSON text, counts (pg gives text for int8
// unless told otherwise), booleans stored as 0/1, and the unique-violation errors of both drivers.

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function fromJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toCount(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

export function toFlag(value: boolean): number {
  return value ? 1 : 0;
}

export function fromFlag(value: unknown): boolean {
  return value === true || Number(value) === 1;
}

/** Splits `items` so a multi-row statement stays under the engines' bound-parameter limits. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A UNIQUE or PRIMARY KEY violation (PostgreSQL 23505; SQLite extended codes 2067 and 1555). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; errcode?: unknown };
  return e.code === '23505' || e.errcode === 2067 || e.errcode === 1555;
}
