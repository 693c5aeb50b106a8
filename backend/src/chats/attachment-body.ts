import type { AttachmentView, MessageView } from '../../../protocol/index.ts';

/**
 * An ATTACHMENT message keeps its attachment in the message's body column as JSON the server
 * wrote (never a member's text), so archived and ephemeral chats, the writer's batches and
 * catch-up carry it like any body. It becomes `attachment` as the message leaves the server.
 */
export function attachmentBody(a: AttachmentView): string {
  return JSON.stringify(a);
}

/** The attachment an ATTACHMENT message's stored body holds (null for any other message). */
export function attachmentOf(m: Pick<MessageView, 'kind' | 'body'>): AttachmentView | null {
  return m.kind === 'ATTACHMENT' && m.body !== '' ? (JSON.parse(m.body) as AttachmentView) : null;
}

/** The message as clients see it: the attachment as a field, the body empty. Deleted ones have neither. */
export function withAttachment(m: MessageView): MessageView {
  const attachment = m.deleted ? null : attachmentOf(m);
  return attachment ? { ...m, body: '', attachment } : m;
}
