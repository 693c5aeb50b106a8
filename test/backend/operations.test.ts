import assert from 'node:assert/strict';
import { api, signInAll, startTestServer, type TestServer } from '../support/server.ts';

describe('operations: health, readiness, metrics', function () {
  let server: TestServer;
  const METRICS_TOKEN = 'scrape-token-0123456789';
  before(async () => {
    server = await startTestServer({ METRICS_TOKEN });
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
    const text = (await api(server, 'GET', '/metrics', undefined, METRICS_TOKEN)).body as string;
    assert.match(text, /inbox_chat_messages_committed_total \d+/);
    const committed = Number(/inbox_chat_messages_committed_total (\d+)/.exec(text)![1]);
    assert.ok(committed >= 1);
    assert.match(text, /inbox_chat_http_requests_total\{method="POST",route="\/api\/chats\/:chatId\/messages",status="201"\} 1/);
    assert.match(text, /process_resident_memory_bytes/);
  });

  it('/metrics answers only with the METRICS_TOKEN bearer token, and is off without one', async () => {
    assert.equal((await api(server, 'GET', '/metrics')).status, 401);
    assert.equal((await api(server, 'GET', '/metrics', undefined, 'scrape-token-wrong-guess')).status, 401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    const plain = await startTestServer();
    try {
      assert.equal((await api(plain, 'GET', '/metrics')).status, 404);
    } finally {
      await plain.close();
    }
  });

  it('security headers are set on pages and API', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  it('API answers are never cached, whatever their status', async () => {
    const [who] = await signInAll(server, ['cache@example.com']);
    for (const [path, token] of [
      ['/api/me', who.token],
      ['/api/me', undefined],
      ['/api/nothing-here', undefined],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      assert.equal(res.headers.get('cache-control'), 'no-store', `${path} ${res.status}`);
    }
  });

  it('pages may connect only to this server (CSP connect-src names its own socket origin, not any ws:/wss: host)', async () => {
    const socketOrigin = server.url.replace(/^http/, 'ws');
    for (const path of ['/', '/addin/manifest.xml']) {
      const csp = (await fetch(`${server.url}${path}`)).headers.get('content-security-policy') ?? '';
      const connect = /connect-src ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
      assert.deepEqual(connect, ["'self'", socketOrigin], `${path}: ${csp}`);
    }
  });
});
