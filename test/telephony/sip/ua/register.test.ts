import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SystemClock } from '../../../../src/time/clock.ts';
import { DigestServer } from '../../../../src/telephony/sip/digest/server.ts';
import { buildResponse } from '../../../../src/telephony/sip/message/build.ts';
import { header } from '../../../../src/telephony/sip/message/headers.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/types.ts';
import type { TransportName } from '../../../../src/telephony/sip/transport/transport.ts';
import type { RegisterOutcome } from '../../../../src/telephony/sip/ua/registration.ts';
import { agent, once } from './helpers.ts';

for (const transport of ['UDP', 'TCP'] as TransportName[]) {
  test(`${transport}: REGISTER answers a 401, refreshes at 90 % of the granted expiry, unregisters on stop`, async (t) => {
    const digest = new DigestServer({ realm: 'registrar.test', secret: randomBytes(16), clock: new SystemClock() });
    const seen: { expires: string | undefined; cseq: string | undefined; authorized: boolean; at: number; callId: string | undefined }[] = [];
    const registrar = await agent({
      onRequest: (req: SipRequest, tx) => {
        if (req.method !== 'REGISTER') return false;
        const verdict = digest.verifyRequest(req, 401, (user) => (user === 'alice' ? 'pw' : undefined));
        seen.push({ expires: header(req, 'expires'), cseq: header(req, 'cseq'), authorized: verdict.ok, at: Date.now(), callId: header(req, 'call-id') });
        if (!verdict.ok) {
          tx.respond(buildResponse(req, 401, undefined, { headers: [digest.challengeHeader(401, verdict.reason === 'stale')] }));
          return true;
        }
        const granted = header(req, 'expires') === '0' ? 0 : 1; // a registrar may grant less than asked
        tx.respond(buildResponse(req, 200, undefined, { headers: [{ name: 'contact', value: `${header(req, 'contact')};expires=${granted}` }] }));
        return true;
      },
    });
    const alice = await agent();
    t.after(() => Promise.all([alice.close(), registrar.close()]));
    const port = registrar.transport.sentBy(transport).port;

    const ac = new AbortController();
    const registration = await alice.register({
      registrar: `sip:127.0.0.1:${port}${transport === 'TCP' ? ';transport=tcp' : ''}`,
      aor: 'sip:alice@registrar.test',
      credentials: { username: 'alice', password: 'pw' },
      expires: 60,
      signal: ac.signal,
    });
    assert.equal(registration.last?.ok, true);
    assert.equal(registration.last?.expires, 1);
    const refreshed = await once<RegisterOutcome>((fn) => registration.once('registered', fn));
    assert.equal(refreshed.ok, true);

    const unregistered = once<RegisterOutcome>((fn) => registration.once('unregistered', fn));
    ac.abort();
    assert.equal((await unregistered).status, 200);

    // First exchange: 401 then authorized; the refresh ~0.9 s later (challenged again: each refresh
    // starts without credentials); the same Call-ID throughout with rising CSeq; Expires: 0 last.
    const authorized = seen.filter((s) => s.authorized);
    assert.ok(authorized.length >= 3, JSON.stringify(seen));
    assert.equal(seen[0].authorized, false);
    const gap = authorized[1].at - authorized[0].at;
    assert.ok(gap >= 850 && gap < 1500, `refresh after ${gap} ms`);
    assert.equal(new Set(seen.map((s) => s.callId)).size, 1);
    const seqs = seen.map((s) => Number(s.cseq!.split(' ')[0]));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
    assert.equal(authorized.at(-1)!.expires, '0');
    assert.equal(authorized[0].expires, '60');
  });
}
