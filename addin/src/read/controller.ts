/// <reference types="office-js" />
/**
 * The read pane's brain, free of DOM: for whichever email is selected, decide whether it has a
 * chat, open it (joining when the reader is in its audience), and set the unread info bar.
 * Outlook keeps a pinned pane open while the reader moves between emails; each move fires
 * ItemChanged, and only the newest email's answer may reach the view.
 */
import type { ChatView } from '../../../protocol/index.ts';
import type { ApiClient } from '../../../ui/src/api-client.ts';
import { officeCall } from '../office/async.ts';
import { t } from '../../../ui/src/i18n/index.ts';
import { findChatForItem, showUnreadInfoBar } from './message.ts';

export type ReadTarget =
  | { kind: 'chat'; chatId: string; chat: ChatView | null; error: { code: string; message: string } | null }
  | { kind: 'no-chat'; item: Office.MessageRead }
  | { kind: 'no-item' };

export interface ReadControllerOptions {
  api: Pick<ApiClient, 'openChat'>;
  serverUrl: string;
  /** Called with the newest selection's target; never with a stale one. */
  show: (target: ReadTarget) => void;
}

export class ReadController {
  private generation = 0;

  constructor(private readonly opts: ReadControllerOptions) {}

  /** Starts following the selected email (pinned panes get ItemChanged as the reader moves on). */
  async start(): Promise<void> {
    const mailbox = Office.context.mailbox;
    if (typeof mailbox.addHandlerAsync === 'function') {
      await officeCall<void>((cb) => mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => void this.refresh(), cb)).catch(
        () => undefined,
      );
    }
    await this.refresh();
  }

  async refresh(): Promise<ReadTarget> {
    const generation = ++this.generation;
    const item = Office.context.mailbox.item as Office.MessageRead | null;
    const target = await this.resolve(item);
    if (generation === this.generation) this.opts.show(target);
    return target;
  }

  private async resolve(item: Office.MessageRead | null): Promise<ReadTarget> {
    if (!item) return { kind: 'no-item' };
    const chatId = await findChatForItem(item, this.opts.serverUrl);
    if (!chatId) return { kind: 'no-chat', item };
    try {
      const chat = await this.opts.api.openChat(chatId);
      await showUnreadInfoBar(item, chat.unread).catch(() => undefined);
      return { kind: 'chat', chatId, chat, error: null };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return { kind: 'chat', chatId, chat: null, error: { code: e.code ?? 'ERROR', message: e.message ?? t('pane.openFailed') } };
    }
  }
}
