import type { MessageKind, MessageView } from '../../../protocol/index.ts';
import { withAttachment } from './attachment-body.ts';
import type { MemberHandles } from './handles.ts';

/** A message row as raw SQL returns it (snake_case). */
export interface MessageRow {
  chat_id: string;
  seq: number;
  client_id: string;
  author_id: string | null;
  author_address: string | null;
  kind: MessageKind;
  body: string;
  target_seq: number | null;
  created_at: Date;
  deleted_at: Date | null;
  edited_at: Date | null;
  /** Identity ids of the members it mentions (MESSAGE_COLUMNS reads them; absent from narrower queries). */
  mentions?: string[];
}

export const MESSAGE_COLUMNS = `chat_id, seq, client_id, author_id, author_address, kind, body, target_seq, created_at, deleted_at, edited_at,
  ARRAY(SELECT mm.identity_id::text FROM message_mention mm WHERE mm.chat_id = message.chat_id AND mm.seq = message.seq) AS mentions`;

export function messageView(r: MessageRow): MessageView {
  return {
    chatId: r.chat_id,
    seq: r.seq,
    clientId: r.client_id,
    authorId: r.author_id,
    authorAddress: r.author_address,
    kind: r.kind,
    body: r.deleted_at ? '' : r.body,
    targetSeq: r.target_seq,
    createdAt: r.created_at.toISOString(),
    deleted: r.deleted_at !== null,
    editedAt: r.edited_at?.toISOString() ?? null,
    // Filled in per viewer where a view shows them (reactions.ts); a fresh message has none.
    reactions: [],
    mentions: r.mentions ?? [],
    mentionsMe: false,
  };
}

/**
 * A message as it leaves the server: the author and the mentioned named by their handles in this
 * chat, never by identity id, and `mentionsMe` said for the one viewer it goes to (none: false).
 * Inside the server (writer, notifier) messages keep identity ids.
 */
export function publicMessage(m: MessageView, handles: MemberHandles, viewerId?: string): MessageView {
  const shown = withAttachment(m);
  return {
    ...shown,
    authorId: shown.authorId === null ? null : handles.of(shown.chatId, shown.authorId),
    mentions: shown.mentions.map((id) => handles.of(shown.chatId, id)),
    mentionsMe: viewerId !== undefined && shown.mentions.includes(viewerId),
  };
}
