/**
 * Distribution of the Thunderbird extension from the chat server: the .xpi (for users and for
 * enterprise `policies.json`) and the update manifest installed copies check, both naming this
 * server's PUBLIC_URL. Real server over HTTP; the .xpi is the one `npm run build` made.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { startTestServer, type TestServer } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PUBLIC = 'https://chat.example.test';
const ID = 'inbox-chat@inbox-chat.example';

describe('Thunderbird extension distribution (/thunderbird)', () => {
  let server: TestServer;
  const local = () => `http://127.0.0.1:${(server.httpServer.address() as { port: number }).port}`;

  before(async () => {
    assert.ok(existsSync(path.join(ROOT, 'dist/inbox-chat-thunderbird.xpi')), 'run npm run build:thunderbird first');
    server = await startTestServer({ PUBLIC_URL: PUBLIC });
  });
  after(async () => server?.close());

  it('serves the .xpi with update_url on this server, Thunderbird 153 ESR as minimum, data collection declared and licence notices', async () => {
    const res = await fetch(`${local()}/thunderbird/inbox-chat.xpi`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-xpinstall');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const manifest = JSON.parse(strFromU8(files['manifest.json']!));
    const gecko = manifest.browser_specific_settings.gecko;
    assert.equal(gecko.id, ID);
    assert.equal(gecko.update_url, `${PUBLIC}/thunderbird/updates.json`);
    assert.equal(gecko.strict_min_version, '153.0');
    assert.deepEqual(gecko.data_collection_permissions.required.sort(), ['personalCommunications', 'personallyIdentifyingInfo']);
    const notices = strFromU8(files['THIRD-PARTY-NOTICES.txt']!);
    assert.match(notices, /socket\.io-client \S+ \(MIT\)/);
    assert.match(notices, /Permission is hereby granted/);
    // Everything else is the built extension, unchanged.
    assert.ok(files['background.js'] && files['options.html']);
  });

  it('serves updates.json for that id, version and minimum, linking the .xpi on this server', async () => {
    const res = await fetch(`${local()}/thunderbird/updates.json`);
    assert.equal(res.status, 200);
    const body = await res.json();
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    assert.deepEqual(body, {
      addons: {
        [ID]: {
          updates: [
            { version, update_link: `${PUBLIC}/thunderbird/inbox-chat.xpi`, applications: { gecko: { strict_min_version: '153.0' } } },
          ],
        },
      },
    });
  });
});
