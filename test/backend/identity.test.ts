import assert from 'node:assert/strict';
import { api, codeFromMail, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';

describe('identity: proving an address', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ CODE_MAX_ATTEMPTS: '3', CODES_PER_ADDRESS_PER_HOUR: '3' });
  });
  after(async () => server.close());

  it('signs in with the 6-digit code from the email; the address is normalised', async () => {
    const session = await signIn(server, 'Alice.Smith@Example.COM');
    assert.deepEqual(session.identity.addresses, ['alice.smith@example.com']);
    assert.match(session.token, /^[A-Za-z0-9_-]{43}$/);
    const me = await api(server, 'GET', '/api/me', undefined, session.token);
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.addresses, ['alice.smith@example.com']);
  });

  it('the same address is the same identity on every device', async () => {
    const a = await signIn(server, 'same@example.com');
    const b = await signIn(server, 'SAME@example.com');
    assert.equal(a.identity.id, b.identity.id);
    assert.notEqual(a.token, b.token);
  });

  it('a wrong code says so and counts down; too many attempts locks the code', async () => {
    const before = lastMailId(server);
    const start = await api(server, 'POST', '/api/auth/start', { address: 'wrong@example.com' });
    const code = await codeFromMail(server, 'wrong@example.com', before);
    const bad = code === '000000' ? '111111' : '000000';
    const first = await api(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code: bad });
    assert.equal(first.status, 400);
    assert.equal(first.body.error.code, 'CODE_WRONG');
    assert.match(first.body.error.message, /2 tries left/);
    await api(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code: bad });
    const third = await api(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code: bad });
    assert.equal(third.body.error.code, 'TOO_MANY_ATTEMPTS');
    // Even the right code no longer works once the budget is spent.
    const right = await api(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code });
    assert.equal(right.status, 429);
  });

  it('a code works once', async () => {
    const before = lastMailId(server);
    const start = await api(server, 'POST', '/api/auth/start', { address: 'once@example.com' });
    const code = await codeFromMail(server, 'once@example.com', before);
    const ok = await api(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code });
    assert.equal(ok.status, 200);
    const again = await api(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code });
    assert.equal(again.body.error.code, 'CODE_EXPIRED');
  });

  it('the magic link in the email signs in once, then reports it was used', async () => {
    const before = lastMailId(server);
    await api(server, 'POST', '/api/auth/start', { address: 'link@example.com' });
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes('link@example.com'));
    const token = /#signin=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const ok = await api(server, 'POST', '/api/auth/link', { token });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.identity.addresses, ['link@example.com']);
    const again = await api(server, 'POST', '/api/auth/link', { token });
    assert.equal(again.status, 410);
    assert.equal(again.body.error.code, 'LINK_EXPIRED');
  });

  it('sending codes is rate-limited per address', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await api(server, 'POST', '/api/auth/start', { address: 'flood@example.com' });
      assert.equal(r.status, 202);
    }
    const r = await api(server, 'POST', '/api/auth/start', { address: 'flood@example.com' });
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, 'RATE_LIMITED');
  });

  it('logout revokes the session token', async () => {
    const s = await signIn(server, 'bye@example.com');
    assert.equal((await api(server, 'POST', '/api/auth/logout', undefined, s.token)).status, 204);
    const me = await api(server, 'GET', '/api/me', undefined, s.token);
    assert.equal(me.status, 401);
    assert.equal(me.body.error.code, 'UNAUTHENTICATED');
  });

  it('tokens are stored hashed, never in the clear', async () => {
    const s = await signIn(server, 'hashed@example.com');
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: server.database.url });
    await c.connect();
    const rows = await c.query('SELECT token_hash FROM session');
    await c.end();
    assert.ok(rows.rows.length > 0);
    assert.ok(rows.rows.every((r) => r.token_hash !== s.token && /^[0-9a-f]{64}$/.test(r.token_hash)));
  });
});

describe('identity: nobody can lock a person out of their own address', function () {
  let server: TestServer;
  before(async () => {
    // Client IPs come from X-Forwarded-For here, as behind the reverse proxy TRUST_PROXY is for.
    server = await startTestServer({ TRUST_PROXY: 'true', CODES_PER_ADDRESS_PER_HOUR: '3', CODES_PER_ADDRESS_CEILING: '6' });
  });
  after(async () => server.close());

  async function askCode(address: string, clientIp: string) {
    const res = await fetch(`${server.url}/api/auth/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp },
      body: JSON.stringify({ address }),
    });
    return { status: res.status, body: await res.json() };
  }

  it("an attacker spending the victim's code budget spends only their own: the victim still gets a code", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await askCode('victim@example.com', '203.0.113.7')).status, 202);
    const refused = await askCode('victim@example.com', '203.0.113.7');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'RATE_LIMITED');
    // The real person, from their own device.
    const before = lastMailId(server);
    const mine = await askCode('victim@example.com', '198.51.100.20');
    assert.equal(mine.status, 202);
    const code = await codeFromMail(server, 'victim@example.com', before);
    const ok = await api(server, 'POST', '/api/auth/verify', { verificationId: mine.body.verificationId, code });
    assert.equal(ok.status, 200);
  });

  it('many clients together hit a ceiling, and then the link in any of those emails still lets the owner in', async () => {
    // Four codes went out in the first test; two more from fresh clients reach the ceiling of six.
    const statuses = [];
    for (const ip of ['203.0.113.8', '203.0.113.9', '203.0.113.10']) statuses.push((await askCode('victim@example.com', ip)).status);
    assert.deepEqual(statuses, [202, 202, 429]);
    const owner = await askCode('victim@example.com', '198.51.100.20');
    assert.equal(owner.status, 429);
    assert.match(owner.body.error.message, /sign-in link/);
    // The mailbox holds the emails the flood caused; even the earliest of this window still works.
    const flood = server.catcher!.list().filter((m) => m.to.includes('victim@example.com'));
    const oldest = flood.at(-1)!;
    const token = /#signin=([A-Za-z0-9_-]+)/.exec(oldest.text)![1]!;
    const ok = await api(server, 'POST', '/api/auth/link', { token });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.identity.addresses, ['victim@example.com']);
  });
});
