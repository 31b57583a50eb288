// SIPp echoes every call's RTP through ONE socket (-rtp_echo on -mp), read by one thread. At 500
// calls that is 25,000 packets a second into a socket whose receive buffer (net.core.rmem_default,
// 208 KiB here) holds ~8 ms of them: whenever the echo thread waits for a core longer than that,
// the kernel drops packets (RcvbufErrors) and the benchmark counts them as Ringflow's loss. The
// held-calls benchmark therefore raises the default buffer for its run (root only; restored after)
// and says so. Ringflow's own sockets carry 50 packets a second each: the default holds seconds.

import { readFileSync, writeFileSync } from 'node:fs';

const RMEM_DEFAULT = '/proc/sys/net/core/rmem_default';

/** Sets the default UDP receive buffer to `bytes`; returns how to undo it, or null when not allowed. */
export function raiseDefaultReceiveBuffer(bytes: number): { before: number; restore(): void } | null {
  try {
    const before = Number(readFileSync(RMEM_DEFAULT, 'utf8').trim());
    if (before >= bytes) return { before, restore: () => {} };
    writeFileSync(RMEM_DEFAULT, String(bytes));
    return { before, restore: () => writeFileSync(RMEM_DEFAULT, String(before)) };
  } catch {
    return null;
  }
}

/** The kernel's count of UDP datagrams dropped because a socket's receive buffer was full. */
export function udpReceiveBufferErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
  const at = names?.indexOf('RcvbufErrors') ?? -1;
  return at < 0 || !values ? NaN : Number(values[at]);
}
