/**
 * The one protocol module: every REST body and socket event, as zod schemas for the
 * server's boundary and as TypeScript types for the server and every client.
 * Browser code imports types only (`import type`), so zod never ships to a pane.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

export { LIMITS };

/**
 * Control characters people never type: C0 except tab, line feed and carriage return (a CRLF
 * line break is normalised later), DEL and C1. PostgreSQL refuses NUL in text outright, and the
 * rest only hide or garble what others read. The inbound-mail helper strips this same set.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Half of a UTF-16 surrogate pair on its own: not text in any encoding a store keeps. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Removes every control character of CONTROL_CHARACTERS (for text we cannot refuse, e.g. inbound mail). */
export function stripControlCharacters(s: string): string {
  return s.replace(new RegExp(CONTROL_CHARACTERS.source, 'g'), '');
}

/**
 * Every text field of the protocol: at most `max` characters (after trimming when `trim`) and
 * no control characters, so a bad byte is a 400 at the boundary instead of a failed commit.
 */
export function plainText(max: number, opts: { trim?: boolean } = {}) {
  const base = opts.trim ? z.string().trim() : z.string();
  return base
    .max(max)
    .refine((s) => !CONTROL_CHARACTERS.test(s), 'control characters are not allowed (only tab and newline)')
    .refine((s) => !LONE_SURROGATE.test(s), 'not well-formed text (a lone surrogate)');
}

const trimmed = (max: number) => plainText(max, { trim: true });

/**
 * An address as typed or as a mail client gives it ("Name <a@b.c>" is accepted and reduced to
 * the bare address). Case normalisation lives in the identity module, not here.
 */
export const addressSchema = plainText(LIMITS.addressChars * 2)
  .transform((s) => (/<([^<>]*)>\s*$/.exec(s)?.[1] ?? s).trim())
  .pipe(
    z
      .string()
      .min(3)
      .max(LIMITS.addressChars)
      .regex(/^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/, 'not an email address'),
  );

export const uuidSchema = z.uuid();
export const clientIdSchema = z.string().min(1).max(LIMITS.clientIdChars).regex(/^[A-Za-z0-9_.:-]+$/);
export const seqSchema = z.number().int().min(0).max(2_147_483_647);

export const retentionSchema = z.enum(['ARCHIVED', 'EPHEMERAL']);
export const chatSourceSchema = z.enum(['EMAIL', 'STANDALONE']);
export type Retention = z.infer<typeof retentionSchema>;
export type ChatSource = z.infer<typeof chatSourceSchema>;
export type AudienceRole = 'FROM' | 'TO' | 'CC' | 'BCC' | 'ADDED';
export type MessageKind = 'TEXT' | 'SYSTEM' | 'DELETION' | 'QUOTE';

// ---------- REST bodies ----------

export const authStartBody = z.strictObject({
  address: addressSchema,
  /** Where the magic link should land, e.g. the chat page the visitor came from. */
  chatId: uuidSchema.optional(),
});
export type AuthStartBody = z.infer<typeof authStartBody>;

export const authVerifyBody = z.strictObject({
  verificationId: uuidSchema,
  code: z.string().trim().regex(/^\d{6}$/, 'the code has 6 digits'),
  label: trimmed(100).optional(),
});
export type AuthVerifyBody = z.infer<typeof authVerifyBody>;

export const authLinkBody = z.strictObject({
  token: plainText(200).min(20),
  label: trimmed(100).optional(),
});
export type AuthLinkBody = z.infer<typeof authLinkBody>;

export const audienceInput = z.strictObject({
  from: z.array(addressSchema).max(LIMITS.audience).default([]),
  to: z.array(addressSchema).max(LIMITS.audience).default([]),
  cc: z.array(addressSchema).max(LIMITS.audience).default([]),
  bcc: z.array(addressSchema).max(LIMITS.audience).default([]),
});
export type AudienceInput = z.input<typeof audienceInput>;

/**
 * An email's Message-ID (RFC 5322 msg-id), with or without its angle brackets as mail clients
 * hand it over: `left@right`, printable ASCII only, no whitespace, controls, `<`, `>` or a
 * second `@`. It is written into email headers (threading, saved transcripts), so a CR/LF here
 * would inject headers.
 */
export const emailMessageIdSchema = z
  .string()
  .trim()
  .max(998)
  .regex(/^(?:<[!-;=?A-~]+@[!-;=?A-~]+>|[!-;=?A-~]+@[!-;=?A-~]+)$/, 'not an email Message-ID');

export const createChatBody = z.strictObject({
  subject: trimmed(LIMITS.subjectChars).default(''),
  audience: audienceInput.default({ from: [], to: [], cc: [], bcc: [] }),
  emailMessageId: emailMessageIdSchema.optional(),
  /** The same draftKey from the same owner returns the same chat. */
  draftKey: plainText(200).min(1).optional(),
  retention: retentionSchema.default('ARCHIVED'),
  source: chatSourceSchema.default('EMAIL'),
  /**
   * "Reply with IM": the email being answered, kept as the chat's first history entry
   * (a QUOTE message whose author is the email's sender). Nothing is mailed to anyone.
   */
  quote: z
    .strictObject({
      from: addressSchema,
      text: plainText(LIMITS.quoteChars),
    })
    .optional(),
});
export type CreateChatBody = z.input<typeof createChatBody>;

