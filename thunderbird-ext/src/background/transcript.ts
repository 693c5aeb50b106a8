/**
 * "Save transcript": the whole chat as one plain-text email, filed into a local folder the user
 * chose and threaded under the email the chat came from (In-Reply-To/References).
 */
import { emailMessageIdSchema, type ChatView, type HistoryPage, type MessageView } from '../../../protocol/index.ts';
import { CHAT_HEADER } from '../../../mail-client/chat-header.ts';
import { DELETED_MESSAGE_TEXT } from '../../../mail-client/preview.ts';
import type { Messenger } from '../messenger.ts';
import { word, wordsLanguage } from './words.ts';

export interface TranscriptApi {
  chat(chatId: string): Promise<ChatView>;
  history(chatId: string, query: { after?: number; limit?: number }): Promise<HistoryPage>;
}

/** Every message oldest first, paged with `after` so a long chat is read in bounded requests. */
export async function allMessages(api: TranscriptApi, chatId: string): Promise<MessageView[]> {
  const out: MessageView[] = [];
  let after = 0;
  for (;;) {
    const page = await api.history(chatId, { after, limit: 100 });
    out.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.hasMore || !last) return out;
    after = last.seq;
  }
}

function encodeWord(s: string): string {
  // RFC 2047 for non-ASCII header text; ASCII stays readable.
  if (/^[\x20-\x7e]*$/.test(s)) return s;
  return `=?UTF-8?B?${base64(s)}?=`;
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function wrap76(s: string): string {
  return s.replace(/.{1,76}/g, '$&\r\n');
}

/** When it was saved, written the way Thunderbird's language writes a date (in UTC, like the entries). */
function savedAt(now: Date): string {
  return new Intl.DateTimeFormat(wordsLanguage(), { dateStyle: 'long', timeStyle: 'long', timeZone: 'UTC' }).format(now);
}

function stamp(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

export function transcriptLine(m: MessageView): string | null {
  const who = m.authorAddress ?? word('extensionName');
  switch (m.kind) {
    case 'DELETION':
      return null;
    case 'SYSTEM':
    case 'CALL':
      return `[${stamp(m.createdAt)}] * ${m.body}`;
    case 'QUOTE':
      return `[${stamp(m.createdAt)}] ${word('transcriptEmailFrom', who)}\n${m.body.replace(/^/gm, '> ')}`;
    default:
      return `[${stamp(m.createdAt)}] ${who}: ${m.deleted ? `(${DELETED_MESSAGE_TEXT})` : m.body}`;
  }
}

export interface TranscriptInput {
  chat: Pick<ChatView, 'id' | 'subject'>;
  messages: MessageView[];
  /** The address the transcript is from and to (the user). */
  me: string;
  chatUrl: string;
  /** Message-ID of the email the chat belongs to, with or without angle brackets. */
  inReplyTo: string | null;
  now: Date;
}

const angle = (id: string) => (id.startsWith('<') ? id : `<${id}>`);

/**
 * The thread root as a header value, or null when it is not a well-formed Message-ID: it comes
 * from the server (set by the chat's owner) or a message header, and a CR/LF in it would write
 * extra headers into the saved .eml. Without it the transcript is simply not threaded.
 */
function threadHeader(id: string | null): string | null {
  if (!id) return null;
  const parsed = emailMessageIdSchema.safeParse(id);
  return parsed.success ? angle(parsed.data) : null;
}

/** An RFC 5322 message (CRLF, base64 UTF-8 body) ready for messages.import. */
export function transcriptEmail(t: TranscriptInput): string {
  const chatSubject = t.chat.subject || word('transcriptNoSubject');
  const subject = word('transcriptSubject', chatSubject);
  const thread = threadHeader(t.inReplyTo);
  const lines = t.messages.map(transcriptLine).filter((l): l is string => l !== null);
  const body = [
    word('transcriptHeading', chatSubject),
    t.chatUrl,
    word('transcriptSaved', savedAt(t.now), String(lines.length)),
    '',
    ...(lines.length ? lines : [word('transcriptEmpty')]),
    '',
  ].join('\r\n');
  const headers = [
    `From: Inbox Chat <${t.me}>`,
    `To: ${t.me}`,
    `Subject: ${encodeWord(subject)}`,
    `Date: ${t.now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <transcript-${t.chat.id}-${t.now.getTime()}@inbox-chat.invalid>`,
    ...(thread ? [`In-Reply-To: ${thread}`, `References: ${thread}`] : []),
    `${CHAT_HEADER}: ${t.chat.id}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${wrap76(base64(body))}`;
}

export interface SaveTranscriptDeps {
  m: Messenger;
  api: TranscriptApi;
  me: string;
  chatUrl: (chatId: string) => string;
  folderId: string | null;
  /** Message-ID of the chat's email when the extension knows it (sent or displayed here). */
  threadOf: (chatId: string) => Promise<string | null>;
  now?: () => Date;
}

export class TranscriptError extends Error {
  constructor(
    readonly code: 'NO_FOLDER',
    message: string,
  ) {
    super(message);
  }
}

export async function saveTranscript(d: SaveTranscriptDeps, chatId: string): Promise<{ headerMessageId: string; count: number }> {
  if (!d.folderId) throw new TranscriptError('NO_FOLDER', word('errorNoTranscriptFolder'));
  const chat = await d.api.chat(chatId);
  const messages = await allMessages(d.api, chatId);
  const raw = transcriptEmail({
    chat,
    messages,
    me: d.me,
    chatUrl: d.chatUrl(chatId),
    inReplyTo: chat.emailMessageId ?? (await d.threadOf(chatId)),
    now: (d.now ?? (() => new Date()))(),
  });
  const file = new File([raw], 'transcript.eml', { type: 'message/rfc822' });
  const header = await d.m.messages.import(file, d.folderId, { read: true });
  return { headerMessageId: header.headerMessageId, count: messages.length };
}
