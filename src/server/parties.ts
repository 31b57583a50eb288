// Simulated parties from the server's configuration (same text syntax as the command line).

import { parseCallee, parsePress } from '../telephony/sim/party-spec.ts';
import type { PartyScript } from '../telephony/sim/index.ts';
import type { PartyConfig } from './config-schema.ts';

export function partyOf(config: PartyConfig): PartyScript {
  return {
    ...(config.answer === undefined ? {} : { behaviour: parseCallee(config.answer, 'answer:') }),
    ...(config.presses === undefined ? {} : { presses: config.presses.map((p) => parsePress(p, 'press')) }),
    ...(config.hangupAt === undefined ? {} : { hangupAtMs: Math.round(config.hangupAt * 1000) }),
    ...(config.speechSeconds === undefined ? {} : { speechMs: Math.round(config.speechSeconds * 1000) }),
  };
}
