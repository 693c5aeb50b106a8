import { simpleParser, type ParsedMail } from 'mailparser';
import { decodeFlowed, decodesAsUtf8, multipartWithoutParts, relabelAsUtf8, takeFlowed } from './reply-mime.ts';
import { extractReplyText } from './reply-text.ts';

/** Any character outside ASCII (written as \P{ASCII} so no control character appears in the pattern). */
const NON_ASCII = /\P{ASCII}/u;

/** A file attached to an emailed reply: posted into the chat like an upload. */
import type { EmailedFile } from '../media/emailed-file.ts';

export type { EmailedFile };

/** What the listener needs from an emailed reply: plain data, so it can cross from a worker thread. */
export interface ReadReply {
  /** Every address in the From field, as written (the listener normalises and counts them). */
  from: string[];
  messageId: string | null;
  /** Out-of-office, bounce or list mail: never posted, never bounced. */
  automatic: boolean;
  /** Files the person attached (not inline images of a signature or a quoted email, nor signature parts). */
  files: EmailedFile[];
  /** The new text only: quotes, signatures and control characters removed. */
  text: string;
}

/**
 * Only the text, the HTML and the header are used: the parser's own conversions (text to HTML
 * with linkified URLs, HTML to text) are skipped. Linkifying 256 KB of "a.com " takes seconds.
 */
const PARSER_OPTIONS = { skipTextToHtml: true, skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true } as const;

/** Parses one untrusted email and keeps only what the listener needs. Runs in a worker (reader.ts). */
export async function readReply(raw: Buffer): Promise<ReadReply> {
  const { raw: fixed, flowed } = takeFlowed(raw);
  const parsed = await simpleParser(fixed, PARSER_OPTIONS);
  const body = await readableBody(fixed, parsed);
  return {
    from: (parsed.from?.value ?? []).map((a) => a.address ?? ''),
    messageId: parsed.messageId ?? null,
    automatic: isAutomatic(parsed),
    files: realAttachments(parsed).map((a) => ({
      name: a.filename ?? 'attachment',
      contentType: a.contentType.toLowerCase(),
      content: new Uint8Array(a.content),
    })),
    text: extractReplyText({
      text: body.text && flowed ? decodeFlowed(body.text, flowed) : body.text,
      html: body.html,
      flowed: flowed !== null,
    }),
  };
}

/**
 * The text and HTML as the person wrote them, repairing what clients get wrong (reply-mime.ts):
 * a multipart without parts is read as one text part; a charset label that the bytes contradict
 * (UTF-8 bytes labelled Big5 or ISO-8859-1) gives way to UTF-8 when that reading is clean.
 */
async function readableBody(raw: Buffer, parsed: ParsedMail): Promise<{ text: string | null; html: string | null }> {
  let text = parsed.text ?? null;
  let html = typeof parsed.html === 'string' ? parsed.html : null;
  if (!text?.trim() && !html) {
    const single = multipartWithoutParts(raw);
    if (single) text = (await simpleParser(single, PARSER_OPTIONS)).text ?? null;
  }
  if ((text && NON_ASCII.test(text)) || (html && NON_ASCII.test(html))) {
    const relabelled = relabelAsUtf8(raw);
    if (relabelled) {
      const again = await simpleParser(relabelled, PARSER_OPTIONS);
      const againHtml = typeof again.html === 'string' ? again.html : null;
      if (decodesAsUtf8((again.text ?? '') + (againHtml ?? ''))) {
        text = again.text ?? null;
        html = againHtml;
      }
    }
  }
  return { text, html };
}

function isAutomatic(parsed: ParsedMail): boolean {
  const h = parsed.headers;
  const auto = String(h.get('auto-submitted') ?? 'no').toLowerCase();
  const precedence = String(h.get('precedence') ?? '').toLowerCase();
  return auto !== 'no' || ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence) || h.has('x-autoreply') || h.has('x-autorespond');
}

/**
 * Parts a client adds on its own: an S/MIME or PGP/MIME signature, Outlook's winmail.dat, the
 * calendar part of a meeting answer. A company that signs all mail must still be able to reply.
 */
const CLIENT_PARTS = new Set([
  'application/pkcs7-signature',
  'application/x-pkcs7-signature',
  'application/pgp-signature',
  'application/ms-tnef',
  'application/vnd.ms-tnef',
  'text/calendar',
  'application/ics',
]);

/** Inline images in a signature or a quoted email are not attachments the person chose to send. */
function realAttachments(parsed: ParsedMail): ParsedMail['attachments'] {
  return parsed.attachments.filter(
    (a) =>
      !(
        a.related ||
        CLIENT_PARTS.has(a.contentType.toLowerCase()) ||
        (a.contentDisposition === 'inline' && a.contentType.startsWith('image/') && a.cid)
      ),
  );
}
