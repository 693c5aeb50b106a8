/**
 * Capabilities changing the sender's interface, end to end: real server, PostgreSQL and Chromium
 * with fake camera devices (--use-fake-device-for-media-stream). The chat page reports what the
 * browser can do; Bob's client is a real Socket.IO client reporting what a device with a narrower
 * player would (this machine has only one browser engine); the recorder picks the format every
 * member plays, names who gets a link instead and who reads by email only, and a video this browser
 * cannot decode shows a download link instead of a dead player.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { ChatCapabilitiesView, ClientCapabilities, SessionView } from '../../protocol/index.ts';
import { tusUpload } from '../media/support.ts';
import { waitUntil } from '../support/wait.ts';
import { assertUiBuilt, launchChromium, signInThroughPage, watchForPageProblems } from '../support/browser.ts';
import { api, connectSocket, request, signInAll, startTestServer, type ClientSocket, type TestServer } from '../support/server.ts';

const ANN = 'ann@caps-e2e.test';
const BOB = 'bob@caps-e2e.test';
const CAT = 'cat@caps-e2e.test';
const DAN = 'dan@caps-e2e.test';
const EVE = 'eve@caps-e2e.test';

const bobDevice = (plays: ClientCapabilities['plays']): ClientCapabilities => ({
  kind: 'outlook',
  camera: false,
  microphone: true,
  plays,
  records: [],
  notifications: true,
});

describe('capabilities shape the recorder (Chromium, fake camera)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let ann: Page;
  let bob: SessionView, cat: SessionView;
  let chatId = '';
  let annToken = '';
  let bobSocket: ClientSocket | undefined;
  const problems: string[] = [];

  /** Bob's device reports, as his client does on every connect. */
  async function bobUses(plays: ClientCapabilities['plays']): Promise<void> {
    bobSocket?.close();
    bobSocket = await connectSocket(server.url, bob.token);
    assert.equal((await request(bobSocket, 'capabilities', bobDevice(plays))).ok, true);
  }
  async function openRecorder(): Promise<{ lines: string[]; format: string | undefined }> {
    await ann.getByRole('button', { name: 'Record video' }).click();
    const region = ann.getByRole('region', { name: 'Record a video message' });
    await region.locator('.ic-recorder-audience p').first().waitFor();
    const lines = await region.locator('.ic-recorder-audience p').allInnerTexts();
    const format = await region.evaluate((r: HTMLElement) => r.dataset.format);
    await region.getByRole('button', { name: 'Cancel' }).click();
    await region.waitFor({ state: 'detached' });
    return { lines, format };
  }

  before(async () => {
    assertUiBuilt();
    server = await startTestServer();
    const [owner, b, c] = await signInAll(server, [ANN, BOB, CAT]);
    annToken = owner.token;
    bob = b;
    cat = c;
    const created = await api(server, 'POST', '/api/chats', { subject: 'Site visit', audience: { to: [BOB, CAT, DAN] } }, owner.token);
    chatId = created.body.id;
    // Bob and Cat accept the chat; Cat never connects a client, Dan never even opens it.
    for (const s of [bob, cat]) assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, s.token)).status, 200);
    browser = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
    const context = await browser.newContext();
    watchForPageProblems(context, problems);
    await context.grantPermissions(['camera', 'microphone'], { origin: server.url });
    ann = await context.newPage();
    await ann.goto(`${server.url}/c/${chatId}`);
    await signInThroughPage(ann, server, ANN);
    await ann.getByPlaceholder('Write a message').waitFor();
  });
  after(async () => {
    bobSocket?.close();
    await browser?.close();
    await server?.close();
  });

  it("the chat page reports the browser's kind, devices and formats", async () => {
    const annClient = await waitUntil("ann's page reports", async () => {
      const view = await api<ChatCapabilitiesView>(server, 'GET', `/api/chats/${chatId}/capabilities`, undefined, bob.token);
      return view.body.members.find((m) => m.client?.kind === 'web')?.client;
    });
    assert.equal(annClient.camera, true, 'the fake camera is listed');
    assert.equal(annClient.microphone, true);
    assert.ok(annClient.records.includes('webm-vp8') && annClient.plays.includes('webm-vp8'), JSON.stringify(annClient));
  });

  it('the member list marks who reads by email only', async () => {
    await ann.locator('.ic-members summary').click();
    const cats = ann.locator('.ic-members-list li').filter({ hasText: CAT });
    await cats.locator('.ic-member-state').filter({ hasText: 'joined, reads by email only' }).waitFor();
    const dans = ann.locator('.ic-members-list li').filter({ hasText: DAN });
    assert.equal(await dans.locator('.ic-member-state').innerText(), 'invited', 'not joined: shown as invited, as before');
  });

  it('names who gets a link and who reads by email, and records in what everyone plays', async () => {
    await bobUses([]);
    const first = await openRecorder();
    assert.equal(first.format, 'webm-vp8', "nobody plays anything: this browser's first format");
    assert.ok(first.lines.includes(`Cannot play it, will get a link to the chat page instead: ${BOB}.`), first.lines.join('\n'));
    assert.ok(first.lines.includes(`Read by email only, will get a link to watch it: ${CAT}, ${DAN}.`), first.lines.join('\n'));

    await bobUses(['webm-vp9']);
    const second = await openRecorder();
    assert.equal(second.format, 'webm-vp9', 'the one Bob plays, which Chromium also records');
    assert.equal(second.lines[0], 'Records as WebM (VP9).');
    assert.ok(!second.lines.some((l) => l.startsWith('Cannot play')), second.lines.join('\n'));

    // Bob stops sharing his presence: his device is no longer shown, only counted as unknown.
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'NOBODY' }, bob.token)).status, 200);
    const third = await openRecorder();
    assert.ok(third.lines.includes('1 more member does not share what their device plays.'), third.lines.join('\n'));
    assert.ok(!third.lines.join('\n').includes(BOB), 'Bob is not named');
  });

  it('an open recorder follows, without reopening, a device change, a member who cannot play joining and leaving, and a member hiding', async () => {
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'SHARED_CHATS' }, bob.token)).status, 200);
    await bobUses(['webm-vp8', 'webm-vp9']);
    await ann.getByRole('button', { name: 'Record video' }).click();
    const region = ann.getByRole('region', { name: 'Record a video message' });
    const lines = region.locator('.ic-recorder-audience p');
    const cannotPlay = lines.filter({ hasText: /^Cannot play it/ });
    await lines.filter({ hasText: /^Read by email only/ }).waitFor();
    assert.equal(await cannotPlay.count(), 0, (await lines.allInnerTexts()).join('\n'));

    // Bob's client changes to one that plays nothing (a reconnect reports it): said at once.
    await bobUses([]);
    await cannotPlay.filter({ hasText: `: ${BOB}.` }).waitFor();

    // Ann adds Eve, whose client plays nothing either; Eve joins: named too.
    const [eve] = await signInAll(server, [EVE]);
    const eveSocket = await connectSocket(server.url, eve.token);
    try {
      assert.equal((await request(eveSocket, 'capabilities', bobDevice([]))).ok, true);
      const added = await api(server, 'PUT', `/api/chats/${chatId}/audience`, { audience: { to: [BOB, CAT, DAN, EVE] } }, annToken);
      assert.equal(added.status, 200, JSON.stringify(added.body));
      await lines.filter({ hasText: new RegExp(`^Read by email only.*${EVE.replace('.', '\\.')}`) }).waitFor();
      assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, eve.token)).status, 200);
      await cannotPlay.filter({ hasText: `: ${BOB}, ${EVE}.` }).waitFor();

      // Ann takes Eve off the chat: no longer named.
      const left = await api(server, 'PUT', `/api/chats/${chatId}/audience`, { audience: { to: [BOB, CAT, DAN] } }, annToken);
      assert.equal(left.status, 200, JSON.stringify(left.body));
      await cannotPlay.filter({ hasText: new RegExp(`: ${BOB.replace('.', '\\.')}\\.$`) }).waitFor();
    } finally {
      eveSocket.close();
    }

    // Bob hides his presence: his client is no longer shown, only counted.
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'NOBODY' }, bob.token)).status, 200);
    await lines.filter({ hasText: '1 more member does not share what their device plays.' }).waitFor();
    assert.equal(await cannotPlay.count(), 0, 'Bob is not named any more');
    assert.equal(await region.evaluate((r: HTMLElement) => r.dataset.format), 'webm-vp8');
    await region.getByRole('button', { name: 'Cancel' }).click();
    await region.waitFor({ state: 'detached' });

    // Cat connects a client for the first time: the member list stops marking her as reading by email only.
    const cats = ann.locator('.ic-members-list li').filter({ hasText: CAT });
    assert.equal(await cats.locator('.ic-member-state').innerText(), 'joined, reads by email only');
    const catSocket = await connectSocket(server.url, cat.token);
    try {
      assert.equal((await request(catSocket, 'capabilities', bobDevice(['webm-vp8']))).ok, true);
      await waitUntil('the mark goes', async () => !(await cats.locator('.ic-member-state').innerText()).includes('email only'));
    } finally {
      catSocket.close();
    }
  });

  it('a video this browser cannot decode shows a download link instead of a dead player', async () => {
    // Not a WebM at all: Chromium fails to decode it, as a client would with a codec it lacks.
    const up = await tusUpload(server.url, cat.token, chatId, Buffer.from('not really a video '.repeat(200)), {
      name: 'clip.webm',
      type: 'video/webm',
    });
    const posted = await api(server, 'POST', `/api/chats/${chatId}/attachments`, { clientId: 'c1', uploadId: up.uploadId }, cat.token);
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const fallback = ann.locator('.ic-attachment-video .ic-cannot-play');
    await fallback.waitFor({ timeout: 20_000 });
    assert.equal(await ann.locator('.ic-attachment-video video').count(), 0, 'no player left behind');
    const download = fallback.getByRole('link', { name: 'Download it' });
    assert.match((await download.getAttribute('href')) ?? '', /\/media\//);
    assert.equal(await fallback.getByRole('link', { name: 'Watch it on the chat page' }).count(), 0, 'already on the chat page');
    assert.deepEqual(problems, []);
  });
});
