import assert from 'node:assert/strict';
import { createBackground } from '../../thunderbird-ext/src/background/background.ts';
import type { CommandResult } from '../../thunderbird-ext/src/shared/commands.ts';
import { MessengerMock } from './support/messenger-mock.ts';
import { waitUntil } from '../support/wait.ts';

const CHAT = '3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60';

/**
 * The background as Thunderbird runs it (signed out: no server is needed), against the messenger
 * mock. Thunderbird delivers a waking event only to listeners that exist when the script first
 * runs, so every one must be registered before createBackground() returns, and handlers must wait
 * for the start-up they may have woken.
 */
describe('Thunderbird background: createBackground', () => {
  it('registers every listener synchronously, before anything is awaited', () => {
    const mock = new MessengerMock();
    void createBackground(mock.messenger);
    const e = mock.events;
    const counts = [e.connect, e.message, e.storageChanged, e.tabRemoved, e.beforeSend, e.afterSend, e.composeActionClicked, e.alarm]
      .concat([e.notificationClicked])
      .map((ev) => ev.listeners.size);
    assert.deepEqual(counts, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('answers a command that arrived while it was starting once it has started', async () => {
    const mock = new MessengerMock();
    mock.sessionData.pendingChat = CHAT;
    const { ready } = createBackground(mock.messenger);
    let answered = false;
    const [answer] = await Promise.all([
      mock.events.message.fire({ type: 'inbox-chat:take-pending-chat' }, { id: mock.messenger.runtime.id }).then(([r]) => {
        answered = true;
        return r as CommandResult<unknown>;
      }),
      ready.then(() => assert.equal(answered, false, 'ready settles before the waiting command is answered')),
    ]);
    assert.deepEqual(answer, { ok: true, value: CHAT });
    assert.equal(mock.sessionData.pendingChat, undefined, 'taken once');
  });

  it('a click on a chat notification asks the Chats tab to show that chat; an id that is no UUID does nothing', async () => {
    const mock = new MessengerMock();
    const shown: unknown[] = [];
    mock.messenger.runtime.sendMessage = async (message) => void shown.push(message);
    const { ready } = createBackground(mock.messenger);
    await ready;
    // 36 characters of hex digits and dashes, but no UUID: the one pattern refuses it.
    await mock.events.notificationClicked.fire(`inbox-chat:${'-'.repeat(36)}:3`);
    await mock.events.notificationClicked.fire(`inbox-chat:${CHAT}:3`);
    await waitUntil('the chat to be shown', () => shown.length > 0, 2_000);
    assert.deepEqual(shown, [{ type: 'inbox-chat:show-chat', chatId: CHAT }]);
    assert.equal(mock.sessionData.pendingChat, CHAT);
  });

  it('after starting, registers the message and compose scripts and the unread alarm', async () => {
    const mock = new MessengerMock();
    await createBackground(mock.messenger).ready;
    await waitUntil('the unread alarm', () => mock.alarms.has('inbox-chat-unread'), 2_000);
    assert.deepEqual(
      [mock.registered.messageDisplay.map((s) => s.id), mock.registered.compose.map((s) => s.id)],
      [['inbox-chat-message'], ['inbox-chat-compose']],
    );
  });
});
