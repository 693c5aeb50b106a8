import assert from 'node:assert/strict';
import pg from 'pg';
import { api, connectSocket, request, signInAll, startTestServer, type TestServer } from '../support/server.ts';
import { appendAfterLocking, appendInOneStatement, MessageWriter } from '../../backend/src/chats/message-writer.ts';
import type { NewMessage } from '../../backend/src/chats/message-log.ts';
import { stripControlCharacters, type MessageView, type SessionView } from '../../protocol/index.ts';
import { waitUntil } from '../support/wait.ts';

/** A batch item as the writer queues it, recording how it settled. */
function item(msg: NewMessage) {
  const out: { view?: MessageView; error?: unknown } = {};
  return { out, pending: { msg, resolve: (v: MessageView) => (out.view = v), reject: (e: unknown) => (out.error = e) } };
}

describe('isolation: one bad message cannot fail anyone else', function () {
  this.timeout(60_000);
  let server: TestServer;
  let alice: SessionView, bob: SessionView, mallory: SessionView;
  let chatId: string, malloryChat: string;

  before(async () => {
    // One commit lane, so every chat's sends share the same group-commit batches.
    server = await startTestServer({ DB_POOL_SIZE: '2' });
    [alice, bob, mallory] = await signInAll(server, ['alice@example.com', 'bob@example.com', 'mallory@example.com']);
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'ours', audience: { to: ['bob@example.com'] } }, alice.token)).body.id;
    await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, bob.token);
    malloryChat = (await api(server, 'POST', '/api/chats', { subject: 'theirs' }, mallory.token)).body.id;
  });
  after(async () => server.close());

  it('control characters are refused with 400 BAD_INPUT in every text field, REST and socket', async () => {
    const nul = 'a\u0000b';
    const send = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'nul1', body: nul }, alice.token);
    assert.equal(send.status, 400, JSON.stringify(send.body));
    assert.equal(send.body.error.code, 'BAD_INPUT');
    assert.match(send.body.error.message, /The message: control characters/);
    for (const bad of ['\u0001', '\u001b[31m', '\u007f', '\u0085']) {
      const r = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'ctl', body: `x${bad}` }, alice.token);
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
    const lone = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'lone', body: 'half \ud83d pair' }, alice.token);
    assert.equal(lone.status, 400);
    assert.match(lone.body.error.message, /lone surrogate/);
    const emoji = await api(
      server,
      'POST',
      `/api/chats/${chatId}/messages`,
      { clientId: 'emoji', body: 'whole \ud83d\ude00 pair' },
      alice.token,
    );
    assert.equal(emoji.status, 201);
    const subject = await api(server, 'POST', '/api/chats', { subject: 'hi\u0000' }, alice.token);
    assert.equal(subject.status, 400);
    assert.match(subject.body.error.message, /subject/);
    const quote = await api(server, 'POST', '/api/chats', { subject: 'q', quote: { from: 'a@example.com', text: 'x\u0000' } }, alice.token);
    assert.equal(quote.status, 400);
    assert.match(quote.body.error.message, /quote\.text/);
    const address = await api(server, 'POST', '/api/chats', { subject: 'a', audience: { to: ['b\u0000ob@example.com'] } }, alice.token);
    assert.equal(address.status, 400);
    const signIn = await api(server, 'POST', '/api/auth/start', { address: 'x\u0000@example.com' });
    assert.equal(signIn.status, 400);
    const note = await api(server, 'POST', `/api/chats/${malloryChat}/access-requests`, { note: 'let me in\u0000' }, alice.token);
    assert.equal(note.status, 400);
    assert.match(note.body.error.message, /note/);

    const s = await connectSocket(server.url, alice.token);
    try {
      const r = await request(s, 'message:send', { chatId, clientId: 'nul2', body: nul });
      assert.equal(r.ok, false);
      assert.equal(r.error.code, 'BAD_INPUT');
      // Tabs and line breaks are text, not control characters.
      const fine = await request(s, 'message:send', { chatId, clientId: 'tabs', body: 'a\tb\r\nc' });
      assert.equal(fine.ok, true, JSON.stringify(fine));
      assert.equal(fine.message.body, 'a\tb\nc');
    } finally {
      s.close();
    }
    assert.equal(stripControlCharacters('a\u0000b\tc\u001b\n\u009f'), 'ab\tc\n');
  });

  it("a message the database refuses fails alone: another chat's sends in the same batches all commit", async () => {
    // Mallory's NUL bytes are forced past the schema (straight into the domain), as a bug or a new
    // path would; Bob's real socket sends of an unrelated chat go into the same commit batches.
    const malloryCaller = await server.services.sessions.authenticate(mallory.token);
    const socket = await connectSocket(server.url, bob.token);
    try {
      assert.equal((await request(socket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
      const bad: Promise<unknown>[] = [];
      const good: Promise<{ ok: boolean; message?: MessageView; error?: { code: string } }>[] = [];
      for (let i = 0; i < 100; i++) {
        if (i % 4 === 0)
          bad.push(
            server.services.messages.send(malloryCaller, malloryChat, `nul-${i}`, `poison\u0000${i}`).then(
              () => 'committed',
              () => 'refused',
            ),
          );
        good.push(request(socket, 'message:send', { chatId, clientId: `b-${i}`, body: `fine ${i}` }));
      }
      const acks = await Promise.all(good);
      const failed = acks.filter((a) => !a.ok);
      assert.deepEqual(failed, [], `${failed.length} of 100 unrelated sends failed`);
      assert.deepEqual(new Set(await Promise.all(bad)), new Set(['refused']));
      const seqs = acks.map((a) => a.message!.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((x, y) => x - y),
        'in send order',
      );
      assert.equal(new Set(seqs).size, 100);
      const history = await api(server, 'GET', `/api/chats/${chatId}/messages?after=${seqs[0]! - 1}&limit=100`, undefined, bob.token);
      const stored = history.body.messages.filter((m: MessageView) => m.body.startsWith('fine ')).length;
      assert.equal(stored, 100);
      const theirs = await api(server, 'GET', `/api/chats/${malloryChat}/messages?after=0&limit=100`, undefined, mallory.token);
      assert.equal(theirs.body.messages.filter((m: MessageView) => m.kind === 'TEXT').length, 0);
    } finally {
      socket.close();
    }
  });

  it('the writer splits a refused batch down to the bad item; seqs stay gap-free', async () => {
    const pool = new pg.Pool({ connectionString: server.database.url, max: 2 });
    const committed: MessageView[] = [];
    const writer = new MessageWriter(pool, (ms) => committed.push(...ms), 500, 1);
    try {
      const aliceId = alice.identity.id;
      const msg = (chat: string, clientId: string, body: string, authorId = aliceId) => ({
        chatId: chat,
        clientId,
        authorId,
        authorAddress: 'x@example.com',
        kind: 'TEXT' as const,
        body,
      });
      // The first append commits alone; the next ten queue behind it and form one batch.
      const first = writer.append(msg(chatId, 'w-0', 'first'));
      const rest = Array.from({ length: 10 }, (_, i) =>
        i === 6
          ? writer.append(msg(malloryChat, 'w-bad', 'bad\u0000', mallory.identity.id)).then(
              () => 'committed',
              (e: { code?: string }) => e.code,
            )
          : writer.append(msg(chatId, `w-${i + 1}`, `m${i + 1}`)).then((v) => v.seq),
      );
      const firstSeq = (await first).seq;
      const results = await Promise.all(rest);
      assert.equal(results[6], '22021', 'the bad item gets the database error');
      const seqs = results.filter((r): r is number => typeof r === 'number');
      assert.deepEqual(
        seqs,
        Array.from({ length: 9 }, (_, i) => firstSeq + 1 + i),
      );
      assert.ok(writer.stats.isolated > 0, 'the batch was split');
      assert.equal(committed.length, 10);
    } finally {
      await writer.drain();
      await pool.end();
    }
  });

  it('the race fallback runs the same statement after the chat lock and answers a concurrently committed retry', async () => {
    const pool = new pg.Pool({ connectionString: server.database.url, max: 4 });
    const other = await pool.connect();
    try {
      const aliceId = alice.identity.id;
      const msg = {
        chatId,
        clientId: 'raced',
        authorId: aliceId,
        authorAddress: 'alice@example.com',
        kind: 'TEXT' as const,
        body: 'original',
      };
      // Another process is committing the original of this send: it holds the chat lock.
      await other.query('BEGIN');
      const { rows } = await other.query<{ last_seq: number }>('SELECT last_seq FROM chat WHERE id = $1 FOR UPDATE', [chatId]);
      const seq = rows[0]!.last_seq + 1;
      await other.query(
        `INSERT INTO message (chat_id, seq, client_id, author_id, author_address, kind, body) VALUES ($1, $2, 'raced', $3, 'alice@example.com', 'TEXT', 'original')`,
        [chatId, seq, aliceId],
      );
      await other.query('UPDATE chat SET last_seq = $2 WHERE id = $1', [chatId, seq]);

      // The retry's one statement, begun before that commit, trips the unique key...
      const oneStatement = item({ ...msg, body: 'retry' });
      const raced = appendInOneStatement(pool, [oneStatement.pending]).then(
        () => null,
        (e: { code?: string }) => e.code,
      );
      // ...while the fallback waits for the lock and then sees the original.
      const fallback = item({ ...msg, body: 'retry' });
      const next = item({ ...msg, clientId: 'after-raced', body: 'next' });
      const viaFallback = appendAfterLocking(pool, [fallback.pending, next.pending]);
      // Both wait for the lock before the original commits.
      const waiting = async () =>
        (
          await pool.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rows[0].n;
      await waitUntil('both writers wait for the lock', async () => (await waiting()) >= 2, 10_000, 20);
      await other.query('COMMIT');

      assert.equal(await raced, '23505', 'the one-statement path alone cannot answer this race');
      const answered = await viaFallback;
      assert.equal(answered.length, 2);
      assert.equal(answered[0]!.fresh, false);
      assert.equal(fallback.out.view?.seq, undefined, 'the caller (the writer) resolves, not the statement');
      assert.equal(answered[0]!.view.seq, seq);
      assert.equal(answered[0]!.view.body, 'original');
      assert.equal(answered[1]!.fresh, true);
      assert.equal(answered[1]!.view.seq, seq + 1, 'numbered after the lock holder’s commit');
      const stored = await pool.query('SELECT last_seq FROM chat WHERE id = $1', [chatId]);
      assert.equal(stored.rows[0].last_seq, seq + 1);
    } finally {
      other.release();
      await pool.end();
    }
  });
});
