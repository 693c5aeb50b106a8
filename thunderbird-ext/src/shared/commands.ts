/**
 * One-shot requests from the extension's own pages (popup, Chats tab, options) to the background
 * via runtime.sendMessage. Live chat traffic goes over the relay port instead.
 */
import { t } from '../../../ui/src/i18n/index.ts';
export type Command =
  /** The chat of the message shown in a tab, or null (then "Reply with IM" is offered). */
  | { type: 'inbox-chat:chat-of-tab'; tabId: number }
  | { type: 'inbox-chat:reply-with-im'; tabId: number }
  | { type: 'inbox-chat:save-transcript'; chatId: string }
  /** The Chats tab asks which chat a notification click wanted to show. */
  | { type: 'inbox-chat:take-pending-chat' }
  | { type: 'inbox-chat:list-folders' }
  /**
   * The options page changed the settings. A suspended background misses storage.onChanged,
   * and a woken one may answer before its own storage listener ran: this makes it re-read them.
   */
  | { type: 'inbox-chat:settings-saved' };

export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/** Pushed by the background to an open Chats tab. */
export interface ShowChatMessage {
  type: 'inbox-chat:show-chat';
  chatId: string;
}

export interface FolderChoice {
  id: string;
  label: string;
}

export async function command<T>(send: (m: Command) => Promise<CommandResult<T> | undefined>, m: Command): Promise<T> {
  const r = await send(m);
  if (!r) throw Object.assign(new Error(t('thunderbird.noAnswer')), { code: 'INTERNAL' });
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value;
}
