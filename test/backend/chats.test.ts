import assert from 'node:assert/strict';
import pg from 'pg';
import { api, signInAll, startTestServer, type TestServer } from '../support/server.ts';
import type { AudienceView, ChatSummary, MemberView, MessageView, SessionView } from '../../protocol/index.ts';

describe('chats: audience, membership and access', function () {
  let server: TestServer;
  let alice: SessionView, bob: SessionView, carol: SessionView, dave: SessionView, eve: SessionView;
  before(async () => {
    server = await startTestServer();
    [alice, bob, carol, dave, eve] = await signInAll(server, [
      'alice@example.com',
      'bob@example.com',
      'carol@example.com',
      'dave@example.com',
      'eve@example.com',
    ]);
  });
  after(async () => server.close());

  const create = (token: string, body: object) => api(server, 'POST', '/api/chats', body, token);

  it('creates a chat from an email: audience normalised, owner is a member, Bcc hidden from others', async () => {
    const r = await create(alice.token, {
      subject: 'Quarterly plan',
      audience: { from: ['Alice <ALICE@example.com>'], to: ['Bob@Example.com'], cc: ['carol@example.com'], bcc: ['dave@example.com'] },
      emailMessageId: '<abc@example.com>',
    });
    assert.equal(r.status, 201);
    const chat = r.body;
    assert.equal(chat.subject, 'Quarterly plan');
    assert.equal(chat.isOwner, true);
    assert.equal(chat.emailMessageId, '<abc@example.com>');
    assert.deepEqual(
      chat.audience.map((a: AudienceView) => [a.address, a.role]),
      [
        ['alice@example.com', 'FROM'],
        ['bob@example.com', 'TO'],
        ['carol@example.com', 'CC'],
        ['dave@example.com', 'BCC'],
      ],
    );
    assert.deepEqual(
      chat.members.map((m: MemberView) => m.address),
      ['alice@example.com'],
    );

    const bobView = await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob.token);
    assert.equal(bobView.status, 200);
    assert.equal(bobView.body.isOwner, false);
    assert.ok(!bobView.body.audience.some((a: AudienceView) => a.address === 'dave@example.com'), 'Bcc never shown to others');

    const daveView = await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, dave.token);
    assert.equal(daveView.status, 200, 'a Bcc recipient can still join');
    assert.ok(daveView.body.audience.some((a: AudienceView) => a.address === 'dave@example.com' && a.role === 'BCC'));
    const bobAgain = await api(server, 'GET', `/api/chats/${chat.id}`, undefined, bob.token);
    assert.ok(!bobAgain.body.members.some((m: MemberView) => m.address === 'dave@example.com'), 'Bcc member hidden from others');
    const aliceView = await api(server, 'GET', `/api/chats/${chat.id}`, undefined, alice.token);
    assert.ok(
      aliceView.body.members.some((m: MemberView) => m.address === 'dave@example.com'),
      'owner sees the Bcc member',
    );
  });

  it('embedding twice in the same draft returns the same chat, also when raced', async () => {
    const body = { subject: 'Draft', audience: { to: ['bob@example.com'] }, draftKey: 'draft-123' };
    const results = await Promise.all([create(alice.token, body), create(alice.token, body), create(alice.token, body)]);
    const ids = new Set(results.map((r) => r.body.id));
    assert.equal(ids.size, 1);
    // A different owner's identical draft key is a different chat.
    const other = await create(bob.token, body);
    assert.ok(!ids.has(other.body.id));
  });

  it('someone outside the audience is refused, may request access, and is let in when the owner approves', async () => {
    const chat = (await create(alice.token, { subject: 'Private', audience: { to: ['bob@example.com'] } })).body;
    const refused = await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, eve.token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'NOT_IN_AUDIENCE');
    assert.equal(refused.body.error.details.canRequestAccess, true);
    assert.equal((await api(server, 'GET', `/api/chats/${chat.id}/messages`, undefined, eve.token)).status, 403);

    const req = await api(server, 'POST', `/api/chats/${chat.id}/access-requests`, { note: 'Bob forwarded it' }, eve.token);
    assert.equal(req.status, 201);
    assert.equal(req.body.status, 'PENDING');
    const ownerMail = await server.catcher!.waitFor((m) => m.to.includes('alice@example.com') && /Access request/.test(m.subject));
    assert.match(ownerMail.text, /eve@example\.com asks to join/);

    // Only the owner sees and decides requests.
    assert.equal((await api(server, 'GET', `/api/chats/${chat.id}/access-requests`, undefined, bob.token)).status, 403);
    const pending = await api(server, 'GET', `/api/chats/${chat.id}/access-requests`, undefined, alice.token);
    assert.equal(pending.body.requests.length, 1);
    const decided = await api(server, 'POST', `/api/chats/${chat.id}/access-requests/${req.body.id}`, { decision: 'APPROVE' }, alice.token);
    assert.equal(decided.body.status, 'APPROVED');
    await server.catcher!.waitFor((m) => m.to.includes('eve@example.com') && /Access approved/.test(m.subject));
    const mine = await api(server, 'GET', `/api/chats/${chat.id}/access-requests/mine`, undefined, eve.token);
    assert.equal(mine.body.request.status, 'APPROVED');
    const opened = await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, eve.token);
    assert.equal(opened.status, 200);
  });

  it('a declined requester is told and stays out', async () => {
    const chat = (await create(alice.token, { subject: 'Closed', audience: { to: ['bob@example.com'] } })).body;
    const req = await api(server, 'POST', `/api/chats/${chat.id}/access-requests`, {}, carol.token);
    await api(server, 'POST', `/api/chats/${chat.id}/access-requests/${req.body.id}`, { decision: 'DECLINE' }, alice.token);
    await server.catcher!.waitFor((m) => m.to.includes('carol@example.com') && /Access declined/.test(m.subject));
    const r = await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, carol.token);
    assert.equal(r.body.error.code, 'NOT_IN_AUDIENCE');
    assert.equal(r.body.error.details.requestStatus, 'DECLINED');
  });

  it('a member can add an address; the owner can replace the audience, which removes dropped members', async () => {
    const chat = (await create(alice.token, { subject: 'Team', audience: { to: ['bob@example.com', 'carol@example.com'] } })).body;
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob.token);
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, carol.token);
    const added = await api(server, 'POST', `/api/chats/${chat.id}/audience`, { address: 'Eve@Example.com' }, bob.token);
    assert.equal(added.status, 200);
    assert.ok(added.body.audience.some((a: AudienceView) => a.address === 'eve@example.com' && a.role === 'ADDED'));
    // Non-owners cannot rewrite the audience.
    assert.equal((await api(server, 'PUT', `/api/chats/${chat.id}/audience`, { audience: { to: [] } }, bob.token)).status, 403);
    const replaced = await api(server, 'PUT', `/api/chats/${chat.id}/audience`, { audience: { to: ['bob@example.com'] } }, alice.token);
    assert.equal(replaced.status, 200);
    const addresses = replaced.body.audience.map((a: AudienceView) => a.address).sort();
    assert.deepEqual(addresses, ['alice@example.com', 'bob@example.com', 'eve@example.com'], 'owner kept, added kept, carol dropped');
    const carolNow = await api(server, 'GET', `/api/chats/${chat.id}/messages`, undefined, carol.token);
    assert.equal(carolNow.status, 403, 'removed from the audience means no more access');
  });

  it('history shows joins and additions as system messages, in order', async () => {
    const chat = (await create(alice.token, { subject: 'Sys', audience: { to: ['bob@example.com'] } })).body;
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob.token);
    await api(server, 'POST', `/api/chats/${chat.id}/audience`, { address: 'carol@example.com' }, bob.token);
    const h = await api(server, 'GET', `/api/chats/${chat.id}/messages?after=0`, undefined, alice.token);
    assert.deepEqual(
      h.body.messages.map((m: MessageView) => [m.seq, m.kind, m.body]),
      [
        [1, 'SYSTEM', 'bob@example.com joined'],
        [2, 'SYSTEM', 'carol@example.com was added'],
      ],
    );
  });

  it('"Reply with IM": the quoted email is the first history entry and nobody is mailed', async () => {
    const mailBefore = server.catcher!.list().length;
    const r = await create(alice.token, {
      subject: 'Re: Offsite',
      audience: { from: ['alice@example.com'], to: ['bob@example.com'] },
      emailMessageId: '<offsite@example.com>',
      quote: { from: 'Bob <bob@example.com>', text: 'Shall we meet on Friday?\r\nBob' },
    });
    assert.equal(r.status, 201);
    const h = await api(server, 'GET', `/api/chats/${r.body.id}/messages?after=0`, undefined, alice.token);
    assert.deepEqual(
      h.body.messages.map((m: MessageView) => [m.seq, m.kind, m.authorAddress, m.body]),
      [[1, 'QUOTE', 'bob@example.com', 'Shall we meet on Friday?\nBob']],
    );
    assert.equal(server.catcher!.list().length, mailBefore);
  });

  it('my chats: newest activity first, with unread counts and members', async () => {
    const first = (await create(alice.token, { subject: 'First', audience: { to: ['bob@example.com'] } })).body;
    const second = (await create(alice.token, { subject: 'Second', audience: { to: ['bob@example.com'] } })).body;
    await api(server, 'POST', `/api/chats/${first.id}/open`, undefined, bob.token);
    await api(server, 'POST', `/api/chats/${second.id}/open`, undefined, bob.token);
    await api(server, 'POST', `/api/chats/${second.id}/messages`, { clientId: 'm1', body: 'hello second' }, alice.token);
    await api(server, 'POST', `/api/chats/${first.id}/messages`, { clientId: 'm1', body: 'hello first' }, alice.token);
    await api(server, 'POST', `/api/chats/${first.id}/messages`, { clientId: 'm2', body: 'again' }, alice.token);
    const list = (await api(server, 'GET', '/api/chats', undefined, bob.token)).body.chats;
    const mine = list.filter((c: ChatSummary) => c.id === first.id || c.id === second.id);
    assert.deepEqual(
      mine.map((c: ChatSummary) => c.subject),
      ['First', 'Second'],
    );
    assert.equal(mine[0].lastMessage.body, 'again');
    // Alice's two texts; Bob's own join notice does not count.
    assert.equal(mine[0].unread, 2);
    assert.deepEqual(mine[0].memberAddresses, ['alice@example.com', 'bob@example.com']);
    const read = await api(server, 'POST', `/api/chats/${first.id}/read`, { seq: 3 }, bob.token);
    assert.equal(read.body.lastReadSeq, 3);
    const after = (await api(server, 'GET', '/api/chats', undefined, bob.token)).body.chats.find((c: ChatSummary) => c.id === first.id);
    assert.equal(after.unread, 0);
    // The author's own messages never count as unread for them.
    const forAlice = (await api(server, 'GET', '/api/chats', undefined, alice.token)).body.chats.find(
      (c: ChatSummary) => c.id === first.id,
    );
    assert.equal(forAlice.unread, 0);
  });

  it('the owner can end a chat: it becomes read-only', async () => {
    const chat = (await create(alice.token, { subject: 'Ending', audience: { to: ['bob@example.com'] } })).body;
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob.token);
    assert.equal((await api(server, 'DELETE', `/api/chats/${chat.id}`, undefined, bob.token)).status, 403);
    const ended = await api(server, 'DELETE', `/api/chats/${chat.id}`, undefined, alice.token);
    assert.ok(ended.body.endedAt);
    const send = await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'x', body: 'late' }, bob.token);
    assert.equal(send.status, 409);
    assert.equal(send.body.error.code, 'CHAT_ENDED');
  });

  it('EPHEMERAL chats never write messages to the database and lose them when ended', async () => {
    const chat = (await create(alice.token, { subject: 'Off the record', retention: 'EPHEMERAL', audience: { to: ['bob@example.com'] } }))
      .body;
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob.token);
    const sent = await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'e1', body: 'secret words' }, bob.token);
    assert.equal(sent.status, 201);
    const again = await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'e1', body: 'secret words' }, bob.token);
    assert.equal(again.body.seq, sent.body.seq, 'idempotent in memory too');
    const h = await api(server, 'GET', `/api/chats/${chat.id}/messages?after=0`, undefined, alice.token);
    assert.deepEqual(
      h.body.messages.map((m: MessageView) => m.body),
      ['bob@example.com joined', 'secret words'],
    );
    const c = new pg.Client({ connectionString: server.database.url });
    await c.connect();
    const rows = await c.query('SELECT count(*)::int AS n FROM message WHERE chat_id = $1', [chat.id]);
    const anywhere = await c.query("SELECT count(*)::int AS n FROM message WHERE body LIKE '%secret words%'");
    await c.end();
    assert.equal(rows.rows[0].n, 0);
    assert.equal(anywhere.rows[0].n, 0);
    await api(server, 'DELETE', `/api/chats/${chat.id}`, undefined, alice.token);
    const gone = await api(server, 'GET', `/api/chats/${chat.id}/messages?after=0`, undefined, alice.token);
    assert.ok(!gone.body.messages.some((m: MessageView) => m.body === 'secret words'));
  });

  it('an audience over the size cap is refused with a clear error', async () => {
    const to = Array.from({ length: 201 }, (_, i) => `p${i}@example.com`);
    const r = await create(alice.token, { subject: 'Huge', audience: { to } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'BAD_INPUT');
  });
});
