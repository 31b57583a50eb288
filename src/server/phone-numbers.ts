// Phone numbers as people write them, made E.164 with libphonenumber's full metadata (which knows
// which numbers exist, not only their length).

import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { LruMap } from '../lru-map.ts';

export type NumberCheck = { valid: true; e164: string; country: string | undefined } | { valid: false; reason: string };

/**
 * `strict`: the number must exist in its country's numbering plan (a destination to dial). Not
 * strict: it only has to have a possible length (numbers routed to a scenario, test numbers such
 * as +1 555 0100 included).
 */
export function checkNumber(text: string, defaultCountry: string, strict = true): NumberCheck {
  const parsed = parsePhoneNumberFromString(text.trim(), defaultCountry as CountryCode);
  if (!parsed) return { valid: false, reason: `"${text}" is not a phone number` };
  if (!(strict ? parsed.isValid() : parsed.isPossible())) return { valid: false, reason: `${parsed.number} is not a valid number${parsed.country ? ` in ${parsed.country}` : ''}` };
  return { valid: true, e164: parsed.number, country: parsed.country };
}

/**
 * The route of calls to numbers no scenario is assigned to (bootstrap `numbers: ["*"]`): what lets a
 * newcomer call the demo server from a softphone without knowing which number to dial.
 */
export const ANY_NUMBER = '*';

/**
 * checkNumber with a bounded cache: parsing with libphonenumber's full metadata costs ~75 µs, and a
 * SIP server sees the same numbers again and again (its own numbers on every inbound call, the
 * regulars among callers). One per server, so nothing is shared between two in one process.
 */
export class NumberChecker {
  readonly #defaultCountry: string;
  readonly #cache: LruMap<NumberCheck>;

  constructor(defaultCountry: string, maxEntries = 10_000) {
    this.#defaultCountry = defaultCountry;
    this.#cache = new LruMap(maxEntries);
  }

  check(text: string, strict = true): NumberCheck {
    const key = `${strict ? 's' : 'p'}${text}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const result = checkNumber(text, this.#defaultCountry, strict);
    this.#cache.set(key, result);
    return result;
  }
}
