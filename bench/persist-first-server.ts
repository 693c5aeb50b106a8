/**
 * The second baseline: the naive persist-first server. Bare Socket.IO like baseline-server.ts,
 * plus one autocommitted INSERT per message through `pg` into the real `message` table (same
 * indexes, keys and full-text index as the product's), and only then the broadcast and the ack.
 * No group commit, no auth lookups, no validation: it shows what the design's batching and the
 * rest buy over the obvious way to persist before fan-out.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Server } from 'socket.io';
import { BASELINE_IO_OPTIONS } from './lib/baseline-io.ts';
import { answerProbes } from './lib/child-ipc.ts';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const httpServer = createServer();
const io = new Server(httpServer, BASELINE_IO_OPTIONS);

// One statement, so one round trip and one commit per message: the chat row's lock numbers the
// messages of a chat without gaps, as any persist-first server must.
const INSERT = `WITH c AS (UPDATE chat SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
  INSERT INTO message (chat_id, seq, client_id, author_id, kind, body)
  SELECT $1, c.last_seq, $2, $3, 'TEXT', $4 FROM c
  RETURNING seq, created_at`;

io.on('connection', (socket) => {
  const identityId = String(socket.handshake.auth?.identityId ?? '');
  socket.on('chat:join', (p: { chatId: string }, ack: (r: unknown) => void) => {
    void socket.join(`chat:${p.chatId}`);
    ack({ ok: true, chat: { id: p.chatId }, missed: [], hasMore: false });
  });
  socket.on('message:send', (p: { chatId: string; clientId: string; body: string }, ack: (r: unknown) => void) => {
    pool.query<{ seq: number; created_at: Date }>(INSERT, [p.chatId, p.clientId, identityId, p.body]).then(
      (r) => {
        const row = r.rows[0]!;
        const message = {
          chatId: p.chatId,
          seq: row.seq,
          clientId: p.clientId,
          authorId: identityId,
          authorAddress: null,
          kind: 'TEXT',
          body: p.body,
          targetSeq: null,
          createdAt: row.created_at.toISOString(),
          deleted: false,
          editedAt: null,
          reactions: [],
          mentions: [],
          mentionsMe: false,
        };
        io.to(`chat:${p.chatId}`).emit('message', message);
        ack({ ok: true, message });
      },
      (err: Error) => ack({ ok: false, error: { code: 'INTERNAL', message: err.message } }),
    );
  });
});

await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
answerProbes(async () => {
  io.disconnectSockets(true);
  await io.close();
  await pool.end();
});
process.send!({ type: 'ready', url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` });
