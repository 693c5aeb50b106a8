/**
 * The built event runtime (dist/addin/events.js) as classic Outlook on Windows loads it: a bare
 * script in a JavaScript-only runtime that Microsoft documents as ES2016. The file must parse as
 * ES2016 (no async/await, `?.`, `??`, object spread) and must run with only ES2016 built-ins:
 * no `globalThis`, no `Promise.prototype.finally`, no `Object.entries`, no DOM, no localStorage,
 * no page origin. Needs `npm run build:addin` first.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';
import { parse } from 'acorn';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EVENTS_JS = path.join(ROOT, 'dist/addin/events.js');
const OFFICE_MOCK = path.join(ROOT, 'test/addin/support/office-mock.js');
const OWNER = 'quinn@owner.example';

const parsesAs2016 = (code: string): boolean => {
  try {
    parse(code, { ecmaVersion: 2016, sourceType: 'script' });
    return true;
  } catch {
    return false;
  }
};

/**
 * Built-ins newer than ES2016 removed from a fresh context, so a bundle that relies on one fails
 * here as it would in classic Outlook. (`globalThis` is a configurable property of the global.)
 */
const STRIP_TO_ES2016 = `
  delete Promise.prototype.finally;
  delete Promise.allSettled;
  delete Promise.any;
  delete Object.entries;
  delete Object.values;
  delete Object.fromEntries;
  delete Object.getOwnPropertyDescriptors;
  delete String.prototype.padStart;
  delete String.prototype.padEnd;
  delete String.prototype.trimStart;
  delete String.prototype.trimEnd;
  delete String.prototype.matchAll;
  delete String.prototype.replaceAll;
  delete Array.prototype.flat;
  delete Array.prototype.flatMap;
  delete Array.prototype.at;
  delete globalThis.globalThis;
`;

describe('Outlook add-in: the event bundle for classic Outlook (ES2016)', function () {
  let code: string;
  before(async () => {
    code = await readFile(EVENTS_JS, 'utf8').catch(() => {
      throw new Error('dist/addin/events.js is missing: run npm run build:addin');
    });
  });

  it('the ES2016 check is real: it rejects async/await, optional chaining, ?? and object spread', () => {
    assert.equal(parsesAs2016('var f = function (a) { return a ** 2; };'), true);
    assert.equal(parsesAs2016('async function f() { await 1; }'), false);
    assert.equal(parsesAs2016('var a = {}; a?.b;'), false);
    assert.equal(parsesAs2016('var a = null ?? 1;'), false);
    assert.equal(parsesAs2016('var a = {}; var b = { ...a };'), false);
  });

  it('events.js parses as ECMAScript 2016 and contains no async function or await', () => {
    assert.ok(code.length > 1000, 'the bundle is built');
    parse(code, { ecmaVersion: 2016, sourceType: 'script' });
    assert.doesNotMatch(code, /\basync\s+function\b|\bawait\s/);
  });

  describe('runs with only ES2016 built-ins', function () {
    let server: TestServer;
    let token: string;
    before(async () => {
      server = await startTestServer();
      token = (await signIn(server, OWNER)).token;
    });
    after(async () => server.close());

    /** Loads the mocked office.js and events.js into a stripped context, like classic Outlook. */
    async function classicRuntime(item: Record<string, unknown>) {
      const storage = new Map<string, string>([
        ['inbox-chat.addin.session', JSON.stringify({ token, address: OWNER, expiresAt: new Date(Date.now() + 864e5).toISOString() })],
        // Left by a pane: the bare script has no page origin of its own.
        ['inbox-chat.addin.server', server.url],
      ]);
      // Only host objects the event runtime offers: timers, fetch, OfficeRuntime.storage (no DOM,
      // no localStorage, no Headers or URLSearchParams).
      const sandbox: Record<string, unknown> = {
        setTimeout,
        clearTimeout,
        console,
        fetch: (url: string, init?: RequestInit) => fetch(url, init),
        OfficeRuntime: {
          storage: {
            getItem: (k: string) => Promise.resolve(storage.get(k) ?? null),
            setItem: (k: string, v: string) => Promise.resolve(void storage.set(k, v)),
            removeItem: (k: string) => Promise.resolve(void storage.delete(k)),
          },
        },
        __OUTLOOK__: { me: OWNER, item },
      };
      sandbox.window = sandbox;
      const context = vm.createContext(sandbox);
      vm.runInContext(STRIP_TO_ES2016, context);
      assert.equal(vm.runInContext('typeof globalThis', context), 'undefined', 'the context really lacks globalThis');
      vm.runInContext(await readFile(OFFICE_MOCK, 'utf8'), context, { filename: 'office-mock.js' });
      vm.runInContext(code, context, { filename: 'events.js' });
      const outlook = sandbox.__outlook as { state: { actions: Record<string, (e: unknown) => void> } };
      return {
        storage,
        fire: (name: string) =>
          new Promise<{ allowEvent?: boolean }>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${name} did not complete`)), 10_000);
            outlook.state.actions[name]!({
              completed: (o?: { allowEvent?: boolean }) => {
                clearTimeout(timer);
                resolve(o ?? {});
              },
            });
          }),
      };
    }

    it('OnMessageSend syncs the audience and allows the send; OnMessageRecipientsChanged syncs too; a removed panel ends the chat', async () => {
      const started = await api(server, 'POST', '/api/chats', { subject: 'Classic', audience: { to: ['rose@example.com'] } }, token);
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const chatId: string = started.body.id;
      const body = `<div>Hi</div><table><tr><td><a href="${server.url}/c/${chatId}">Open the chat</a></td></tr></table>`;
      const customProperties = { inboxChatId: chatId, inboxChatDraftKey: `k-${chatId}` };

      const sending = await classicRuntime({
        kind: 'compose',
        subject: 'Classic',
        from: OWNER,
        to: ['rose@example.com', 'sam@example.com'],
        body,
        customProperties,
      });
      assert.equal((await sending.fire('onMessageSend')).allowEvent, true);
      let chat = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, token)).body;
      assert.deepEqual(chat.audience.map((a: { address: string }) => a.address).sort(), [OWNER, 'rose@example.com', 'sam@example.com']);

      const editing = await classicRuntime({
        kind: 'compose',
        subject: 'Classic',
        from: OWNER,
        to: ['rose@example.com'],
        cc: ['tom@example.com'],
        body,
        customProperties,
      });
      await editing.fire('onMessageRecipientsChanged');
      chat = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, token)).body;
      assert.ok(
        chat.audience.some((a: { address: string }) => a.address === 'tom@example.com'),
        'recipients change synced',
      );
      assert.ok(!chat.audience.some((a: { address: string }) => a.address === 'sam@example.com'), 'removed recipient dropped');

      // The panel was deleted from the draft before sending: the send ends the chat, and goes out.
      const removed = await classicRuntime({
        kind: 'compose',
        subject: 'Classic',
        from: OWNER,
        to: ['rose@example.com'],
        body: '<div>Hi, no chat after all</div>',
        customProperties,
      });
      assert.equal((await removed.fire('onMessageSend')).allowEvent, true);
      chat = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, token)).body;
      assert.notEqual(chat.endedAt, null, 'panel removed: chat ended');
    });
  });
});
