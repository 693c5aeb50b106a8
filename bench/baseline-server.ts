/**
 * The baseline: a bare Socket.IO broadcast server with the same transport options as the real
 * one and the same event shapes, but no database, no validation and no auth lookups. A send is
 * numbered in memory, broadcast to the chat's room and acked.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { BASELINE_IO_OPTIONS } from './lib/baseline-io.ts';
import { answerProbes } from './lib/child-ipc.ts';

const httpServer = createServer();
const io = new Server(httpServer, BASELINE_IO_OPTIONS);
const lastSeq = new Map<string, number>();

io.on('connection', (socket) => {
  const identityId = String(socket.handshake.auth?.identityId ?? socket.id);
  socket.on('chat:join', (p: { chatId: string }, ack: (r: unknown) => void) => {
    void socket.join(`chat:${p.chatId}`);
    ack({ ok: true, chat: { id: p.chatId }, missed: [], hasMore: false });
  });
  socket.on('message:send', (p: { chatId: string; clientId: string; body: string }, ack: (r: unknown) => void) => {
    const seq = (lastSeq.get(p.chatId) ?? 0) + 1;
    lastSeq.set(p.chatId, seq);
    const message = {
      chatId: p.chatId,
      seq,
      clientId: p.clientId,
      authorId: identityId,
      authorAddress: null,
      kind: 'TEXT',
      body: p.body,
      targetSeq: null,
      createdAt: new Date().toISOString(),
      deleted: false,
      editedAt: null,
      reactions: [],
      mentions: [],
      mentionsMe: false,
    };
    io.to(`chat:${p.chatId}`).emit('message', message);
    ack({ ok: true, message });
  });
});

await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
answerProbes(async () => {
  io.disconnectSockets(true);
  await io.close();
});
process.send!({ type: 'ready', url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` });