export const replaceAudienceBody = z.strictObject({ audience: audienceInput });
export type ReplaceAudienceBody = z.input<typeof replaceAudienceBody>;

export const addAudienceBody = z.strictObject({ address: addressSchema });
export type AddAudienceBody = z.infer<typeof addAudienceBody>;

export const sendMessageBody = z.strictObject({
  clientId: clientIdSchema,
  body: plainText(LIMITS.messageChars * 4),
});
export type SendMessageBody = z.infer<typeof sendMessageBody>;

export const historyQuery = z.strictObject({
  before: z.coerce.number().int().min(1).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.historyPage).default(50),
});
export type HistoryQuery = z.input<typeof historyQuery>;

export const markReadBody = z.strictObject({ seq: seqSchema });

export const accessRequestBody = z.strictObject({ note: trimmed(LIMITS.noteChars).default('') });
export const accessDecisionBody = z.strictObject({ decision: z.enum(['APPROVE', 'DECLINE']) });
export type AccessDecision = z.infer<typeof accessDecisionBody>['decision'];

export const memberSettingsBody = z.strictObject({
  emailNotify: z.boolean().optional(),
  language: plainText(35).min(2).optional(),
});

// ---------- Views (server -> client) ----------

export interface IdentityView {
  id: string;
  addresses: string[];
}

export interface SessionView {
  token: string;
  expiresAt: string;
  identity: IdentityView;
  /** Set when the session is limited to one chat (an invitation link). */
  chatId: string | null;
}

export interface VerificationStarted {
  verificationId: string;
  address: string;
  expiresAt: string;
}

/**
 * Members are named in every chat-scoped view and event (authorId, ownerId, members[].identityId,
 * me.identityId, typing, read and delivery notices) by a per-chat member handle, never by
 * their global identity id: the same person has a different handle in each chat, so nobody can
 * recognise a hidden (Bcc) member across chats. Compare with `me.identityId` of the same chat.
 */
export interface MessageView {
  chatId: string;
  seq: number;
  clientId: string;
  /** The author's member handle in this chat. */
  authorId: string | null;
  authorAddress: string | null;
  kind: MessageKind;
  body: string;
  /** For DELETION events: the seq that became a tombstone. */
  targetSeq: number | null;
  createdAt: string;
  deleted: boolean;
}

export interface MemberView {
  identityId: string;
  address: string;
  joinedAt: string;
  lastReadSeq: number;
}

export interface AudienceView {
  address: string;
  role: AudienceRole;
  joined: boolean;
}

export interface ChatView {
  id: string;
  subject: string;
  source: ChatSource;
  retention: Retention;
  ownerId: string;
  isOwner: boolean;
  emailMessageId: string | null;
  lastSeq: number;
  lastActivityAt: string;
  createdAt: string;
  endedAt: string | null;
  members: MemberView[];
  /** BCC entries appear only to the owner and to the BCC'd address itself. */
  audience: AudienceView[];
  me: { identityId: string; address: string; lastReadSeq: number; emailNotify: boolean };
  unread: number;
}

export interface ChatSummary {
  id: string;
  subject: string;
  retention: Retention;
  isOwner: boolean;
  lastSeq: number;
  lastActivityAt: string;
  endedAt: string | null;
  unread: number;
  lastMessage: MessageView | null;
  memberAddresses: string[];
  /** My member handle in this chat (compare with lastMessage.authorId). */
  me: { identityId: string };
  /** In the audience under one of my addresses but never opened: opening joins it. */
  isNew: boolean;
}

export interface AccessRequestView {
  id: string;
  chatId: string;
  address: string;
  note: string;
  status: 'PENDING' | 'APPROVED' | 'DECLINED';
  createdAt: string;
  decidedAt: string | null;
}

