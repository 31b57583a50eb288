// A short sanity check against a real third-party stack: our UAC calls a SIPp callee (with and
// without digest), gets 180/200, ACKs, and hangs up. The lead's interop suite covers more.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startSippUas, type SipTransport } from '../../../helpers/sipp.ts';
import { agent, sdp } from './helpers.ts';

const hasSipp = (() => {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return (e as { status?: number }).status !== undefined; // sipp -v exits non-zero but exists
  }
})();

for (const transport of ['udp', 'tcp'] as SipTransport[]) {
  for (const scenario of ['uas-answer', 'uas-auth']) {
    test(`SIPp ${scenario} over ${transport}: our INVITE is answered, ACKed and hung up`, { skip: !hasSipp && 'sipp is not installed' }, async (t) => {
      const sipp = await startSippUas({ scenario, transport, timeoutMs: 20_000 });
      const alice = await agent({ timers: { t1: 500 } });
      t.after(async () => {
        await alice.close();
        await sipp.stop();
      });
      const provisional: number[] = [];
      const result = await alice.invite({
        target: `sip:service@${sipp.target}${transport === 'tcp' ? ';transport=tcp' : ''}`,
        from: 'sip:ringflow@127.0.0.1',
        sdpOffer: sdp(7000),
        credentials: { username: 'ringflow', password: 'secret' },
        onProvisional: (res) => provisional.push(res.status),
      });
      assert.equal(result.status, 200, result.reason);
      assert.deepEqual(provisional, [180]);
      assert.match(result.sdpAnswer ?? '', /m=audio \d+ RTP\/AVP 0 101/);
      const bye = await result.dialog!.bye();
      assert.equal(bye!.status, 200);
      const done = await sipp.done;
      assert.equal(done.successful, 1, done.errors);
    });
  }
}
