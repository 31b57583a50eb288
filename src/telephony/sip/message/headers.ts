// Reading and changing the headers of a message. Names may be given in any case and in compact
// form (`v`, `Via`, `via` are the same); entries are stored under the full lower-case name.

import { canonicalName } from './header-names.ts';
import type { SipMessage } from './types.ts';

/** The first value of the header, or undefined when absent. */
export function header(msg: SipMessage, name: string): string | undefined {
  const key = canonicalName(name);
  for (const h of msg.headers) if (h.name === key) return h.value;
  return undefined;
}

/** Every value of the header, in order (one per entry: list headers are already split). */
export function headers(msg: SipMessage, name: string): string[] {
  const key = canonicalName(name);
  const values: string[] = [];
  for (const h of msg.headers) if (h.name === key) values.push(h.value);
  return values;
}

export function hasHeader(msg: SipMessage, name: string): boolean {
  return header(msg, name) !== undefined;
}

/** Replaces all entries of the header with one (or several) values, at the place of the first entry. */
export function setHeader(msg: SipMessage, name: string, value: string | readonly string[]): void {
  const key = canonicalName(name);
  const values = typeof value === 'string' ? [value] : value;
  const at = msg.headers.findIndex((h) => h.name === key);
  const entries = values.map((v) => ({ name: key, value: v }));
  if (at === -1) {
    msg.headers.push(...entries);
    return;
  }
  const rest = msg.headers.filter((h, i) => i < at || h.name !== key);
  rest.splice(at, 0, ...entries);
  msg.headers.splice(0, msg.headers.length, ...rest);
}

/** Adds one entry; `front` puts it before the other entries of the same header (a new top Via, a Route to prepend). */
export function addHeader(msg: SipMessage, name: string, value: string, front = false): void {
  const key = canonicalName(name);
  const entry = { name: key, value };
  if (front) {
    const at = msg.headers.findIndex((h) => h.name === key);
    if (at !== -1) {
      msg.headers.splice(at, 0, entry);
      return;
    }
  }
  msg.headers.push(entry);
}

/** Removes every entry of the header; returns how many there were. */
export function removeHeader(msg: SipMessage, name: string): number {
  const key = canonicalName(name);
  const kept = msg.headers.filter((h) => h.name !== key);
  const removed = msg.headers.length - kept.length;
  msg.headers.splice(0, msg.headers.length, ...kept);
  return removed;
}

/** Removes the first entry of the header (the top Via when a response goes up); returns its value. */
export function removeFirstHeader(msg: SipMessage, name: string): string | undefined {
  const key = canonicalName(name);
  const at = msg.headers.findIndex((h) => h.name === key);
  if (at === -1) return undefined;
  return msg.headers.splice(at, 1)[0].value;
}
