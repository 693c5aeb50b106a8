/**
 * The message display action's popup: the displayed email's chat, or "Reply with IM" for an
 * email without a panel (a chat with its participants, the email quoted first).
 */
import { el } from '../../../ui/src/dom.ts';
import { chatBox, signInPrompt } from './chat-box.ts';
import { connect, messenger, send } from './common.ts';

const app = document.getElementById('app')!;

async function main(): Promise<void> {
  const conn = await connect();
  const [tab] = await messenger.tabs.query({ active: true, currentWindow: true });
  if (!conn.hello.address) {
    app.replaceChildren(signInPrompt(conn, 'Sign in to Inbox Chat once to chat from your email.'));
    return;
  }
  if (tab?.id === undefined) return;
  const tabId = tab.id;
  const { chatId, subject } = await send<{ chatId: string | null; subject: string }>({ type: 'inbox-chat:chat-of-tab', tabId });
  if (chatId) {
    app.replaceChildren(chatBox(conn, chatId, { compact: true }).root);
    return;
  }
  const reply = el('button', { type: 'button', class: 'button button-primary', id: 'reply-with-im', text: 'Reply with IM' });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  reply.addEventListener('click', async () => {
    reply.disabled = true;
    try {
      const r = await send<{ chatId: string }>({ type: 'inbox-chat:reply-with-im', tabId });
      app.replaceChildren(chatBox(conn, r.chatId, { compact: true }).root);
    } catch (err) {
      error.textContent = (err as Error).message;
      error.hidden = false;
      reply.disabled = false;
    }
  });
  app.replaceChildren(
    el(
      'section',
      { class: 'card' },
      el('h1', { text: subject || 'This email' }),
      el('p', {
        text: 'This email has no live chat. Start one with everyone on it; the email is quoted as the first message and nobody is emailed.',
      }),
      reply,
      error,
    ),
  );
}

main().catch((err) => app.replaceChildren(el('p', { class: 'form-error', text: (err as Error).message })));
