/**
 * A database outage as the adapters report it: PostgreSQL is reached through a TCP proxy
 * the test controls, which drops every connection and refuses new ones. REST answers 503
 * UNAVAILABLE, socket acks and handshakes say UNAVAILABLE, the log gets a warning per
 * window instead of an error per request, and everything works again once it is back.
 * (The fault suite, npm run test:faults, does the same with a real PostgreSQL stop.)
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../backend/src/config/index.ts';
import { startServer, type RunningServer } from '../../backend/src/server.ts';
import {
  ADMIN_URL,
  api,
  connectSocket,
  createTestDatabase,
  request,
  signIn,
  type TestDatabase,
  type TestServer,
} from '../support/server.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

describe('database outage: UNAVAILABLE, not INTERNAL, and quiet logs', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: RunningServer;
  const lines: { level: number; msg: string }[] = [];

  before(async () => {
    database = await createTestDatabase();
    const admin = new URL(ADMIN_URL);
    proxy = new TcpProxy(admin.hostname, Number(admin.port || 5432));
    await proxy.start();
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: url.toString(),
      LOG_LEVEL: 'info',
      DEV_MAILBOX: 'true',
      CODES_PER_ADDRESS_PER_HOUR: '50',
      HTTP_REQUESTS_PER_MINUTE: '100000',
      REDIS_KEY_PREFIX: `test-${database.name}`,
    });
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l.startsWith('{')) lines.push(JSON.parse(l));
        cb();
      },
    });
    server = await startServer(config, pino({ level: 'info' }, sink));
  });
  after(async () => {
    proxy.restore();
    await server?.stop();
    await proxy?.stop();
    await database?.drop();
  });

  it('answers 503/UNAVAILABLE on REST, socket acks and handshakes, logs warnings once per window, and recovers', async () => {
    const test: TestServer = { ...server, database, close: async () => {} };
    const alice = await signIn(test, 'ola@example.com');
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'Outage', source: 'STANDALONE' }, alice.token)).body;
    const socket = await connectSocket(server.url, alice.token);
    try {
      assert.equal((await request(socket, 'chat:join', { chatId: chat.id, lastSeq: 0 })).ok, true);

      proxy.refuse();
      const from = lines.length;
      for (let i = 0; i < 20; i++) {
        const rest = await api(server, 'GET', `/api/chats/${chat.id}`, undefined, alice.token);
        assert.equal(rest.status, 503, JSON.stringify(rest.body));
        assert.equal(rest.body.error.code, 'UNAVAILABLE');
        const ack = await request(socket, 'message:send', { chatId: chat.id, clientId: `o${i}`, body: 'during' });
        assert.deepEqual([ack.ok, ack.error?.code], [false, 'UNAVAILABLE']);
      }
      const refused = await connectSocket(server.url, alice.token).then(
        (s) => (s.close(), 'connected'),
        (err: Error & { data?: { code?: string } }) => err.data?.code,
      );
      assert.equal(refused, 'UNAVAILABLE');
      const during = lines.slice(from);
      assert.deepEqual(
        during.filter((l) => l.level >= 50).map((l) => l.msg),
        [],
        'no error lines for an outage',
      );
      // Access records are one info line per request by design; warnings are what must stay few.
      const warnings = during.filter((l) => l.level >= 40);
      assert.ok(warnings.length <= 6, `41 failures, ${warnings.length} warning lines: ${warnings.map((l) => l.msg).join(' | ')}`);

      proxy.restore();
      const ack = await request(socket, 'message:send', { chatId: chat.id, clientId: 'after', body: 'after' });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      assert.equal((await api(server, 'GET', `/api/chats/${chat.id}`, undefined, alice.token)).status, 200);
    } finally {
      socket.close();
    }
  });
});
