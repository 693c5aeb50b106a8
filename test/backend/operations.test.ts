import assert from 'node:assert/strict';
import { api, signInAll, startTestServer, type TestServer } from '../support/server.ts';

describe('operations: health, readiness, metrics', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  it('/healthz and /readyz answer while the database is reachable', async () => {
    assert.deepEqual((await api(server, 'GET', '/healthz')).body, { ok: true });
    assert.deepEqual((await api(server, 'GET', '/readyz')).body, { ready: true });
  });

  it('/metrics exposes Prometheus counters that move with traffic', async () => {
    const [alice] = await signInAll(server, ['metrics@example.com']);
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'm' }, alice.token)).body;
    await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'a', body: 'counted' }, alice.token);
    const text = (await api(server, 'GET', '/metrics')).body as string;
    assert.match(text, /inbox_chat_messages_committed_total \d+/);
    const committed = Number(/inbox_chat_messages_committed_total (\d+)/.exec(text)![1]);
    assert.ok(committed >= 1);
    assert.match(text, /inbox_chat_http_requests_total\{method="POST",route="\/api\/chats\/:chatId\/messages",status="201"\} 1/);
    assert.match(text, /process_resident_memory_bytes/);
  });

  it('security headers are set on pages and API', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(res.headers.get('x-powered-by'), null);
  });
});
