/// <reference types="office-js" />
/**
 * The compose task pane, opened by "Embed IM": inserts the chat panel at the cursor (once per
 * draft), then shows the live chat and keeps its audience in step with the draft's recipients.
 */
import { ApiError } from '../../../ui/src/api-client.ts';
import { el } from '../../../ui/src/dom.ts';
import { say, t, tx } from '../../../ui/src/i18n/index.ts';
import { embedChat } from '../compose/embed.ts';
import { syncDraft } from '../compose/sync.ts';
import { officeCall, supportsMailbox } from '../office/async.ts';
import type { AddinContext } from '../office/context.ts';
import { bootPane, notice, signIn } from './boot.ts';
import { createTransport, mountChat } from './chat-host.ts';
import './pane.css';

const root = document.getElementById('app') ?? document.body;

async function main(): Promise<void> {
  const ctx = await bootPane(root, 'addin.composeTitle');
  await embed(ctx);
}

async function embed(ctx: AddinContext): Promise<void> {
  root.replaceChildren(notice('pane.embedding'));
  const item = Office.context.mailbox.item as Office.MessageCompose;
  try {
    const result = await embedChat(item, { api: ctx.api, serverUrl: ctx.serverUrl });
    const status = notice(result.inserted ? 'pane.embedded' : 'pane.alreadyEmbedded');
    const chatHost = el('div', { class: 'pane-chat' });
    root.replaceChildren(status, chatHost);
    const transport = await createTransport(() => ctx.session.token);
    await mountChat(chatHost, { chatId: result.chat.id, api: ctx.api, transport });
    followRecipients(ctx, item, status);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
      await ctx.session.clear();
      await signIn(root, ctx, t('page.sessionEnded'));
      return embed(ctx);
    }
    const retry = el('button', { type: 'button', class: 'button button-primary', ...tx('route.tryAgain') });
    retry.addEventListener('click', () => void embed(ctx));
    const message =
      err instanceof ApiError && err.code === 'NETWORK'
        ? notice('pane.embedUnreachable', 'error')
        : notice({ asIs: t('pane.embedFailed', { reason: err instanceof Error ? err.message : String(err) }) }, 'error');
    root.replaceChildren(message, retry);
  }
}

/** While the pane is open, recipient edits reach the chat at once (the event handler also does). */
function followRecipients(ctx: AddinContext, item: Office.MessageCompose, status: HTMLElement): void {
  if (!supportsMailbox('1.7') || typeof item.addHandlerAsync !== 'function') return;
  const sync = async () => {
    const outcome = await syncDraft(item, {
      api: ctx.api,
      pending: ctx.pending,
      serverUrl: ctx.serverUrl,
      timeoutMs: 10_000,
      sending: false,
    });
    if (outcome.action === 'audience') {
      say(status, outcome.delivered ? 'pane.recipientsSynced' : 'pane.recipientsPending');
    }
  };
  void officeCall<void>((cb) => item.addHandlerAsync(Office.EventType.RecipientsChanged, () => void sync(), cb)).catch(() => undefined);
}

void main();
