import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';
import { HYGIENE_ENV, sweepScenario } from './hygiene.ts';

/** Store hygiene with the folder back end: the sweep job of a real server, PostgreSQL and its media folder (the S3 case is in s3-store.test.ts). */
describe('media: store hygiene (folder store)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'media-hygiene-'));
    server = await startTestServer({ MEDIA_DIR: dir, ...HYGIENE_ENV });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('removes objects of uploads never posted and of expired ephemeral messages, and keeps any object a live message shows', async () => {
    await sweepScenario(server, async (id) => existsSync(path.join(dir, 'objects', id.slice(0, 2), id)), 'folder');
  });
});
