import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StartupError } from '../../backend/src/server.ts';
import { createTestDatabase, startTestServer, type TestDatabase } from '../support/server.ts';

/** Holds a TCP port on loopback, as another program would; null when something else already has it. */
async function occupy(port: number): Promise<net.Server | null> {
  const holder = net.createServer();
  return new Promise((resolve, reject) => {
    holder.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(null) : reject(err)));
    holder.listen(port, '127.0.0.1', () => resolve(holder));
  });
}

const release = (holder: net.Server | null) => new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve()));

/**
 * The composition root builds the inbound SMTP listener and starts it after the bridge: a port the
 * operator chose must work, the default port being taken only turns reply-by-email off, and
 * INBOUND_SMTP=false builds no listener at all.
 */
describe('reply-by-email at start-up', function () {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database?.drop());

  it('refuses to start when the INBOUND_SMTP_PORT it was given is taken, naming the port', async () => {
    const holder = await occupy(0);
    const port = (holder!.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        startTestServer({ INBOUND_SMTP_PORT: String(port), INBOUND_SMTP_HOST: '127.0.0.1' }, database),
        (err: Error) => err instanceof StartupError && err.message.includes(`inbound SMTP on 127.0.0.1:${port}`),
      );
    } finally {
      await release(holder);
    }
  });

  it('starts without reply-by-email when the default port (2525) is taken, and serves everything else', async () => {
    // Held here unless another program on this machine has it already; either way it is taken.
    const holder = await occupy(2525);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'inbound-startup-'));
    try {
      const server = await startTestServer(
        { NODE_ENV: 'development', INBOUND_SMTP_HOST: '127.0.0.1', DATA_DIR: dataDir, SECRET_KEY: 'k'.repeat(40) },
        database,
      );
      try {
        assert.ok(server.inbound, 'the listener was built');
        assert.equal(server.inbound.port, 0, 'but it is not listening');
        assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      } finally {
        await server.close();
      }
    } finally {
      await release(holder);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('builds no listener with INBOUND_SMTP=false', async () => {
    const server = await startTestServer({ INBOUND_SMTP: 'false' }, database);
    try {
      assert.equal(server.inbound, null);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
  });
});