export interface HistoryPage {
  messages: MessageView[];
  /** True when older (for `before`) or newer (for `after`) messages remain. */
  hasMore: boolean;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

// ---------- Socket events ----------

export const joinEvent = z.strictObject({ chatId: uuidSchema, lastSeq: seqSchema.default(0) });
export const leaveEvent = z.strictObject({ chatId: uuidSchema });
export const sendEvent = z.strictObject({
  chatId: uuidSchema,
  clientId: clientIdSchema,
  body: plainText(LIMITS.messageChars * 4),
});
export const deleteEvent = z.strictObject({ chatId: uuidSchema, seq: z.number().int().min(1) });
export const typingEvent = z.strictObject({ chatId: uuidSchema, typing: z.boolean() });
export const readEvent = z.strictObject({ chatId: uuidSchema, seq: seqSchema });
export const watchEvent = z.strictObject({});
/**
 * A client tells whether a person can see it (page visible, message pane open). Only a
 * member with a visible client counts as present; the rest are emailed what they have not
 * read within the offline delay. A socket counts as hidden until it reports.
 */
export const visibilityEvent = z.strictObject({ visible: z.boolean() });

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

export interface JoinResult {
  chat: ChatView;
  /** Messages after the client's lastSeq, oldest first. */
  missed: MessageView[];
  /** True when more than LIMITS.catchUp were missed: page the rest with history. */
  hasMore: boolean;
}

/**
 * Names the typist by member handle only; clients label it from the chat's member list. Typing,
 * read and delivery notices about a hidden (Bcc) member reach only the owner and that member.
 */
export interface TypingNotice {
  chatId: string;
  identityId: string;
  typing: boolean;
}

export interface ReadNotice {
  chatId: string;
  identityId: string;
  seq: number;
}

export interface ChatActivity {
  chatId: string;
  lastSeq: number;
  lastActivityAt: string;
}

export interface ClientToServerEvents {
  'chat:join': (p: z.input<typeof joinEvent>, ack: (r: Ack<JoinResult>) => void) => void;
  'chat:leave': (p: z.input<typeof leaveEvent>, ack?: (r: Ack<object>) => void) => void;
  'message:send': (p: z.input<typeof sendEvent>, ack: (r: Ack<{ message: MessageView }>) => void) => void;
  'message:delete': (p: z.input<typeof deleteEvent>, ack: (r: Ack<{ message: MessageView }>) => void) => void;
  typing: (p: z.input<typeof typingEvent>) => void;
  read: (p: z.input<typeof readEvent>, ack?: (r: Ack<{ lastReadSeq: number }>) => void) => void;
  /** Subscribe to activity of all my chats (the sidebar); returns them. */
  'chats:watch': (p: z.input<typeof watchEvent>, ack: (r: Ack<{ chats: ChatSummary[] }>) => void) => void;
  /** Sent on every connect and whenever the client's visibility changes. */
  'presence:visibility': (p: z.input<typeof visibilityEvent>, ack?: (r: Ack<object>) => void) => void;
}

export interface ServerToClientEvents {
  message: (m: MessageView) => void;
  typing: (t: TypingNotice) => void;
  read: (r: ReadNotice) => void;
  'chat:updated': (c: { chatId: string }) => void;
  /** To every device of a member: a chat they are in changed (feeds "my chats"). */
  'chats:activity': (a: ChatActivity) => void;
  'access:decided': (r: AccessRequestView) => void;
  'access:requested': (r: AccessRequestView) => void;
  /** Sent before the server closes a socket on purpose (shutdown, session revoked). */
  'server:closing': (r: { reason: string }) => void;
  /** To a chat's room: a member's delivered/emailed position moved (senders' receipts). */
  delivery: (d: DeliveryNotice) => void;
}

// ---------- Email bridge (docs/email-bridge.md) ----------

/** Any member invites an address: it joins the audience and gets a one-click sign-in email. */
export const inviteBody = z.strictObject({ address: addressSchema });
export type InviteBody = z.infer<typeof inviteBody>;

/** The token from a `/c/<chatId>#link=<token>` URL (invitation or notification email). */
export const redeemLinkBody = z.strictObject({
  token: z.string().regex(/^[0-9a-f]{40}$/, 'not a link token'),
  label: trimmed(100).optional(),
});
export type RedeemLinkBody = z.infer<typeof redeemLinkBody>;

export interface LinkRedeemed {
  /** A session limited to this one chat. */
  session: SessionView;
  chat: ChatView;
}

export const dndModeSchema = z.enum(['RESEND', 'DIGEST']);
export type DndMode = z.infer<typeof dndModeSchema>;

export const availabilityBody = z.strictObject({
  dnd: z.boolean(),
  /** RESEND: held emails go out on a schedule until read. DIGEST: one digest when do-not-disturb ends. */
  mode: dndModeSchema.optional(),
  resendMinutes: z.number().int().min(5).max(24 * 60).optional(),
});
export type AvailabilityBody = z.infer<typeof availabilityBody>;

export interface AvailabilityView {
  dnd: boolean;
  mode: DndMode;
  resendMinutes: number;
  since: string | null;
}

/** Send the transcript so far as an email to the chat's other members. */
export const transcriptBody = z.strictObject({}).default({});

export interface TranscriptSent {
  recipients: number;
}

export const linkAddressBody = z.strictObject({ address: addressSchema });
export const verifyAddressBody = z.strictObject({
  linkId: uuidSchema,
  code: z.string().trim().regex(/^\d{6}$/, 'the code has 6 digits'),
});

export interface AddressLinkStarted {
  linkId: string;
  address: string;
  expiresAt: string;
}

/**
 * Per-message state for its sender, from these positions of each other member:
 * read if readSeq >= seq, else emailed if emailedSeq >= seq, else delivered if
 * deliveredSeq >= seq, else sent.
 */
export type DeliveryStatus = 'sent' | 'delivered' | 'emailed' | 'read';

export interface DeliveryNotice {
  chatId: string;
  identityId: string;
  deliveredSeq: number;
  emailedSeq: number;
}

export interface DeliveryView {
  chatId: string;
  members: { identityId: string; address: string; deliveredSeq: number; emailedSeq: number; readSeq: number }[];
}
