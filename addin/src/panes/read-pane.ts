/// <reference types="office-js" />
/**
 * The read task pane (pinnable): the selected email's live chat, or for an email without one,
 * "Reply with IM" above the list of my chats. Follows the reader from email to email.
 */
import { ApiError } from '../../../ui/src/api-client.ts';
import { el } from '../../../ui/src/dom.ts';
import { say, sayAsIs, tx } from '../../../ui/src/i18n/index.ts';
import type { ChatTransport } from '../../../ui/src/transport.ts';
import type { AddinContext } from '../office/context.ts';
import { ReadController, type ReadTarget } from '../read/controller.ts';
import { replyWithImBody, showUnreadInfoBar } from '../read/message.ts';
import { bootPane, notice } from './boot.ts';
import { createTransport, mountChat, type MountedChat } from './chat-host.ts';
import './pane.css';

const root = document.getElementById('app') ?? document.body;
let current: MountedChat | null = null;
let transport: ChatTransport | null = null;
/** Each selection change bumps this; a view that finished loading for an older one is dropped. */
let generation = 0;

async function main(): Promise<void> {
  const ctx = await bootPane(root);
  transport = await createTransport(() => ctx.session.token);
  const controller = new ReadController({ api: ctx.api, serverUrl: ctx.serverUrl, show: (t) => void show(ctx, t) });
  root.replaceChildren(notice('pane.looking'));
  await controller.start();
}

function unmount(): void {
  current?.destroy();
  current = null;
}

async function show(ctx: AddinContext, target: ReadTarget): Promise<void> {
  const mine = ++generation;
  unmount();
  const keep = (mounted: MountedChat) => {
    if (mine === generation) current = mounted;
    else mounted.destroy();
  };
  if (target.kind === 'chat' && target.chat) {
    const item = Office.context.mailbox.item as Office.MessageRead;
    const chatHost = el('div', { class: 'pane-chat' });
    root.replaceChildren(chatHost);
    keep(
      await mountChat(chatHost, {
        chatId: target.chatId,
        api: ctx.api,
        transport: transport!,
        onUnreadChange: (n) => void showUnreadInfoBar(item, n).catch(() => undefined),
      }),
    );
    return;
  }
  if (target.kind === 'chat') {
    root.replaceChildren(...problem(ctx, target.chatId, target.error));
    return;
  }
  const listHost = el('div', { class: 'pane-list' });
  if (target.kind === 'no-chat') root.replaceChildren(replyCard(ctx, target.item), listHost);
  else root.replaceChildren(listHost);
  const { mountSidebar } = await import(/* webpackChunkName: "sidebar-view" */ '../sidebar/sidebar-view.ts');
  if (mine === generation) current = mountSidebar(listHost, { api: ctx.api, transport: transport!, me: ctx.session.address });
}

function replyCard(ctx: AddinContext, item: Office.MessageRead): HTMLElement {
  const button = el('button', { type: 'button', class: 'button button-primary', ...tx('pane.replyWithIm') });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  button.addEventListener('click', async () => {
    button.disabled = true;
    error.hidden = true;
    try {
      const chat = await ctx.api.createChat(await replyWithImBody(item));
      await show(ctx, { kind: 'chat', chatId: chat.id, chat, error: null });
    } catch (err) {
      if (err instanceof Error) sayAsIs(error, err.message);
      else say(error, 'home.startFailed');
      error.hidden = false;
      button.disabled = false;
    }
  });
  return el(
    'section',
    { class: 'card pane-reply', ...tx({ 'aria-label': 'pane.replyWithIm' }) },
    el('p', tx('pane.replyHelp')),
    button,
    error,
  );
}

function problem(ctx: AddinContext, chatId: string, error: { code: string; message: string } | null): Node[] {
  if (error?.code === 'NOT_IN_AUDIENCE') {
    const ask = el('button', { type: 'button', class: 'button button-primary', ...tx('pane.askAccess') });
    const status = el('p', { role: 'status' });
    ask.addEventListener('click', async () => {
      ask.disabled = true;
      try {
        await ctx.api.requestAccess(chatId);
        say(status, 'pane.asked');
      } catch (err) {
        if (err instanceof ApiError) sayAsIs(status, err.message);
        else say(status, 'pane.askFailed');
        ask.disabled = false;
      }
    });
    return [notice('pane.onlyAudience'), ask, status];
  }
  return [notice(error ? { asIs: error.message } : 'pane.openFailed', 'error')];
}

void main();
