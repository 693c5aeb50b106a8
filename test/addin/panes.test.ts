/**
 * The Outlook add-in's serving and small pieces: /addin pages with their own policy (Office.js,
 * framing by Outlook only there), the manifest rewritten to PUBLIC_URL, the sidebar's list logic,
 * and the storage shared by panes and event handlers.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import type { ChatSummary, MessageView } from '../../protocol/index.ts';
import { ADDIN_DIST } from '../../backend/src/http/addin-pages.ts';
import { configWarnings, loadConfig } from '../../backend/src/config/index.ts';
import { layeredStore, memoryStore } from '../../addin/src/office/storage.ts';
import { membersLine, visibleChats } from '../../addin/src/sidebar/chat-list.ts';
import { messagePreview, personName } from '../../mail-client/preview.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function summary(over: Partial<ChatSummary> & { id: string }): ChatSummary {
  return {
    subject: '',
    retention: 'ARCHIVED',
    isOwner: false,
    lastSeq: 0,
    lastActivityAt: '2026-01-01T00:00:00Z',
    endedAt: null,
    unread: 0,
    lastMessage: null,
    memberAddresses: [],
    people: [],
    me: { identityId: 'me' },
    isNew: false,
    ...over,
  };
}

function message(body: string, over: Partial<MessageView> = {}): MessageView {
  return {
    chatId: 'c',
    seq: 1,
    clientId: 'x',
    authorId: 'a',
    authorAddress: 'ann@example.com',
    kind: 'TEXT',
    body,
    targetSeq: null,
    createdAt: '2026-01-01T00:00:00Z',
    deleted: false,
    editedAt: null,
    reactions: [],
    mentions: [],
    mentionsMe: false,
    ...over,
  };
}

describe('Outlook add-in: serving and pane logic', function () {
  describe('/addin on the server', function () {
    let server: TestServer;
    before(async function () {
      if (!existsSync(path.join(ADDIN_DIST, 'read.html'))) {
        throw new Error('dist/addin is missing: run `npm run build:addin` before this test (npm test does).');
      }
      server = await startTestServer({ PUBLIC_URL: 'https://chat.example.test' });
    });
    after(async () => server.close());

    const local = () => `http://127.0.0.1:${(server.httpServer.address() as { port: number }).port}`;

    it('serves the panes with a policy that admits Office.js and framing by Outlook, and nothing else loosened', async () => {
      const res = await fetch(`${local()}/addin/read.html`);
      assert.equal(res.status, 200);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self' https:\/\/appsforoffice\.microsoft\.com/);
      assert.match(
        csp,
        /frame-ancestors 'self' https:\/\/outlook\.office\.com https:\/\/outlook\.office365\.com https:\/\/outlook\.live\.com https:\/\/\*\.officeapps\.live\.com/,
      );
      assert.equal(res.headers.get('x-frame-options'), null);
      const html = await res.text();
      assert.match(html, /<script src="?https:\/\/appsforoffice\.microsoft\.com\/lib\/1\/hosted\/office\.js"?>/);
      // The chat page keeps the strict app-wide policy.
      const page = await fetch(`${local()}/`);
      assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'(;|$)/);
      assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /appsforoffice/);
    });

    it('serves every file the manifest names: pages, the classic-Outlook events.js and the icons', async () => {
      const manifest = readFileSync(path.join(ROOT, 'manifest.xml'), 'utf8');
      const urls = new Set([...manifest.matchAll(/https:\/\/localhost:3000(\/addin\/[^"]+)/g)].map((m) => m[1]!));
      assert.ok(urls.size >= 9);
      for (const u of urls) {
        const res = await fetch(`${local()}${u}`);
        assert.equal(res.status, 200, u);
      }
    });

    it('offers the manifest at /addin/manifest.xml with PUBLIC_URL in every URL, still schema-valid', async () => {
      const res = await fetch(`${local()}/addin/manifest.xml`);
      assert.equal(res.status, 200);
      const xml = await res.text();
      assert.doesNotMatch(xml, /localhost:3000/);
      assert.match(xml, /<bt:Url id="Read\.Url" DefaultValue="https:\/\/chat\.example\.test\/addin\/read\.html"\/>/);
      const dir = await mkdtemp(path.join(tmpdir(), 'inbox-chat-'));
      try {
        await writeFile(path.join(dir, 'm.xml'), xml);
        await promisify(execFile)('xmllint', [
          '--noout',
          '--nonet',
          '--schema',
          path.join(ROOT, 'addin/schemas/OfficeAppManifestV1_1.xsd'),
          path.join(dir, 'm.xml'),
        ]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('warns at start when PUBLIC_URL is http://, which Outlook refuses for add-in pages', () => {
      const warnings = (env: Record<string, string>) => configWarnings(loadConfig({ NODE_ENV: 'test', ...env }));
      const [http] = warnings({ PUBLIC_URL: 'http://chat.example.com' });
      assert.match(http ?? '', /PUBLIC_URL is http:\/\/chat\.example\.com: Outlook refuses/);
      assert.equal(warnings({}).length, 1, 'the no-TLS default http://localhost warns too');
      assert.deepEqual(warnings({ PUBLIC_URL: 'https://chat.example.com' }), []);
    });
  });

  describe('sidebar list', function () {
    const chats = [
      summary({
        id: 'a',
        subject: 'Budget',
        lastActivityAt: '2026-01-02T00:00:00Z',
        unread: 0,
        isOwner: true,
        lastMessage: message('totals in the sheet'),
        memberAddresses: ['me@x.example', 'ann@example.com'],
      }),
      summary({
        id: 'b',
        subject: 'Offsite',
        lastActivityAt: '2026-01-03T00:00:00Z',
        unread: 2,
        lastMessage: message('lake or mountains?'),
        memberAddresses: ['me@x.example', 'bo@example.com'],
      }),
      summary({
        id: 'c',
        subject: 'Old',
        lastActivityAt: '2026-01-01T00:00:00Z',
        endedAt: '2026-01-01T01:00:00Z',
        memberAddresses: ['me@x.example'],
      }),
    ];

    it('newest first; filters by unread, mine and not ended; searches subject, messages and people', () => {
      assert.deepEqual(
        visibleChats(chats, 'all', '').map((c) => c.id),
        ['b', 'a', 'c'],
      );
      assert.deepEqual(
        visibleChats(chats, 'unread', '').map((c) => c.id),
        ['b'],
      );
      assert.deepEqual(
        visibleChats(chats, 'mine', '').map((c) => c.id),
        ['a'],
      );
      assert.deepEqual(
        visibleChats(chats, 'active', '').map((c) => c.id),
        ['b', 'a'],
      );
      assert.deepEqual(
        visibleChats(chats, 'all', 'SHEET').map((c) => c.id),
        ['a'],
      );
      assert.deepEqual(
        visibleChats(chats, 'all', 'bo@example').map((c) => c.id),
        ['b'],
      );
      assert.deepEqual(
        visibleChats(chats, 'all', 'lake budget').map((c) => c.id),
        [],
      );
    });

    it('previews the last message and names the others in the chat', () => {
      assert.equal(messagePreview(chats[1]!.lastMessage), 'ann@example.com: lake or mountains?');
      assert.equal(messagePreview(chats[2]!.lastMessage), 'No messages yet');
      assert.equal(messagePreview(message('gone', { deleted: true })), 'Message deleted');
      assert.equal(membersLine(chats[0]!, 'me@x.example'), 'With ann@example.com');
      assert.equal(membersLine(chats[2]!, 'me@x.example'), 'Only you so far');
      const many = summary({ id: 'e', memberAddresses: ['me@x.example', 'a@x', 'b@x', 'c@x', 'd@x'] });
      assert.equal(membersLine(many, 'me@x.example'), 'With a@x, b@x, c@x and 1 more');
    });

    it('names people by their display name where they set one, and finds them by it', () => {
      const named = summary({
        id: 'n',
        memberAddresses: ['me@x.example', 'ann@example.com'],
        people: [
          { address: 'me@x.example', displayName: null },
          { address: 'ann@example.com', displayName: 'Ann Lee' },
        ],
        lastMessage: message('see you', { authorAddress: 'ann@example.com' }),
      });
      assert.equal(
        messagePreview(named.lastMessage, (a) => personName(named, a)),
        'Ann Lee: see you',
      );
      assert.equal(membersLine(named, 'me@x.example'), 'With Ann Lee');
      assert.deepEqual(
        visibleChats([named], 'all', 'ann lee').map((c) => c.id),
        ['n'],
      );
    });
  });

  it('storage: panes and event handlers find each other’s session whichever store they see', async () => {
    const officeRuntime = memoryStore();
    const local = memoryStore();
    const pane = layeredStore([officeRuntime, local]);
    await pane.set('k', 'v');
    // The event runtime of classic Outlook sees only OfficeRuntime.storage; a browser pane only localStorage.
    assert.equal(await layeredStore([officeRuntime]).get('k'), 'v');
    assert.equal(await layeredStore([local]).get('k'), 'v');
    await pane.remove('k');
    assert.equal(await officeRuntime.get('k'), null);
    assert.equal(await local.get('k'), null);
  });
});
