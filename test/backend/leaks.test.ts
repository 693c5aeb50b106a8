import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { ConfigError, loadConfig } from '../../backend/src/config/index.ts';
import { createLogger } from '../../backend/src/log.ts';
import { startServer, type RunningServer } from '../../backend/src/server.ts';
import { transcriptEmail } from '../../thunderbird-ext/src/background/transcript.ts';
import type { MessageView, SessionView } from '../../protocol/index.ts';
import {
  api,
  codeFromMail,
  connectSocket,
  createTestDatabase,
  lastMailId,
  nextEvent,
  request,
  signIn,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/server.ts';

/** Smaller leaks (issue 8): enumeration, secrets in logs, header injection, id squatting, Host reflection, stored codes. */
describe('leaks: what the server must not give away', function () {
  let server: TestServer;
  let owner: SessionView;
  let taken: SessionView;
  before(async () => {
    server = await startTestServer({ CODES_PER_ADDRESS_PER_HOUR: '3' });
    owner = await signIn(server, 'owner@example.com');
    taken = await signIn(server, 'taken@example.com');
  });
  after(async () => server.close());

  async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = new pg.Client({ connectionString: server.database.url });
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  }

  describe('linking an address does not tell who has signed in', () => {
    it('answers and mails a taken address exactly like a free one', async () => {
      const answers = [];
      for (const address of ['taken@example.com', 'free@example.com']) {
        const before = lastMailId(server);
        const r = await api(server, 'POST', '/api/me/addresses', { address }, owner.token);
        await server.catcher!.waitFor((m) => m.id > before && m.to.includes(address));
        answers.push({ status: r.status, keys: Object.keys(r.body).sort(), address: r.body.address });
      }
      assert.deepEqual(answers[0], { status: 202, keys: ['address', 'expiresAt', 'linkId'], address: 'taken@example.com' });
      assert.deepEqual({ ...answers[1], address: 'taken@example.com' }, answers[0]);
    });

    it('is rate-limited before any answer about the address', async () => {
      const [prober] = [await signIn(server, 'prober@example.com')];
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await api(server, 'POST', '/api/me/addresses', { address: 'taken@example.com' }, prober.token)).status);
      }
      assert.deepEqual(statuses, [202, 202, 202, 429]);
      assert.ok(taken.token); // the probed address really belongs to someone
    });
  });

  describe('codes are stored under a keyed hash', () => {
    it('a copy of the database alone does not reveal a live sign-in code', async () => {
      const before = lastMailId(server);
      const start = await api(server, 'POST', '/api/auth/start', { address: 'stored@example.com' });
      const code = await codeFromMail(server, 'stored@example.com', before);
      const [row] = await query<{ id: string; code_hash: string }>('SELECT id, code_hash FROM verification WHERE id = $1', [
        start.body.verificationId,
      ]);
      // What an attacker with the row does is try all million codes under the plain hash; the
      // real code is among them, so checking it alone is the same test, a million times cheaper.
      assert.notEqual(createHash('sha256').update(`${row!.id}:${code}`).digest('hex'), row!.code_hash);
      assert.notEqual(createHash('sha256').update(code).digest('hex'), row!.code_hash);
      assert.match(row!.code_hash, /^[0-9a-f]{64}$/);
      // The server itself still checks the code.
      const ok = await api(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code });
      assert.equal(ok.status, 200);
    });

    it('production with a shared database refuses to start without SECRET_KEY, which every node then shares', () => {
      const shared = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db.internal/inbox' };
      assert.throws(
        () => loadConfig(shared),
        (err: unknown) => err instanceof ConfigError && /SECRET_KEY/.test(err.message),
      );
      assert.throws(() => loadConfig({ ...shared, SECRET_KEY: 'too-short' }), ConfigError);
      assert.equal(loadConfig({ ...shared, SECRET_KEY: 'k'.repeat(32) }).secretKey, 'k'.repeat(32));
    });

    it('every node shares the key: a code asked for on one node is accepted by another', async () => {
      const other = await startTestServer({}, server.database);
      try {
        const before = lastMailId(server);
        const start = await api(server, 'POST', '/api/auth/start', { address: 'roaming@example.com' });
        const code = await codeFromMail(server, 'roaming@example.com', before);
        const ok = await api(other, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code });
        assert.equal(ok.status, 200);
      } finally {
        await other.close();
      }
    });
  });

  describe('the email Message-ID is a msg-id, never header text', () => {
    it('the API refuses a Message-ID with CR/LF or spaces and accepts real ones', async () => {
      for (const bad of [
        '<a@example.com>\r\nBcc: evil@example.com',
        'a@example.com\nX: y',
        '<a b@example.com>',
        'no-at-sign',
        '<a@example.com',
      ]) {
        const r = await api(server, 'POST', '/api/chats', { subject: 'x', emailMessageId: bad }, owner.token);
        assert.equal(r.status, 400, JSON.stringify(bad));
        assert.equal(r.body.error.code, 'BAD_INPUT');
      }
      for (const good of ['<abc.123@mail.example.com>', 'plan@example.com']) {
        const r = await api(server, 'POST', '/api/chats', { subject: 'x', emailMessageId: good }, owner.token);
        assert.equal(r.status, 201, good);
        assert.equal(r.body.emailMessageId, good);
      }
    });

    it("Thunderbird's saved transcript drops a malformed thread id instead of writing it raw", () => {
      const input = {
        chat: { id: '00000000-0000-4000-8000-000000000001', subject: 'Plan' },
        messages: [] as MessageView[],
        me: 'me@example.com',
        chatUrl: 'https://chat.example/c/1',
        now: new Date('2026-01-01T00:00:00Z'),
      };
      const forged = transcriptEmail({ ...input, inReplyTo: 'plan@example.com>\r\nBcc: evil@example.com\r\nX-A: <b@c' });
      const headers = forged.split('\r\n\r\n')[0]!.split('\r\n');
      assert.ok(!headers.some((h) => /^Bcc:/i.test(h) || /^X-A:/i.test(h)), headers.join('\n'));
      assert.ok(!headers.some((h) => /^In-Reply-To:/i.test(h)));
      const fine = transcriptEmail({ ...input, inReplyTo: 'plan@example.com' });
      assert.ok(fine.includes('\r\nIn-Reply-To: <plan@example.com>\r\n'));
    });
  });

  it("a member cannot squat the deletion id of someone else's message: the author's delete works and live clients see it", async () => {
    const bob = await signIn(server, 'bob@example.com');
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'squat', audience: { to: ['bob@example.com'] } }, owner.token)).body;
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob.token);
    const mine = (await api<MessageView>(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'm1', body: 'oops' }, owner.token))
      .body;
    // Bob takes every id an old server would give the deletion event.
    const squat = await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: `del-${mine.seq}`, body: 'mine now' }, bob.token);
    assert.equal(squat.status, 201);
    const watcher = await connectSocket(server.url, bob.token);
    try {
      assert.equal((await request(watcher, 'chat:join', { chatId: chat.id, lastSeq: squat.body.seq })).ok, true);
      const tombstone = nextEvent<MessageView>(watcher, 'message', (m) => m.kind === 'DELETION' && m.targetSeq === mine.seq, 5000);
      const del = await api(server, 'DELETE', `/api/chats/${chat.id}/messages/${mine.seq}`, undefined, owner.token);
      assert.equal(del.status, 200, JSON.stringify(del.body));
      // Views name members by their per-chat handle: the owner's is `me.identityId` of the owner's view.
      assert.equal((await tombstone).authorId, chat.me.identityId);
      // Deleting again is still idempotent.
      assert.equal((await api(server, 'DELETE', `/api/chats/${chat.id}/messages/${mine.seq}`, undefined, owner.token)).status, 200);
    } finally {
      watcher.close();
    }
  });

  it('the dev mailbox, which shows live codes, is never cached', async () => {
    for (const path of ['/dev/mail', '/dev/mail.json']) {
      assert.equal((await fetch(`${server.url}${path}`)).headers.get('cache-control'), 'no-store', path);
    }
  });

  it('the add-in manifest takes its URL from configuration, not from a forged Host header', async () => {
    const port = new URL(server.url).port;
    const forged = 'evil.example"><script>alert(1)</script><x a="';
    const xml = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/addin/manifest.xml', headers: { host: forged } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
    assert.ok(!xml.includes('evil.example'), 'the Host header is reflected');
    assert.ok(xml.includes(`${server.url}/`), 'the configured URL is used');
  });
});

