import { simpleParser, type ParsedMail } from 'mailparser';
import { extractReplyText } from './reply-text.ts';

/** What the listener needs from an emailed reply: plain data, so it can cross from a worker thread. */
export interface ReadReply {
  /** Every address in the From field, as written (the listener normalises and counts them). */
  from: string[];
  messageId: string | null;
  /** Out-of-office, bounce or list mail: never posted, never bounced. */
  automatic: boolean;
  /** Files the person attached (not inline images of a signature or a quoted email). */
  attachments: boolean;
  /** The new text only: quotes, signatures and control characters removed. */
  text: string;
}

/** Parses one untrusted email and keeps only what the listener needs. Runs in a worker (reader.ts). */
export async function readReply(raw: Buffer): Promise<ReadReply> {
  const parsed = await simpleParser(raw);
  return {
    from: (parsed.from?.value ?? []).map((a) => a.address ?? ''),
    messageId: parsed.messageId ?? null,
    automatic: isAutomatic(parsed),
    attachments: hasRealAttachments(parsed),
    text: extractReplyText({ text: parsed.text, html: typeof parsed.html === 'string' ? parsed.html : null }),
  };
}

function isAutomatic(parsed: ParsedMail): boolean {
  const h = parsed.headers;
  const auto = String(h.get('auto-submitted') ?? 'no').toLowerCase();
  const precedence = String(h.get('precedence') ?? '').toLowerCase();
  return auto !== 'no' || ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence) || h.has('x-autoreply') || h.has('x-autorespond');
}

/** Inline images in a signature or a quoted email are not attachments the person chose to send. */
function hasRealAttachments(parsed: ParsedMail): boolean {
  return parsed.attachments.some((a) => !(a.related || (a.contentDisposition === 'inline' && a.contentType.startsWith('image/') && a.cid)));
}
