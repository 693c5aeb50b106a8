/**
 * The panel column of the presence privacy table (test/backend/privacy.test.ts has REST, the
 * socket and email): what each viewer's Chromium page shows of Sam under every visibility
 * setting, one browser context per relationship, against a real server, PostgreSQL and
 * Socket.IO. The surface is the one where that viewer would meet Sam: the shared chat panel's
 * member list for the chats they are in, the contacts view for a contact without a shared chat
 * and for a stranger. Sam stays connected and looking throughout, so a missing dot is the rule
 * at work, not an offline Sam; after every change each page is checked both ways, and the
 * viewers who do see Sam show the notices are arriving.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { PresenceVisibility } from '../../protocol/index.ts';
import { api, type ClientSocket, connectSocket, signInAll, startTestServer, type TestServer } from '../support/server.ts';
import { assertUiBuilt, launchChromium, watchForPageProblems } from '../support/browser.ts';
import { waitUntil } from '../support/wait.ts';

type Viewer = 'sharer' | 'contact' | 'blocked' | 'bccOwner' | 'bccPeer' | 'lurker' | 'emailer' | 'stranger';
type ChatKey = 'c0' | 'c1' | 'c2' | 'c3' | 'c4';

const SAM = 'sam@example.com';
const ADDR: Record<Viewer, string> = {
  sharer: 'shara@example.com',
  contact: 'connie@example.org',
  blocked: 'blake@example.net',
  bccOwner: 'bo@example.com',
  bccPeer: 'pia@example.com',
  lurker: 'lu@example.org',
  emailer: 'emil@example.net',
  stranger: 'stan@example.com',
};
/**
 * The relationships (as in the REST/socket table) and where each viewer looks for Sam:
 * sharer: accepted Sam's chat c1 (then they removed each other as contacts) — c1's panel;
 * contact: a contact who no longer shares a chat (Sam took them off c0) — the contacts view;
 * blocked: accepted c1, but Sam blocked their address — c1's panel;
 * bccOwner: owns c2, where Sam is Bcc and accepted (so they are contacts) — c2's panel;
 * bccPeer: a visible member of c2, who must never learn of the Bcc member — c2's panel;
 * lurker: Bcc on c3 where Sam is visible: sees Sam there, Sam cannot see them — c3's panel;
 * emailer: sent Sam an email with a chat (c4) that Sam never opened — c4's panel;
 * stranger: signed in, nothing in common — the contacts view.
 */
const SURFACE: Record<Viewer, ChatKey | 'contacts'> = {
  sharer: 'c1',
  contact: 'contacts',
  blocked: 'c1',
  bccOwner: 'c2',
  bccPeer: 'c2',
  lurker: 'c3',
  emailer: 'c4',
  stranger: 'contacts',
};
/** Who sees Sam's presence under each setting (the same table as privacy.test.ts). */
const EXPECTED: Record<PresenceVisibility, Viewer[]> = {
  SIGNED_IN: ['sharer', 'contact', 'bccOwner', 'lurker'],
  SHARED_CHATS: ['sharer', 'bccOwner'],
  CONTACTS: ['contact', 'bccOwner'],
  NOBODY: [],
};
const VIEWERS = Object.keys(ADDR) as Viewer[];

