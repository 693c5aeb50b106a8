/**
 * Observability: access logs with a request id, latency histograms (HTTP, socket acks, message
 * commits), job-queue gauges, and error logs that a repeating failure cannot flood.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pg from 'pg';
import { loadConfig } from '../../backend/src/config/index.ts';
import { createLogger } from '../../backend/src/log.ts';
import { startServer, type RunningServer } from '../../backend/src/server.ts';
import { api, connectSocket, createTestDatabase, request, signIn, type TestDatabase, type TestServer } from '../support/server.ts';
import { isUuid } from '../../protocol/patterns.ts';

/** Collects a logger's JSON lines. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('observability: access logs, latency histograms, job gauges', function () {
  const METRICS_TOKEN = 'observability-token-0123456789';
  let db: TestDatabase;
  let running: RunningServer;
  let server: TestServer;
  const log = capture();

  before(async () => {
    db = await createTestDatabase();
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
      DEV_MAILBOX: 'true',
      INBOUND_SMTP: 'false',
      METRICS_TOKEN,
      REDIS_KEY_PREFIX: `test-${db.name}`,
    });
    running = await startServer(config, createLogger(config.logLevel, log.stream));
    server = { ...running, database: db, close: async () => {} };
  });
  after(async () => {
    await running?.stop();
    await db?.drop();
  });

  const accessLines = () => log.lines.filter((l) => l.component === 'http' && l.req !== undefined);

  it('logs each request once with a request id, sent back as X-Request-Id, and no headers or query', async () => {
    const given = await fetch(`${server.url}/api/chats?secret-ish=1`, {
      headers: { 'x-request-id': 'lb-7f3a.1', authorization: 'Bearer not-a-real-session' },
    });
    assert.equal(given.status, 401);
    assert.equal(given.headers.get('x-request-id'), 'lb-7f3a.1');
    const own = await fetch(`${server.url}/api/chats`, { headers: { 'x-request-id': 'bad id with spaces' } });
    const ownId = own.headers.get('x-request-id');
    assert.ok(isUuid(ownId ?? ''), `an unusable id is replaced by a fresh one (got ${ownId})`);
    await fetch(`${server.url}/healthz`);
    await new Promise((r) => setTimeout(r, 50));

    const line = accessLines().find((l) => (l.req as { id: string }).id === 'lb-7f3a.1');
    assert.ok(line, 'the request was logged');
    assert.deepEqual(line.req, { id: 'lb-7f3a.1', method: 'GET', path: '/api/chats' });
    assert.deepEqual(line.res, { statusCode: 401 });
    assert.equal(typeof line.responseTime, 'number');
    assert.ok(accessLines().some((l) => (l.req as { id: string }).id === ownId));
    assert.ok(!accessLines().some((l) => (l.req as { path: string }).path === '/healthz'), 'probes are not logged');
    assert.doesNotMatch(JSON.stringify(log.lines), /not-a-real-session|secret-ish/);
  });

  it('/metrics has latency histograms for HTTP, socket acks and message commits', async () => {
    const alice = await signIn(server, 'observer@example.com');
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'measured' }, alice.token)).body as { id: string };
    const socket = await connectSocket(server.url, alice.token);
    try {
      await request(socket, 'chat:join', { chatId: chat.id, lastSeq: 0 });
      const ack = await request(socket, 'message:send', { chatId: chat.id, clientId: 'obs-1', body: 'timed' });
      assert.equal(ack.ok, true);
    } finally {
      socket.close();
    }
    const text = (await api(server, 'GET', '/metrics', undefined, METRICS_TOKEN)).body as string;
    assert.match(text, /inbox_chat_http_request_duration_seconds_count\{method="POST",route="\/api\/chats",status="201"\} 1/);
    assert.match(text, /inbox_chat_socket_ack_duration_seconds_count\{event="message:send",outcome="ok"\} 1/);
    assert.match(text, /inbox_chat_socket_ack_duration_seconds_bucket\{le="\+Inf",event="chat:join",outcome="ok"\} 1/);
    const commits = Number(/inbox_chat_message_commit_duration_seconds_count (\d+)/.exec(text)?.[1]);
    assert.ok(commits >= 1, 'the commit was timed');
    const commitSum = Number(/inbox_chat_message_commit_duration_seconds_sum (\S+)/.exec(text)?.[1]);
    assert.ok(commitSum > 0 && commitSum < 10);
  });

  it('/metrics shows the job queue: backlog, retries and failures per queue, read from the shared table', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // A queue no handler serves, so the rows stay as written while the runner polls.
      await client.query(
        `INSERT INTO job (queue, payload, run_at, attempts, last_error, failed_at) VALUES
           ('probe', '{}', now() - interval '1 second', 0, NULL, NULL),
           ('probe', '{}', now() - interval '1 second', 0, NULL, NULL),
           ('probe', '{}', now() + interval '1 hour', 2, 'SMTP down', NULL),
           ('probe', '{}', now(), 25, 'refused', now())`,
      );
    } finally {
      await client.end();
    }
    const text = (await api(server, 'GET', '/metrics', undefined, METRICS_TOKEN)).body as string;
    assert.match(text, /inbox_chat_jobs\{queue="probe",state="due"\} 2/);
    assert.match(text, /inbox_chat_jobs\{queue="probe",state="scheduled"\} 1/);
    assert.match(text, /inbox_chat_jobs\{queue="probe",state="retrying"\} 1/);
    assert.match(text, /inbox_chat_jobs\{queue="probe",state="failed"\} 1/);
  });
});

describe('observability: error logs are rate-limited per message', function () {
  it('writes the first lines of a repeating error, counts the rest, and reports the count in the next window', () => {
    let now = 1_000_000;
    const out = capture();
    const log = createLogger('info', out.stream, { perWindow: 3, windowMs: 60_000, now: () => now });
    const child = log.child({ component: 'db' });
    for (let i = 0; i < 10; i++) child.error({ err: new Error(`connection refused ${i}`) }, 'request failed');
    log.error('another failure');
    for (let i = 0; i < 5; i++) log.warn('warnings are not limited');
    log.fatal('fatal is never limited');
    now += 60_000;
    child.error({ err: new Error('again') }, 'request failed');

    return new Promise<void>((resolve) =>
      setImmediate(() => {
        const failed = out.lines.filter((l) => l.msg === 'request failed');
        assert.equal(failed.length, 4, '3 in the first window, then the next window opens');
        assert.equal(failed[0]!.component, 'db');
        assert.equal(failed[2]!.suppressed, undefined);
        assert.equal(failed[3]!.suppressed, 7);
        assert.equal(out.lines.filter((l) => l.msg === 'another failure').length, 1, 'each message has its own budget');
        assert.equal(out.lines.filter((l) => l.msg === 'warnings are not limited').length, 5);
        assert.equal(out.lines.filter((l) => l.msg === 'fatal is never limited').length, 1);
        resolve();
      }),
    );
  });
});
