/**
 * The email bridge's parts of the chat page, end to end: real server, real PostgreSQL, real
 * SMTP catcher, real Chromium. Invitations and personal links are read from the caught mail
 * and opened in fresh browser contexts; receipts move because a member really is offline and
 * really gets emailed; settings are checked after a reload and through the API.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CaughtMail } from '../../backend/src/mail/catcher.ts';
import { api, lastMailId, type TestServer, startTestServer } from '../support/server.ts';
import {
  accessibilityProblems,
  assertUiBuilt,
  launchChromium,
  personalLink,
  SCREENSHOTS,
  signInThroughPage,
  storedSession,
  watchForPageProblems,
} from '../support/browser.ts';
import { UUID_PATTERN } from '../../protocol/patterns.ts';

declare global {
  interface Window {
    /** Every state each of my messages' receipts showed, by message text (recorded in the page). */
    receiptsSeen?: Record<string, string[]>;
  }
}

const ALICE = 'alice@example.com';
const ALICE_WORK = 'alice.work@example.net';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.org';
const SUBJECT = 'Launch plan';

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
async function say(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** My message's receipt as shown (data-state is sent, delivered, emailed or read). */
const receipt = (page: Page, text: string) => page.locator('.ic-log .ic-mine', { hasText: text }).locator('.ic-receipt');

async function openOptions(page: Page): Promise<void> {
  const details = page.locator('details.ic-tools');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
}

describe('email bridge on the chat page (Chromium)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let aliceContext: BrowserContext;
  let alice: Page;
  let chatUrl = '';
  let chatId = '';
  let bobInvitation = '';
  const pageProblems: string[] = [];
  const contexts: BrowserContext[] = [];

  const newContext = async (viewport = { width: 900, height: 760 }) => {
    const c = await browser.newContext({ viewport });
    c.setDefaultTimeout(30_000);
    watchForPageProblems(c, pageProblems);
    contexts.push(c);
    return c;
  };
  const mailTo = (address: string, after: number, subject: RegExp): Promise<CaughtMail> =>
    server.catcher!.waitFor((m) => m.id > after && m.to.includes(address) && subject.test(m.subject), 30_000);
  const aliceToken = async () => (await storedSession(alice))!.token;

  before(async function () {
    assertUiBuilt();
    server = await startTestServer({
      // Offline members are emailed soon after a message; jobs are looked for often.
      EMAIL_BATCH_WINDOW_MS: '1500',
      EMAIL_OFFLINE_DELAY_MS: '1000',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
      INVITES_PER_HOUR: '3',
      TRANSCRIPTS_PER_HOUR: '1',
    });
    browser = await launchChromium();
    aliceContext = await newContext({ width: 1100, height: 800 });
    alice = await aliceContext.newPage();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  it('starting a chat from the home page emails each person an invitation with a one-click link', async () => {
    await alice.goto(`${server.url}/`);
    await signInThroughPage(alice, server, ALICE);
    await alice.getByRole('heading', { name: 'My chats' }).waitFor();
    assert.match(await alice.locator('#new-people-help').innerText(), /email invitation with a link/);
    const before = lastMailId(server);
    await alice.getByLabel('Subject').fill(SUBJECT);
    await alice.getByLabel('People').fill(BOB);
    await alice.getByRole('button', { name: 'Start chat' }).click();
    await alice.waitForURL(new RegExp(`/c/${UUID_PATTERN}$`));
    chatUrl = alice.url();
    chatId = new URL(chatUrl).pathname.split('/').pop()!;
    const invitation = await mailTo(BOB, before, /^Invitation: Launch plan$/);
    bobInvitation = personalLink(invitation.text);
    assert.equal(new URL(bobInvitation).pathname, `/c/${chatId}`);
    await alice.locator('textarea.ic-draft:enabled').waitFor();
  });

  it('(a) alice invites carol from the chat; the link signs carol in with one click, once', async () => {
    await openOptions(alice);
    const before = lastMailId(server);
    await alice.getByLabel('Invite by email').fill(CAROL);
    await alice.getByRole('button', { name: 'Invite', exact: true }).click();
    await alice
      .getByRole('status')
      .filter({ hasText: `Invitation sent to ${CAROL}.` })
      .waitFor();
    await alice.locator('.ic-system', { hasText: `${CAROL} was added` }).waitFor();
    const link = personalLink((await mailTo(CAROL, before, /^Invitation: /)).text);

    const carolContext = await newContext({ width: 320, height: 640 });
    const carol = await carolContext.newPage();
    await carol.goto(link);
    await carol.locator('.ic-panel[data-status="online"]').waitFor();
    await carol.getByRole('heading', { name: SUBJECT }).first().waitFor();
    assert.equal(new URL(carol.url()).hash, '', 'the one-time token left the address bar at once');
    const session = await storedSession(carol);
    assert.equal(session?.chatId, chatId, 'a session for this one chat');
    await alice.locator('.ic-system', { hasText: `${CAROL} joined` }).waitFor();
    await say(carol, 'Hello from the invitation link');
    await alice.locator('.ic-log .ic-body', { hasText: 'Hello from the invitation link' }).waitFor();

    // The one-chat session's home page shows that chat and offers a full sign-in.
    const home = await carolContext.newPage();
    await home.goto(`${server.url}/`);
    await home.getByRole('heading', { name: 'Signed in for one chat' }).waitFor();
    await home.locator('.chat-item', { hasText: SUBJECT }).waitFor();
    assert.equal(await home.locator('.chat-item').count(), 1);
    assert.equal(await home.getByRole('button', { name: 'Start chat' }).count(), 0);
    await home.getByRole('button', { name: 'Sign in with a code to see all your chats' }).waitFor();
    await home.close();

    // Used a second time (another browser), the link says so and offers the normal sign-in.
    const again = await (await newContext()).newPage();
    await again.goto(link);
    await again.getByRole('alert').filter({ hasText: 'expired or was already used' }).waitFor();
    await again.locator('[data-state="link-expired"]').waitFor();
    await again.getByLabel('Your email address').waitFor();
    assert.equal(new URL(again.url()).hash, '');
    await carolContext.close();
  });

  it('invitation errors are clear: not an address, and the hourly limit', async () => {
    await openOptions(alice);
    const box = alice.getByLabel('Invite by email');
    // The browser's own check accepts this; the server does not (no dot in the domain).
    await box.fill('someone@localhost');
    await alice.getByRole('button', { name: 'Invite', exact: true }).click();
    await alice.locator('.ic-tools .ic-result-error', { hasText: 'not an email address' }).waitFor();
    // INVITES_PER_HOUR is 3: bob's and carol's invitations used two.
    await box.fill('dave@example.net');
    await alice.getByRole('button', { name: 'Invite', exact: true }).click();
    await alice.getByRole('status').filter({ hasText: 'Invitation sent to dave@example.net.' }).waitFor();
    await box.fill('erin@example.net');
    await alice.getByRole('button', { name: 'Invite', exact: true }).click();
    await alice.locator('.ic-tools .ic-result-error', { hasText: 'Too many' }).waitFor();
  });

  it('(b) bob is away: alice sees her message go sent → emailed, then read when bob opens the emailed link', async () => {
    // Bob is fully signed in on his device, then opens his invitation link there: he keeps his
    // full session and the chat simply opens (he joins). Then he leaves (closes the page).
    const bobContext = await newContext({ width: 900, height: 700 });
    const bobPage = await bobContext.newPage();
    await bobPage.goto(`${server.url}/`);
    await signInThroughPage(bobPage, server, BOB);
    await bobPage.getByRole('heading', { name: 'My chats' }).waitFor();
    const fullToken = (await storedSession(bobPage))!.token;
    await bobPage.goto(bobInvitation);
    await bobPage.locator('.ic-panel[data-status="online"]').waitFor();
    await bobPage.locator('.ic-log .ic-body', { hasText: 'Hello from the invitation link' }).waitFor();
    assert.equal((await storedSession(bobPage))?.token, fullToken, 'the full session is kept');
    await alice.locator('.ic-system', { hasText: `${BOB} joined` }).waitFor();
    await bobPage.close();

    // Carol (one-chat session, page closed) is emailed too; bob's email is the one followed here.
    // Records every state each of my messages' receipts shows. A string, not a function: the
    // test runner's transpiler would add helpers the page does not have.
    await alice.evaluate(`(() => {
      const seen = (window.receiptsSeen = {});
      const record = () => {
        for (const r of document.querySelectorAll('.ic-log .ic-mine')) {
          const body = r.querySelector('.ic-body')?.textContent ?? '';
          const state = r.querySelector('.ic-receipt')?.dataset.state;
          if (!state) continue;
          const list = (seen[body] ??= []);
          if (list[list.length - 1] !== state) list.push(state);
        }
      };
      new MutationObserver(record).observe(document.querySelector('.ic-log'), { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    const before = lastMailId(server);
    const text = 'Bob, can you check the launch date?';
    await say(alice, text);
    await receipt(alice, text).and(alice.locator('[data-state="emailed"]')).waitFor();
    const notification = await mailTo(BOB, before, /^Re: Launch plan$/);
    assert.match(notification.text, /can you check the launch date\?/);
    assert.match(notification.headers['reply-to'] ?? '', /reply\+[0-9a-f]{40}@/);
    assert.equal(await receipt(alice, text).innerText(), 'Emailed');

    // Bob opens the personal link from that email on the device where he is fully signed in.
    const bob = await bobContext.newPage();
    await bob.goto(personalLink(notification.text));
    await bob.locator('.ic-panel[data-status="online"]').waitFor();
    await bob.locator('.ic-log .ic-body', { hasText: text }).waitFor();
    assert.equal(new URL(bob.url()).hash, '');
    const kept = await storedSession(bob);
    assert.equal(kept?.token, fullToken, 'the full session is still the one in use');
    assert.ok(!kept?.chatId, 'not narrowed to one chat');

    await receipt(alice, text).and(alice.locator('[data-state="read"]')).waitFor();
    assert.equal(await receipt(alice, text).innerText(), 'Read');
    const seen = await alice.evaluate(() => window.receiptsSeen ?? {});
    assert.deepEqual(seen[text], ['sent', 'emailed', 'read']);
    // The receipts survive a reload (loaded from the delivery route).
    await alice.reload();
    await receipt(alice, text).and(alice.locator('[data-state="read"]')).waitFor();

    await say(bob, 'On it');
    await alice.locator('.ic-log .ic-body', { hasText: 'On it' }).waitFor();
    await bob.close();
    // Bob is away again: the next message is emailed to him.
    await say(alice, 'Thanks! Send me the date when you have it');
    await receipt(alice, 'Thanks! Send me the date').and(alice.locator('[data-state="emailed"]')).waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await alice.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-delivery.png') });
  });

  it('(c) turning emails off for this chat and do-not-disturb on are kept, and the API agrees', async () => {
    await openOptions(alice);
    const notify = alice.getByLabel("Email me new messages when I'm away");
    assert.equal(await notify.isChecked(), true);
    await notify.uncheck();
    await alice.getByRole('status').filter({ hasText: 'Saved: no emails from this chat.' }).waitFor();
    await alice.reload();
    await alice.locator('.ic-panel[data-status="online"]').waitFor();
    await openOptions(alice);
    assert.equal(await alice.getByLabel("Email me new messages when I'm away").isChecked(), false);
    const view = await api(server, 'GET', `/api/chats/${chatId}`, undefined, await aliceToken());
    assert.equal(view.body.me.emailNotify, false);

    // Do not disturb is one step away from the chat, through the Options menu.
    await alice.getByRole('link', { name: 'Do not disturb and my addresses' }).click();
    await alice.getByRole('heading', { name: 'Do not disturb' }).waitFor();
    await alice.getByRole('checkbox', { name: 'Do not disturb' }).check();
    await alice.getByLabel('are emailed later, and again on a schedule until I read them').check();
    await alice.getByLabel('Minutes between those emails').fill('30');
    await alice.getByRole('region', { name: 'Do not disturb' }).getByRole('button', { name: 'Save' }).click();
    await alice.getByRole('status').filter({ hasText: 'Saved: do not disturb is on.' }).waitFor();
    await alice.reload();
    await alice.getByText('On since').waitFor();
    assert.equal(await alice.getByRole('checkbox', { name: 'Do not disturb' }).isChecked(), true);
    assert.equal(await alice.getByLabel('are emailed later, and again on a schedule until I read them').isChecked(), true);
    assert.equal(await alice.getByLabel('Minutes between those emails').inputValue(), '30');
    const availability = await api(server, 'GET', '/api/me/availability', undefined, await aliceToken());
    assert.deepEqual(
      { dnd: availability.body.dnd, mode: availability.body.mode, resendMinutes: availability.body.resendMinutes },
      { dnd: true, mode: 'RESEND', resendMinutes: 30 },
    );
  });

  it('(d) "Email the transcript" sends the messages so far to the other members, once an hour here', async () => {
    await alice.goto(chatUrl);
    await alice.locator('.ic-panel[data-status="online"]').waitFor();
    await openOptions(alice);
    const before = lastMailId(server);
    await alice.getByRole('button', { name: 'Email the transcript' }).click();
    const question = alice.getByText(/^Email the messages so far to /);
    await question.waitFor();
    for (const who of [BOB, CAROL]) assert.ok((await question.innerText()).includes(who), who);
    await alice.getByRole('button', { name: 'Send it' }).click();
    const result = alice.getByRole('status').filter({ hasText: 'Transcript emailed to' });
    await result.waitFor();
    assert.match(await result.innerText(), new RegExp(`${BOB}.*${CAROL}|${CAROL}.*${BOB}`));
    for (const to of [BOB, CAROL]) {
      const mail = await server.catcher!.waitFor(
        (m) => m.id > before && m.to.includes(to) && /sent you the transcript/.test(m.text),
        30_000,
      );
      assert.match(mail.text, /Bob, can you check the launch date\?/);
      assert.match(mail.text, /Hello from the invitation link/);
      assert.match(mail.text, /On it/);
    }
    assert.equal(server.catcher!.list().filter((m) => m.id > before && m.to.includes(ALICE)).length, 0, 'the sender does not get a copy');
    // TRANSCRIPTS_PER_HOUR is 1 here.
    await alice.getByRole('button', { name: 'Email the transcript' }).click();
    await alice.getByRole('button', { name: 'Send it' }).click();
    await alice.locator('.ic-tools .ic-result-error', { hasText: 'Too many' }).waitFor();
  });

  it('(e) linking a second address by code shows both; an address of someone else is refused clearly', async () => {
    await alice.goto(`${server.url}/#settings`);
    await alice.getByRole('heading', { name: 'My email addresses' }).waitFor();
    const list = alice.getByRole('list', { name: 'My addresses' });
    await list.getByText(ALICE).waitFor();

    const before = lastMailId(server);
    await alice.getByLabel('Add another address').fill(ALICE_WORK);
    await alice.getByRole('button', { name: 'Email me a code' }).click();
    const mail = await mailTo(ALICE_WORK, before, /is your code to link/);
    const code = /\b(\d{6})\b/.exec(mail.subject)![1]!;
    await alice.getByLabel(`Code sent to ${ALICE_WORK}`).fill(code);
    await alice.getByRole('button', { name: 'Add address' }).click();
    await alice
      .getByRole('status')
      .filter({ hasText: `${ALICE_WORK} is now linked` })
      .waitFor();
    assert.deepEqual((await list.getByRole('listitem').allInnerTexts()).sort(), [ALICE, ALICE_WORK].sort());
    const me = await api(server, 'GET', '/api/me', undefined, await aliceToken());
    assert.deepEqual([...me.body.addresses].sort(), [ALICE, ALICE_WORK].sort());

    // Asking reveals nothing about bob's address; only the code from his mailbox gets the answer.
    const beforeBob = lastMailId(server);
    await alice.getByLabel('Add another address').fill(BOB);
    await alice.getByRole('button', { name: 'Email me a code' }).click();
    const bobCode = /\b(\d{6})\b/.exec((await mailTo(BOB, beforeBob, /is your code to link/)).subject)![1]!;
    await alice.getByLabel(`Code sent to ${BOB}`).fill(bobCode);
    await alice.getByRole('button', { name: 'Add address' }).click();
    await alice.getByRole('alert').filter({ hasText: 'separate identity' }).waitFor();
    await alice.reload();
    await list.getByText(ALICE_WORK).waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await alice.locator('#settings').screenshot({ path: path.join(SCREENSHOTS, 'chat-page-settings.png') });
  });

  it('the new controls have no WCAG 2 A/AA problems axe-core can find, nothing overflows at 320 px, no page errors', async () => {
    const problems: string[] = [];
    problems.push(...(await accessibilityProblems(alice)).map((p) => `home settings: ${p}`));
    await alice.goto(chatUrl);
    await alice.locator('.ic-panel[data-status="online"]').waitFor();
    await openOptions(alice);
    problems.push(...(await accessibilityProblems(alice)).map((p) => `chat options: ${p}`));

    const narrow = await (await newContext({ width: 320, height: 640 })).newPage();
    await narrow.goto(`${server.url}/`);
    await signInThroughPage(narrow, server, BOB);
    await narrow.getByRole('heading', { name: 'Do not disturb' }).waitFor();
    problems.push(...(await accessibilityProblems(narrow)).map((p) => `home 320px: ${p}`));
    assert.equal(await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
    await narrow.goto(chatUrl);
    await narrow.locator('.ic-panel[data-status="online"]').waitFor();
    await openOptions(narrow);
    problems.push(...(await accessibilityProblems(narrow)).map((p) => `chat 320px: ${p}`));
    assert.equal(await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
    await narrow.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-options-narrow.png') });
    assert.deepEqual(problems, []);
    assert.deepEqual(pageProblems, [], 'no uncaught errors or CSP violations on any page');
  });
});
