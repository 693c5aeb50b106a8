/**
 * The message display action's popup: the displayed email's chat, or "Reply with IM" for an
 * email without a panel (a chat with its participants, the email quoted first).
 */
import { el } from '../../../ui/src/dom.ts';
import { sayAsIs, tx } from '../../../ui/src/i18n/index.ts';
import { chatBox, signInPrompt } from './chat-box.ts';
import { connect, messenger, send } from './common.ts';

const app = document.getElementById('app')!;

async function main(): Promise<void> {
  const conn = await connect();
  const [tab] = await messenger.tabs.query({ active: true, currentWindow: true });
  if (!conn.hello.address) {
    app.replaceChildren(signInPrompt(conn, 'thunderbird.signInToReply'));
    return;
  }
  if (tab?.id === undefined) return;
  const tabId = tab.id;
  const { chatId, subject } = await send<{ chatId: string | null; subject: string }>({ type: 'inbox-chat:chat-of-tab', tabId });
  if (chatId) {
    app.replaceChildren(chatBox(conn, chatId, { compact: true }).root);
    return;
  }
  const reply = el('button', { type: 'button', class: 'button button-primary', id: 'reply-with-im', ...tx('pane.replyWithIm') });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  reply.addEventListener('click', async () => {
    reply.disabled = true;
    try {
      const r = await send<{ chatId: string }>({ type: 'inbox-chat:reply-with-im', tabId });
      app.replaceChildren(chatBox(conn, r.chatId, { compact: true }).root);
    } catch (err) {
      sayAsIs(error, (err as Error).message);
      error.hidden = false;
      reply.disabled = false;
    }
  });
  app.replaceChildren(
    el(
      'section',
      { class: 'card' },
      el('h1', subject ? { text: subject } : tx('thunderbird.thisEmail')),
      el('p', tx('thunderbird.replyHelp')),
      reply,
      error,
    ),
  );
}

main().catch((err) => app.replaceChildren(el('p', { class: 'form-error', text: (err as Error).message })));
