import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { startTestServer, type ClientSocket, type TestServer } from '../support/server.ts';

/** GET over HTTPS trusting only the test's own certificate. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('HTTPS: the server terminates TLS itself (Outlook loads add-in pages only over HTTPS)', function () {
  let dir: string;
  let cert: Buffer;
  let server: TestServer;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inbox-tls-'));
    // A self-signed localhost certificate, as office-addin-dev-certs or mkcert would make.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = await readFile(path.join(dir, 'cert.pem'));
    server = await startTestServer({ TLS_CERT_FILE: path.join(dir, 'cert.pem'), TLS_KEY_FILE: path.join(dir, 'key.pem') });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the API and pages over https, with https links in mail', async () => {
    assert.match(server.url, /^https:\/\/localhost:\d+$/);
    const health = await httpsGet(`${server.url}/healthz`, cert);
    assert.equal(health.status, 200);
    // Sign-in mail links to the HTTPS address.
    const before = server.catcher!.list()[0]?.id ?? 0;
    await new Promise<void>((resolve, reject) => {
      const req = https.request(
        `${server.url}/api/auth/start`,
        { method: 'POST', ca: cert, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(String(res.statusCode)))));
        },
      );
      req.end(JSON.stringify({ address: 'tls@example.com' }));
    });
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes('tls@example.com'));
    assert.match(mail.text, new RegExp(`${server.url}/#signin=`));
  });

  it('accepts Socket.IO over wss', async () => {
    // The test's fetch-based signIn would not trust the test CA, so the identity and session are made directly.
    const session = await server.services.sessions.create(await identityFor(server, 'wss@example.com'));
    const socket: ClientSocket = io(server.url, {
      transports: ['websocket'],
      auth: { token: session.token },
      ca: cert.toString(), // PEM text: the client's options take the certificate as a string
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = await socket.timeout(5000).emitWithAck('chats:watch', {});
    assert.equal(ack.ok, true);
    socket.close();
  });
});

/** An identity for an address, made the way verification does (first proof creates it). */
async function identityFor(server: TestServer, address: string): Promise<string> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: server.database.url });
  await c.connect();
  try {
    const id = crypto.randomUUID();
    await c.query('INSERT INTO identity (id) VALUES ($1)', [id]);
    await c.query('INSERT INTO email_address (address, identity_id) VALUES ($1, $2)', [address, id]);
    return id;
  } finally {
    await c.end();
  }
}
