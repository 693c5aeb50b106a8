/**
 * Search over my chats against a real server and PostgreSQL: a word (or its start) finds the
 * message, subject or person; other people's chats, tombstones and ephemeral chats' messages are
 * never found; a Bcc member is found only by the owner; the message index is the one used.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import type { ErrorBody, MessageView, SearchResults, SessionView } from '../../protocol/index.ts';
import { api, signInAll, startTestServer, type TestServer } from '../support/server.ts';

describe('search over my chats', function () {
  this.timeout(60_000);
  let server: TestServer;
  let ann: SessionView, bob: SessionView, cat: SessionView, dan: SessionView;
  let budget = '';
  let other = '';
  let ephemeral = '';
  let giraffeSeq = 0;

  const search = (token: string, q: string) =>
    api<SearchResults>(server, 'GET', `/api/search?q=${encodeURIComponent(q)}`, undefined, token);
  const chat = async (token: string, body: object) => {
    const r = await api<{ id: string }>(server, 'POST', '/api/chats', body, token);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const open = async (token: string, chatId: string) =>
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, {}, token)).status, 200);
  const say = async (token: string, chatId: string, body: string) => {
    const r = await api<MessageView>(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: crypto.randomUUID(), body }, token);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.seq;
  };

  before(async () => {
    server = await startTestServer();
    [ann, bob, cat, dan] = await signInAll(server, ['ann@example.com', 'bob@example.org', 'cat.hidden@example.net', 'dan@example.com']);
    budget = await chat(ann.token, { subject: 'Quarterly budget', audience: { to: ['bob@example.org'], bcc: ['cat.hidden@example.net'] } });
    await open(bob.token, budget);
    await open(cat.token, budget);
    await say(bob.token, budget, 'Morning all');
    giraffeSeq = await say(ann.token, budget, 'The  Giraffe\nmeeting moved to noon, bring the numbers');
    const secret = await say(bob.token, budget, 'the platypus password is 1234');
    assert.equal((await api(server, 'DELETE', `/api/chats/${budget}/messages/${secret}`, undefined, bob.token)).status, 200);
    // Someone else's chat that says the same word.
    other = await chat(dan.token, { subject: 'Giraffe watching', audience: { to: ['bob@example.org'] } });
    await open(bob.token, other);
    await say(dan.token, other, 'giraffe sighting at the zoo');
    // An ephemeral chat: its subject is a chat's metadata, its messages are never in PostgreSQL.
    ephemeral = await chat(ann.token, { subject: 'Off the record', retention: 'EPHEMERAL', audience: { to: ['bob@example.org'] } });
    await open(bob.token, ephemeral);
    await say(ann.token, ephemeral, 'giraffe platypus wombat');
  });
  after(async () => server?.close());

  it('finds a message by a word and by the start of a word, with the match ranges in the excerpt', async () => {
    for (const q of ['giraffe', 'GIRAF', 'meeting giraffe']) {
      const r = await search(ann.token, q);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const messages = r.body.hits.filter((h) => h.field === 'message');
      assert.equal(messages.length, 1, `${q}: ${JSON.stringify(r.body.hits)}`);
      const hit = messages[0]!;
      assert.equal(hit.chatId, budget);
      assert.equal(hit.seq, giraffeSeq);
      assert.equal(hit.subject, 'Quarterly budget');
      // Whitespace is collapsed in the excerpt and the ranges point into it.
      assert.equal(hit.text, 'The Giraffe meeting moved to noon, bring the numbers');
      assert.ok(hit.ranges.some((g) => hit.text.slice(g.start, g.end) === 'Giraffe'));
    }
    const none = await search(ann.token, 'iraffe');
    assert.deepEqual(
      none.body.hits.filter((h) => h.field === 'message'),
      [],
      'only the start of a word matches',
    );
  });

  it("never finds other people's chats", async () => {
    const r = await search(ann.token, 'giraffe');
    assert.ok(!r.body.hits.some((h) => h.chatId === other), JSON.stringify(r.body.hits));
    // Bob is in both and finds both: the subject and both messages.
    const b = await search(bob.token, 'giraffe');
    assert.deepEqual(b.body.hits.map((h) => `${h.field}:${h.chatId === other ? 'other' : 'budget'}`).sort(), [
      'message:budget',
      'message:other',
      'subject:other',
    ]);
    const dans = await search(dan.token, 'numbers');
    assert.deepEqual(dans.body.hits, []);
  });

  it('never finds a deleted message', async () => {
    for (const q of ['platypus', 'password 1234']) {
      const r = await search(bob.token, q);
      assert.deepEqual(r.body.hits, [], q);
    }
  });

  it("never finds an ephemeral chat's messages, though its subject is found", async () => {
    const r = await search(ann.token, 'wombat');
    assert.deepEqual(r.body.hits, []);
    const s = await search(bob.token, 'record');
    assert.deepEqual(
      s.body.hits.map((h) => [h.field, h.chatId, h.text.slice(h.ranges[0]!.start, h.ranges[0]!.end)]),
      [['subject', ephemeral, 'record']],
    );
  });

  it('finds people by their address, and a Bcc member only for the owner', async () => {
    const owner = await search(ann.token, 'hidden');
    assert.deepEqual(
      owner.body.hits.map((h) => [h.field, h.chatId, h.text]),
      [['person', budget, 'cat.hidden@example.net']],
    );
    assert.equal(owner.body.hits[0]!.text.slice(owner.body.hits[0]!.ranges[0]!.start, owner.body.hits[0]!.ranges[0]!.end), 'hidden');
    for (const q of ['hidden', 'cat', 'example.net']) {
      const r = await search(bob.token, q);
      assert.deepEqual(r.body.hits, [], `${q} must not reveal the Bcc member to Bob`);
    }
    const anns = await search(bob.token, 'ann');
    assert.deepEqual(anns.body.hits.map((h) => `${h.field}:${h.chatId}`).sort(), [`person:${budget}`, `person:${ephemeral}`].sort());
  });

  it('finds people by their display name, only where their member list shows it: a Bcc member to the owner, nobody to a stranger', async () => {
    const name = async (token: string, displayName: string) =>
      assert.equal((await api(server, 'PUT', '/api/me/display-name', { displayName }, token)).status, 200);
    await name(bob.token, 'Roberto Quintana');
    await name(cat.token, 'Catalina Ostrowska');
    const [eve] = await signInAll(server, ['eve@example.com']);
    try {
      const anns = await search(ann.token, 'quint');
      assert.deepEqual(
        anns.body.hits.map((h) => [h.field, h.chatId, h.text]).sort(),
        [
          ['person', budget, 'Roberto Quintana (bob@example.org)'],
          ['person', ephemeral, 'Roberto Quintana (bob@example.org)'],
        ].sort(),
      );
      const hit = anns.body.hits[0]!;
      assert.deepEqual(
        hit.ranges.map((r) => hit.text.slice(r.start, r.end)),
        ['Quintana'],
      );
      // Name and address words together narrow to the same person.
      assert.equal((await search(ann.token, 'roberto example')).body.hits.length, 2);
      assert.deepEqual(
        (await search(dan.token, 'roberto')).body.hits.map((h) => h.chatId),
        [other],
      );
      assert.deepEqual(
        (await search(ann.token, 'ostrowska')).body.hits.map((h) => h.text),
        ['Catalina Ostrowska (cat.hidden@example.net)'],
      );
      assert.deepEqual((await search(bob.token, 'ostrowska')).body.hits, [], "the Bcc member's name is not revealed to Bob");
      assert.deepEqual((await search(eve!.token, 'roberto')).body.hits, [], 'a stranger finds no name');
    } finally {
      await name(bob.token, '');
      await name(cat.token, '');
    }
  });

  it('finds an edited message by its new text only (earlier texts are the audit trail, not search)', async () => {
    const seq = await say(bob.token, budget, 'Meet at the aardvark statue');
    const edited = await api(server, 'PATCH', `/api/chats/${budget}/messages/${seq}`, { body: 'Meet at the okapi statue' }, bob.token);
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual((await search(ann.token, 'aardvark')).body.hits, []);
    const now = await search(ann.token, 'okapi');
    assert.deepEqual(
      now.body.hits.map((h) => [h.field, h.seq, h.text]),
      [['message', seq, 'Meet at the okapi statue']],
    );
  });

  it('refuses an empty or wordless query at the boundary', async () => {
    for (const q of ['', '   ', '!!! ***']) {
      const r = await api<ErrorBody>(server, 'GET', `/api/search?q=${encodeURIComponent(q)}`, undefined, ann.token);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error.code, 'BAD_INPUT');
    }
    assert.equal((await search(ann.token, 'x'.repeat(201))).status, 400);
    assert.equal((await api(server, 'GET', '/api/search?q=giraffe')).status, 401);
  });

  it('answers message searches from the GIN index', async () => {
    const pool = new pg.Pool({ connectionString: server.database.url, max: 1 });
    try {
      const client = await pool.connect();
      try {
        // A handful of rows would always be scanned; forbid that to see that the index fits the query.
        await client.query('SET enable_seqscan = off');
        const plan = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT seq FROM message WHERE kind IN ('TEXT', 'QUOTE') AND deleted_at IS NULL
             AND to_tsvector('simple', body) @@ to_tsquery('simple', $1)`,
          ["'giraffe':*"],
        );
        assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /message_body_search/);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });
});
