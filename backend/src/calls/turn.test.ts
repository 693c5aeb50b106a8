import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { iceServersFor } from './turn.ts';

describe('TURN credentials (REST API shared-secret scheme)', () => {
  const settings = {
    iceUrls: ['stun:turn.example.com:3478', 'turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:443?transport=tcp'],
    turnSecret: 'a-shared-secret-of-some-length',
    turnTtlSeconds: 600,
  };

  it('signs "<expiry>:<who>" with HMAC-SHA1 of the shared secret, expiring after the TTL', () => {
    const now = Date.UTC(2026, 10, 29, 6, 0, 0);
    const { iceServers, expiresAt } = iceServersFor(settings, 'call-1.member-a', now);
    assert.deepEqual(iceServers[0], { urls: ['stun:turn.example.com:3478'] });
    const turn = iceServers[1]!;
    assert.deepEqual(turn.urls, settings.iceUrls.slice(1));
    assert.equal(turn.username, `${now / 1000 + 600}:call-1.member-a`);
    // The relay recomputes exactly this from its copy of the secret.
    assert.equal(turn.credential, createHmac('sha1', settings.turnSecret).update(turn.username!).digest('base64'));
    assert.equal(expiresAt, new Date(now + 600_000).toISOString());
  });

  it('gives each member of a call a different password, and never the secret itself', () => {
    const a = iceServersFor(settings, 'call-1.a').iceServers[1]!;
    const b = iceServersFor(settings, 'call-1.b').iceServers[1]!;
    assert.notEqual(a.credential, b.credential);
    assert.ok(!JSON.stringify([a, b]).includes(settings.turnSecret));
  });

  it('hands out STUN only (and no expiry) without a TURN secret', () => {
    const r = iceServersFor({ iceUrls: ['stun:stun.example.com'], turnTtlSeconds: 600 }, 'x');
    assert.deepEqual(r, { iceServers: [{ urls: ['stun:stun.example.com'] }], expiresAt: null });
  });
});
