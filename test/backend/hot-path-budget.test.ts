import assert from 'node:assert/strict';
import pg from 'pg';
import { api, connectSocket, request, signInAll, startTestServer, untyped, type ClientSocket, type TestServer } from '../support/server.ts';

/**
 * What one handshake, one join and one message cost the server, counted rather than timed
 * (docs/performance.md): SQL statements sent to PostgreSQL and socket packets delivered.
 * Counting holds on a busy machine where timings do not, and a change that adds a query per
 * join or a packet per member per message fails here before it shows up in the bench.
 * Every statement of the process is counted, whoever sends it (Prisma goes through pg too).
 */
describe('hot path budget: statements per handshake, join and message; packets per message', function () {
  let server: TestServer;
  let chatId: string;
  let tokens: string[];
  const sockets: ClientSocket[] = [];
  const statements: string[] = [];
  const query = pg.Client.prototype.query;

  before(async () => {
    server = await startTestServer();
    const people = await signInAll(server, ['hugo@example.com', 'ines@example.com', 'jon@example.com', 'kim@example.com'] as const);
    tokens = people.map((p) => p.token);
    chatId = (
      await api(
        server,
        'POST',
        '/api/chats',
        { subject: 'Budget', audience: { to: ['ines@example.com', 'jon@example.com', 'kim@example.com'] } },
        tokens[0],
      )
    ).body.id;
    // Everyone has joined once before: what is measured is the reconnect of a member.
    for (const t of tokens.slice(1)) assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, t)).status, 200);
    // Counts every statement any part of this process sends (the server runs in it).
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0];
      statements.push(typeof first === 'string' ? first : String((first as { text?: string } | undefined)?.text ?? '?'));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  });
  after(async () => {
    pg.Client.prototype.query = query;
    for (const s of sockets) s.close();
    await server?.close();
  });

  /**
   * The statements `work` caused, after the background work it started has settled. The job
   * queue's poll runs on its own clock, whatever happens, so it is left out.
   */
  async function counted(work: () => Promise<unknown>): Promise<string[]> {
    const from = statements.length;
    await work();
    await new Promise((r) => setTimeout(r, 300));
    return statements.slice(from).filter((s) => !/^\s*UPDATE job SET locked_by/.test(s));
  }

  it('a reconnecting member: the handshake and the join take a bounded number of statements', async () => {
    const handshake = await counted(async () => sockets.push(await connectSocket(server.url, tokens[1]!)));
    let lastSeq = 0;
    const join = await counted(async () => {
      const r = await request(sockets[0]!, 'chat:join', { chatId, lastSeq: 0, reactionsFrom: 1, language: 'en' });
      assert.equal(r.ok, true, JSON.stringify(r));
      lastSeq = r.chat.lastSeq;
    });
    // A client that missed nothing (the bench's idle members, most reconnects after a restart).
    const uptoDate = await counted(async () => assert.equal((await request(sockets[0]!, 'chat:join', { chatId, lastSeq })).ok, true));
    console.log(
      `      handshake: ${handshake.length} statements; join: ${join.length} statements; join with nothing missed: ${uptoDate.length}`,
    );
    assert.ok(uptoDate.length <= 6, `join with nothing missed: ${uptoDate.join('\n---\n')}`);
    // The session lookup, then one presence flush (this identity came online: its row, and who
    // may see it); the flush is shared by every connection that arrives while one is in flight.
    assert.ok(handshake.length <= 10, `handshake: ${handshake.join('\n---\n')}`);
    // Adopting the client's language (once per connection), the member row with its chat, the
    // members with their names, the audience, who is hidden, unread, the catch-up page, its
    // reactions, and the receipt it moves (upsert, then who may hear of it). It was 16 with the
    // same member row read three times and Prisma's includes.
    assert.ok(join.length <= 10, `join: ${join.join('\n---\n')}`);
  });

  it('a message to a chat of four open members: one commit statement and one receipt statement, one packet per member per event', async () => {
    for (const t of tokens.slice(0, 1).concat(tokens.slice(2))) {
      const s = await connectSocket(server.url, t);
      sockets.push(s);
      assert.equal((await request(s, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    }
    const received = new Map<string, number>();
    for (const s of sockets) untyped(s).onAny((event: string) => received.set(event, (received.get(event) ?? 0) + 1));
    const sender = sockets[1]!;
    // The first send of a member in a chat looks up what it then keeps (retention, address).
    assert.equal((await request(sender, 'message:send', { chatId, clientId: 'warm-up', body: 'hello' })).ok, true);
    await new Promise((r) => setTimeout(r, 300));
    received.clear();
    const sends = 5;
    const perMessage = await counted(async () => {
      for (let i = 0; i < sends; i++) {
        const r = await request(sender, 'message:send', { chatId, clientId: `m-${i}`, body: `message ${i}` });
        assert.equal(r.ok, true, JSON.stringify(r));
        // One at a time and apart, so no two messages share a commit or a receipt flush.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    console.log(
      `      ${sends} messages: ${perMessage.length} statements, events received ${JSON.stringify(Object.fromEntries(received))}`,
    );
    // Per commit: the append statement, the receipts upsert and the visibility of its notices,
    // and the notifier's job insert (it was two statements); each is per commit batch, shared by
    // every message of the batch under load.
    assert.ok(perMessage.length <= sends * 4, `per message: ${perMessage.join('\n---\n')}`);
    assert.equal(received.get('message'), sends * sockets.length, 'every member gets every message');
    // Receipts: all members' delivered positions of a chat in one notice per member socket.
    assert.equal(received.get('delivery'), sends * sockets.length, 'one delivery notice per member socket per commit');
  });
});
