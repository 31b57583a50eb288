// Test numbers in SIP mode: the numbers listed under telephony.simulation.parties are answered by
// the simulated network even when calls go out over SIP, as hosted platforms offer "magic" test
// numbers. A scenario can be tried end to end (dial, gather, the result POSTed) without a carrier.
// A simulated call cannot be bridged with a real one.

import type { Network } from '../telephony/port.ts';

export function withTestNumbers(real: Network, simulated: Network, numbers: ReadonlySet<string>): Network {
  if (numbers.size === 0) return real;
  return {
    originate: (request, signal) => (numbers.has(request.to) ? simulated : real).originate(request, signal),
  };
}
