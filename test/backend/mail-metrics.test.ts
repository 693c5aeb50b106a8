/**
 * inbox_chat_mail_sent_total counts every email handed to SMTP, by outcome: a sign-in code that
 * reached the SMTP server is `sent`, one the SMTP server never took is `failed`.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { api, startTestServer, type TestServer } from '../support/server.ts';

const METRICS_TOKEN = 'scrape-token-0123456789';

async function mailSent(server: TestServer, outcome: 'sent' | 'failed'): Promise<number> {
  const text = (await api(server, 'GET', '/metrics', undefined, METRICS_TOKEN)).body as string;
  const m = new RegExp(`^inbox_chat_mail_sent_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('metrics: mail handed to SMTP', function () {
  this.timeout(60_000);

  it('counts a delivered sign-in email as sent', async () => {
    const server = await startTestServer({ METRICS_TOKEN });
    try {
      assert.equal(await mailSent(server, 'sent'), 0);
      assert.equal((await api(server, 'POST', '/api/auth/start', { address: 'mona@example.com' })).status, 202);
      assert.equal(await mailSent(server, 'sent'), 1);
      assert.equal(await mailSent(server, 'failed'), 0);
    } finally {
      await server.close();
    }
  });

  it('counts an email the SMTP server never took as failed', async () => {
    const server = await startTestServer({ METRICS_TOKEN, SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
    try {
      assert.equal((await api(server, 'POST', '/api/auth/start', { address: 'nils@example.com' })).status, 503);
      assert.equal(await mailSent(server, 'failed'), 1);
      assert.equal(await mailSent(server, 'sent'), 0);
    } finally {
      await server.close();
    }
  });
});
