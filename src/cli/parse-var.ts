// `--var '$x=V'`: a run variable given on the command line.

import { RingflowError } from '../errors.ts';
import { VARIABLE_NAME } from '../scenario/names.ts';

/** `--var '$x=V'`: V is read as JSON when it is valid JSON (numbers, true, objects), else as text. */
export function parseVar(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  const name = eq < 0 ? '' : text.slice(0, eq).trim();
  const normalized = name.startsWith('$') ? name : `$${name}`;
  if (!VARIABLE_NAME.test(normalized)) throw new RingflowError('RF_CLI_USAGE', { detail: `--var ${text}: expected $name=value, e.g. --var '$userId=42'` });
  const raw = text.slice(eq + 1);
  try {
    return [normalized, JSON.parse(raw)];
  } catch {
    return [normalized, raw];
  }
}
