// Shared set-up for the simulator tests: a virtual clock, a network with predictable sids.

import { VirtualClock } from '../../../src/time/virtual-clock.ts';
import { SimNetwork, type SimNetworkOptions } from '../../../src/telephony/sim/sim-network.ts';

export const CALLER = '+33612345678';
export const RINGFLOW = '+33170000000';

export interface Sim {
  clock: VirtualClock;
  network: SimNetwork;
}

/** A network on an auto-advancing virtual clock, whose sids are CA1, CA2, … in creation order. */
export function createSim(options: Omit<SimNetworkOptions, 'clock'> = {}): Sim {
  const clock = new VirtualClock();
  let n = 0;
  const network = new SimNetwork({ clock, newSid: () => `CA${++n}`, ...options });
  return { clock, network };
}

/** An inbound call from CALLER, already answered. */
export async function answeredInbound(sim: Sim, party?: Parameters<SimNetwork['inbound']>[0]['party']) {
  const call = sim.network.inbound({ from: CALLER, to: RINGFLOW, ...(party && { party }) });
  await call.answer();
  return call;
}

export function never(): AbortSignal {
  return new AbortController().signal;
}
