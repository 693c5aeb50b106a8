/**
 * Identity rules that live in one place each: checking an emailed 6-digit code (sign-in and
 * linking a further address answer alike) and "find or create the identity of a proven address"
 * (a code and a personal link proving the same new address at once yield one identity).
 */
import assert from 'node:assert/strict';
import { sql } from '../bridge/support.ts';
import { api, codeFromMail, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';

describe('identity: one rule each for codes and for the identity of an address', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ CODE_MAX_ATTEMPTS: '3' });
  });
  after(async () => {
    await server?.close();
  });

  const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

  it('an address-link code is checked exactly like a sign-in code: tries left, then locked even when right', async () => {
    const me = await signIn(server, 'hana@example.com');
    // Sign-in code: the reference answers.
    const before = lastMailId(server);
    const started = await api(server, 'POST', '/api/auth/start', { address: 'ivo@example.com' });
    const signInCode = await codeFromMail(server, 'ivo@example.com', before);
    const signInAnswers = [];
    for (let i = 0; i < 3; i++) {
      signInAnswers.push(
        (await api(server, 'POST', '/api/auth/verify', { verificationId: started.body.verificationId, code: wrong(signInCode) })).body
          .error,
      );
    }
    signInAnswers.push(
      (await api(server, 'POST', '/api/auth/verify', { verificationId: started.body.verificationId, code: signInCode })).body.error,
    );

    // Address-link code: the same sequence must answer the same.
    const mailBefore = lastMailId(server);
    const link = await api(server, 'POST', '/api/me/addresses', { address: 'hana.work@example.com' }, me.token);
    assert.equal(link.status, 202);
    const mail = await server.catcher!.waitFor((m) => m.id > mailBefore && m.to.includes('hana.work@example.com'));
    const linkCode = /\b(\d{6})\b/.exec(mail.subject)![1]!;
    const linkAnswers = [];
    for (let i = 0; i < 3; i++) {
      linkAnswers.push(
        (await api(server, 'POST', '/api/me/addresses/verify', { linkId: link.body.linkId, code: wrong(linkCode) }, me.token)).body.error,
      );
    }
    linkAnswers.push(
      (await api(server, 'POST', '/api/me/addresses/verify', { linkId: link.body.linkId, code: linkCode }, me.token)).body.error,
    );

    assert.deepEqual(
      signInAnswers.map((e) => [e.code, e.details?.attemptsLeft]),
      [
        ['CODE_WRONG', 2],
        ['CODE_WRONG', 1],
        ['TOO_MANY_ATTEMPTS', 0],
        ['TOO_MANY_ATTEMPTS', undefined],
      ],
    );
    assert.match(signInAnswers[0].message, /2 tries left/);
    assert.deepEqual(linkAnswers, signInAnswers, 'the same code rule answers both');
  });

  it('a used address-link code says it was used, as a used sign-in code does', async () => {
    const me = await signIn(server, 'jon@example.com');
    const mailBefore = lastMailId(server);
    const link = await api(server, 'POST', '/api/me/addresses', { address: 'jon.home@example.com' }, me.token);
    const mail = await server.catcher!.waitFor((m) => m.id > mailBefore && m.to.includes('jon.home@example.com'));
    const code = /\b(\d{6})\b/.exec(mail.subject)![1]!;
    assert.equal((await api(server, 'POST', '/api/me/addresses/verify', { linkId: link.body.linkId, code }, me.token)).status, 200);
    const again = await api(server, 'POST', '/api/me/addresses/verify', { linkId: link.body.linkId, code }, me.token);
    assert.equal(again.status, 410);
    assert.equal(again.body.error.code, 'CODE_EXPIRED');
    assert.match(again.body.error.message, /already used/);
  });

  it('a code and a personal link proving the same new address at once give one identity', async () => {
    const owner = await signIn(server, 'kai@example.com');
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Race', audience: { to: [] } }, owner.token);
    const newcomer = 'lea@example.com';
    const before = lastMailId(server);
    assert.equal((await api(server, 'POST', `/api/chats/${chat.body.id}/invitations`, { address: newcomer }, owner.token)).status, 201);
    const invitation = await server.catcher!.waitFor((m) => m.id > before && m.to.includes(newcomer) && /#link=/.test(m.text));
    const token = /#link=([0-9a-f]{40})/.exec(invitation.text)![1]!;
    const codeBefore = lastMailId(server);
    const started = await api(server, 'POST', '/api/auth/start', { address: newcomer });
    const code = await codeFromMail(server, newcomer, codeBefore);

    const [byCode, byLink] = await Promise.all([
      api(server, 'POST', '/api/auth/verify', { verificationId: started.body.verificationId, code }),
      api(server, 'POST', '/api/links/redeem', { token }),
    ]);
    assert.equal(byCode.status, 200, JSON.stringify(byCode.body));
    assert.equal(byLink.status, 200, JSON.stringify(byLink.body));
    assert.equal(byLink.body.session.identity.id, byCode.body.identity.id);
    const orphans = await sql<{ n: number }>(
      server,
      `SELECT count(*)::int AS n FROM identity i WHERE NOT EXISTS (SELECT 1 FROM email_address a WHERE a.identity_id = i.id)`,
    );
    assert.equal(orphans[0]?.n, 0, 'no identity is left without an address');
  });
});
