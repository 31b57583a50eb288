import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SystemClock } from '../../../../src/time/clock.ts';
import { DigestServer } from '../../../../src/telephony/sip/digest/server.ts';
import type { Dialog, IncomingReinvite } from '../../../../src/telephony/sip/dialog/dialog.ts';
import type { DtmfInfo } from '../../../../src/telephony/sip/dialog/dtmf-info.ts';
import type { IncomingCall } from '../../../../src/telephony/sip/ua/incoming-call.ts';
import type { TransportName } from '../../../../src/telephony/sip/transport/transport.ts';
import { agent, once, sdp, uriOf } from './helpers.ts';

for (const transport of ['UDP', 'TCP'] as TransportName[]) {
  test(`${transport}: INVITE, 180, 200, ACK, INFO DTMF, re-INVITE hold, BYE between two user agents`, async (t) => {
    const bobDialog = Promise.withResolvers<Dialog>();
    const bob = await agent({
      onInvite: (call) => {
        void call.ring();
        call.accept(sdp(6002)).then(bobDialog.resolve, bobDialog.reject);
      },
    });
    const alice = await agent();
    t.after(() => Promise.all([alice.close(), bob.close()]));

    const provisional: number[] = [];
    const result = await alice.invite({
      target: uriOf(bob, 'bob', transport),
      from: '"Alice" <sip:alice@127.0.0.1>',
      sdpOffer: sdp(6000),
      onProvisional: (res) => provisional.push(res.status),
    });
    assert.equal(result.status, 200);
    assert.deepEqual(provisional, [180]);
    assert.equal(result.sdpAnswer, sdp(6002));
    const aliceSide = result.dialog!;
    const bobSide = await bobDialog.promise; // resolves on the ACK
    assert.equal(bobSide.callId, aliceSide.callId);
    assert.equal(bobSide.remoteSdp, sdp(6000));

    // INFO with application/dtmf-relay surfaces as a digit.
    const digit = once<DtmfInfo>((fn) => bobSide.on('dtmf', fn));
    const infoRes = await aliceSide.info('Signal=5\r\nDuration=160\r\n', 'application/dtmf-relay');
    assert.equal(infoRes.status, 200);
    assert.deepEqual(await digit, { digit: '5', durationMs: 160 });
    const star = once<DtmfInfo>((fn) => bobSide.once('dtmf', fn));
    await aliceSide.info('*', 'application/dtmf');
    assert.equal((await star).digit, '*');

    // re-INVITE to hold: bob's owner sees the offer and answers recvonly.
    bobSide.on('reinvite', (r: IncomingReinvite) => {
      assert.match(r.offer!, /a=sendonly/);
      void r.accept(sdp(6002, 'recvonly'));
    });
    const hold = await aliceSide.reinvite(sdp(6000, 'sendonly'));
    assert.equal(hold.status, 200);
    assert.match(hold.sdpAnswer!, /a=recvonly/);
    assert.match(bobSide.remoteSdp!, /a=sendonly/);

    const bye = once<unknown>((fn) => bobSide.on('bye', fn));
    const byeRes = await aliceSide.bye();
    assert.equal(byeRes!.status, 200);
    await bye;
    assert.equal(bobSide.endReason, 'remote-bye');
    assert.equal(aliceSide.endReason, 'local-bye');

    // After the BYE, the dialog is gone for the peer: 481.
    const late = await bobSide.request('OPTIONS');
    assert.equal(late.status, 481);
  });

  test(`${transport}: CANCEL after 180 → 487 for the caller, 'canceled' for the callee`, async (t) => {
    const canceled = Promise.withResolvers<void>();
    const bob = await agent({
      onInvite: (call) => {
        void call.ring();
        call.on('canceled', () => canceled.resolve());
      },
    });
    const alice = await agent();
    t.after(() => Promise.all([alice.close(), bob.close()]));
    const ac = new AbortController();
    const result = await alice.invite({
      target: uriOf(bob, 'bob', transport),
      from: 'sip:alice@127.0.0.1',
      sdpOffer: sdp(6000),
      signal: ac.signal,
      onProvisional: () => ac.abort(),
    });
    assert.equal(result.status, 487);
    assert.equal(result.canceled, true);
    await canceled.promise;
  });

  test(`${transport}: busy (486) and the callee's digest challenge`, async (t) => {
    const clock = new SystemClock();
    const digest = new DigestServer({ realm: 'ringflow.test', secret: randomBytes(16), clock });
    const bob = await agent({
      authenticate: (req) => {
        const verdict = digest.verifyRequest(req, 401, (user) => (user === 'alice' ? 's3cret' : undefined));
        return verdict.ok ? 'ok' : { challenge: 401, header: digest.challengeHeader(401, !verdict.ok && verdict.reason === 'stale') };
      },
      onInvite: (call: IncomingCall) => {
        if (call.to.uri.user === 'busy') call.reject(486);
        else void call.accept(sdp(6002)).catch(() => {});
      },
    });
    const alice = await agent();
    t.after(() => Promise.all([alice.close({ bye: true }), bob.close()]));
    const target = (user: string) => uriOf(bob, user, transport);

    const noCreds = await alice.invite({ target: target('bob'), from: 'sip:alice@127.0.0.1', sdpOffer: sdp(6000) });
    assert.equal(noCreds.status, 401);
    const wrong = await alice.invite({
      target: target('bob'),
      from: 'sip:alice@127.0.0.1',
      sdpOffer: sdp(6000),
      credentials: { username: 'alice', password: 'nope' },
    });
    assert.equal(wrong.status, 401, 'one retry per challenge, then the 401 is the answer');
    const busy = await alice.invite({
      target: target('busy'),
      from: 'sip:alice@127.0.0.1',
      sdpOffer: sdp(6000),
      credentials: { username: 'alice', password: 's3cret' },
    });
    assert.equal(busy.status, 486);
    const ok = await alice.invite({
      target: target('bob'),
      from: 'sip:alice@127.0.0.1',
      sdpOffer: sdp(6000),
      credentials: { username: 'alice', password: 's3cret' },
    });
    assert.equal(ok.status, 200);
    assert.equal((await ok.dialog!.bye())!.status, 200);
  });
}

test('no answer at all: timer B gives 408 with transportError', async (t) => {
  const alice = await agent();
  t.after(() => alice.close());
  // A UDP port nobody answers on (our own TCP-only… simply a closed port on loopback).
  const result = await alice.invite({ target: 'sip:nobody@127.0.0.1:9', from: 'sip:alice@127.0.0.1', sdpOffer: sdp(6000) });
  assert.ok(result.status === 408 || result.status === 503, `status ${result.status}`);
  assert.equal(result.transportError, true);
});

test('TCP: a refused connection is a transport error (503)', async (t) => {
  const alice = await agent();
  t.after(() => alice.close());
  const result = await alice.invite({ target: 'sip:nobody@127.0.0.1:9;transport=tcp', from: 'sip:alice@127.0.0.1', sdpOffer: sdp(6000) });
  assert.equal(result.status, 503);
  assert.equal(result.transportError, true);
});
