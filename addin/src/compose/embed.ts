/// <reference types="office-js" />
/**
 * "Embed IM": create (or, for the same draft, reuse) the chat and put its panel at the cursor.
 * The chat's key is a random id kept in the draft's custom properties, so pressing the button
 * again, or reopening the draft, finds the same chat instead of making a second one.
 */
import type { ChatView, Retention } from '../../../protocol/index.ts';
import type { ApiClient } from '../../../ui/src/api-client.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { findChatIdInHtml, findChatIdInText, panelHtml, panelText } from '../../../mail-client/panel.ts';
import {
  bodyContent,
  bodyKind,
  insertAtCursor,
  newDraftKey,
  readAudience,
  readDraftState,
  readSubject,
  setChatHeader,
  writeDraftState,
  type BodyKind,
} from './draft.ts';

export type ChatsApi = Pick<ApiClient, 'createChat' | 'replaceAudience' | 'endChat'>;

export interface EmbedOptions {
  api: ChatsApi;
  /** The server's public origin; panel links point at `${serverUrl}/c/<uuid>`. */
  serverUrl: string;
  retention?: Retention;
}

export interface EmbedResult {
  chat: ChatView;
  /** False when the draft already showed this chat's panel, so nothing was inserted. */
  inserted: boolean;
  bodyKind: BodyKind;
}

export function findChatInBody(content: string, kind: BodyKind, serverUrl: string): string | null {
  return kind === 'html' ? findChatIdInHtml(content, serverUrl) : findChatIdInText(content, serverUrl);
}

export async function embedChat(item: Office.MessageCompose, opts: EmbedOptions): Promise<EmbedResult> {
  const state = await readDraftState(item);
  const draftKey = state.draftKey ?? newDraftKey();
  // Keep the key before talking to the server: if the answer is lost, the retry reuses the chat.
  if (!state.draftKey) await writeDraftState(item, { draftKey, chatId: state.chatId });

  const [subject, audience, kind] = await Promise.all([readSubject(item), readAudience(item), bodyKind(item)]);
  const chat = await opts.api.createChat({
    subject,
    audience,
    draftKey,
    source: 'EMAIL',
    retention: opts.retention ?? 'ARCHIVED',
  });

  // Pressed again in the same draft: the chat already existed, so bring its audience up to date.
  const current = state.chatId === chat.id ? await opts.api.replaceAudience(chat.id, audience) : chat;

  const content = await bodyContent(item, kind);
  const already = findChatInBody(content, kind, opts.serverUrl) === chat.id;
  if (!already) {
    const panel = { chatUrl: chatUrl(opts.serverUrl, chat.id), chatId: chat.id, subject: chat.subject };
    await insertAtCursor(item, kind === 'html' ? panelHtml(panel) : panelText(panel), kind);
  }
  await writeDraftState(item, { draftKey, chatId: chat.id });
  // The header is a convenience for other add-ins and the server; a client without it still works.
  await setChatHeader(item, chat.id).catch(() => undefined);
  return { chat: current, inserted: !already, bodyKind: kind };
}