describe('presence privacy table, the panel column (Chromium, one context per relationship)', function () {
  this.timeout(300_000);
  let server: TestServer;
  let browser: Browser;
  let samSocket: ClientSocket | undefined;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const tokens = {} as Record<Viewer | 'sam', string>;
  const chats = {} as Record<ChatKey, string>;
  const pages = {} as Record<Viewer, Page>;

  const call = async (who: Viewer | 'sam', method: string, path: string, body?: unknown) => {
    const r = await api(server, method, path, body, tokens[who]);
    assert.ok(r.status < 300, `${who} ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const open = (who: Viewer | 'sam', chat: ChatKey) => call(who, 'POST', `/api/chats/${chats[chat]}/open`);

  /** Sam's row in the panel's member list, or Sam's entry in the contacts view. */
  const samEntry = (v: Viewer): Locator =>
    SURFACE[v] === 'contacts'
      ? pages[v].getByRole('list', { name: 'My contacts' }).getByRole('listitem').filter({ hasText: SAM })
      : pages[v].locator('.ic-members-list li', { hasText: SAM });
  /** The presence Sam's entry shows: a state's name, or null for none (no dot, or "not shared"). */
  const shown = async (v: Viewer): Promise<string | null> => {
    const dots = samEntry(v).locator('.ic-presence');
    if ((await dots.count()) === 0) return null;
    const label = await dots.first().getAttribute('aria-label');
    return label === 'Presence not shared' ? null : label;
  };

  before(async () => {
    assertUiBuilt();
    server = await startTestServer({ PRESENCE_AWAY_MS: '60000', PRESENCE_HEARTBEAT_MS: '300' });
    browser = await launchChromium();
    const sessions = await signInAll(server, [SAM, ...VIEWERS.map((v) => ADDR[v])]);
    tokens.sam = sessions[0]!.token;
    VIEWERS.forEach((v, i) => (tokens[v] = sessions[i + 1]!.token));

    chats.c0 = (await call('sam', 'POST', '/api/chats', { subject: 'Met once', audience: { to: [ADDR.contact] } })).id;
    await open('contact', 'c0');
    await call('sam', 'PUT', `/api/chats/${chats.c0}/audience`, { audience: { to: [] } });
    chats.c1 = (await call('sam', 'POST', '/api/chats', { subject: 'Sam’s', audience: { to: [ADDR.sharer, ADDR.blocked] } })).id;
    await open('sharer', 'c1');
    await open('blocked', 'c1');
    const samForSharer = (await call('sharer', 'GET', '/api/me/contacts')).contacts.find((c: { address: string }) => c.address === SAM);
    await call('sharer', 'DELETE', `/api/me/contacts/${samForSharer.id}`);
    await call('sam', 'POST', '/api/me/blocks', { address: ADDR.blocked });
    chats.c2 = (await call('bccOwner', 'POST', '/api/chats', { subject: 'Bcc', audience: { to: [ADDR.bccPeer], bcc: [SAM] } })).id;
    await open('sam', 'c2');
    await open('bccPeer', 'c2');
    chats.c3 = (await call('bccOwner', 'POST', '/api/chats', { subject: 'Lurk', audience: { to: [SAM], bcc: [ADDR.lurker] } })).id;
    await open('sam', 'c3');
    await open('lurker', 'c3');
    chats.c4 = (
      await call('emailer', 'POST', '/api/chats', {
        subject: 'Re: Invoice',
        source: 'EMAIL',
        emailMessageId: '<invoice-42@example.net>',
        audience: { from: [ADDR.emailer], to: [SAM] },
      })
    ).id;

    // Sam: connected and looking, all along.
    samSocket = await connectSocket(server.url, tokens.sam);
    samSocket.emit('presence:visibility', { visible: true });

    // One context per viewer, signed in as the page keeps it (the stored session), on its surface;
    // one after the other, as eight page loads at once starve two shared cores.
    for (const v of VIEWERS) {
      const session = { token: tokens[v], address: ADDR[v], expiresAt: new Date(Date.now() + 86_400_000).toISOString() };
      const context = await browser.newContext({
        viewport: { width: 1100, height: 800 },
        storageState: {
          cookies: [],
          origins: [{ origin: server.url, localStorage: [{ name: 'inbox-chat.session', value: JSON.stringify(session) }] }],
        },
      });
      context.setDefaultTimeout(30_000);
      watchForPageProblems(context, problems);
      contexts.push(context);
      const page = await context.newPage();
      const surface = SURFACE[v];
      await page.goto(surface === 'contacts' ? `${server.url}/` : `${server.url}/c/${chats[surface]}`, {
        waitUntil: 'domcontentloaded',
        timeout: 60_000,
      });
      if (surface === 'contacts') await page.getByRole('list', { name: 'My contacts' }).waitFor({ state: 'attached' });
      else {
        await page.locator('.ic-panel[data-status="online"]').waitFor();
        await page.locator('.ic-members summary').click();
        await page.locator('.ic-members-list li', { hasText: ADDR[v] }).waitFor();
      }
      pages[v] = page;
    }
  });
  after(async () => {
    samSocket?.close();
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  it('each page shows Sam where the relationship puts Sam, and nowhere else', async () => {
    // Listed (with or without a dot) for everyone in a chat with Sam who may see Sam there, and
    // for the contact; never for the Bcc peer (the Bcc rule) or the stranger.
    for (const v of VIEWERS) {
      const listed = !['bccPeer', 'stranger'].includes(v);
      if (listed) await samEntry(v).first().waitFor();
      else assert.equal(await samEntry(v).count(), 0, `${v} must not see Sam listed`);
    }
  });

  for (const [setting, allowed] of Object.entries(EXPECTED) as [PresenceVisibility, Viewer[]][]) {
    it(`Sam's setting ${setting}: ${allowed.length ? allowed.join(', ') : 'nobody'} see Sam's presence in the panel, no one else`, async () => {
      assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: setting }, tokens.sam)).status, 200);
      await waitUntil(
        `the pages follow ${setting}`,
        async () => {
          const now = await Promise.all(VIEWERS.map(shown));
          return VIEWERS.every((v, i) => (allowed.includes(v) ? now[i] === 'Available' : now[i] === null));
        },
        20_000,
      );
      // Late notices would land here: give them time, then the same table again.
      await new Promise((r) => setTimeout(r, 800));
      for (const v of VIEWERS) {
        assert.equal(await shown(v), allowed.includes(v) ? 'Available' : null, `${v} under ${setting}`);
      }
      assert.equal(await samEntry('bccPeer').count(), 0, 'the Bcc member is never listed for a visible member');
      assert.deepEqual(problems, []);
    });
  }
});