describe('leaks: no codes or tokens in the logs, at any level', function () {
  let database: TestDatabase;
  let running: RunningServer;
  let logged = '';
  before(async () => {
    database = await createTestDatabase();
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: database.url,
      LOG_LEVEL: 'trace',
      DEV_MAILBOX: 'true',
      REDIS_KEY_PREFIX: `test-${database.name}`,
    });
    running = await startServer(config, createLogger(config.logLevel, { write: (line: string) => void (logged += line) }));
  });
  after(async () => {
    await running.stop();
    await database.drop();
  });

  it('a whole sign-in (code, link, address link) at trace level logs none of its secrets', async () => {
    const server = { url: running.url, catcher: running.catcher } as TestServer;
    const before = lastMailId(server);
    const start = await api(server, 'POST', '/api/auth/start', { address: 'quiet@example.com' });
    const mail = await running.catcher!.waitFor((m) => m.id > before && m.to.includes('quiet@example.com'));
    const code = /\b(\d{6})\b/.exec(mail.subject)![1]!;
    const linkToken = /#signin=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const session = (await api<SessionView>(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code })).body;
    const linked = (await api<SessionView>(server, 'POST', '/api/auth/link', { token: linkToken })).status;
    assert.equal(linked, 410); // used up by the code above: one email, one proof
    const beforeLink = lastMailId(server);
    await api(server, 'POST', '/api/me/addresses', { address: 'quiet@home.example' }, session.token);
    const linkMail = await running.catcher!.waitFor((m) => m.id > beforeLink && m.to.includes('quiet@home.example'));
    const linkCode = /\b(\d{6})\b/.exec(linkMail.subject)![1]!;
    await new Promise((r) => setTimeout(r, 200)); // let the last log lines flush
    assert.match(logged, /mail sent/, 'the test did capture the debug logs');
    for (const [name, secret] of [
      ['sign-in code', code],
      ['link token', linkToken],
      ['session token', session.token],
      ['address code', linkCode],
    ] as const) {
      assert.ok(!logged.includes(secret), `the ${name} is in the logs`);
    }
  });

  it('redacts secret fields even if a caller logs them', () => {
    let out = '';
    const log = createLogger('debug', { write: (line: string) => void (out += line) });
    log.info(
      {
        token: 'T0KEN-secret',
        code: '123456',
        req: { headers: { authorization: 'Bearer abc-secret' } },
        mail: { subject: '654321 is your code' },
      },
      'oops',
    );
    assert.match(out, /"msg":"oops"/, 'the line was written where the test reads it');
    assert.ok(!/T0KEN-secret|123456|abc-secret|654321/.test(out), out);
  });
});
