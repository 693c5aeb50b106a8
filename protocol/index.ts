/**
 * The one protocol module: every REST body and socket event, as zod schemas for the
 * server's boundary and as TypeScript types for the server and every client.
 * Browser code imports types only (`import type`), so zod never ships to a pane; what it needs
 * at run time lives in the zod-free modules beside this one: limits.ts, codes.ts (error codes,
 * `server:closing` reasons), patterns.ts (the UUID pattern) and routes.ts (the REST route table).
 */
import { z } from 'zod';
import { SERVER_CLOSING_REASONS, SERVER_ERROR_CODES, type ErrorCode, type ServerClosingReason } from './codes.ts';
import { LIMITS } from './limits.ts';
import { UUID_PATTERN } from './patterns.ts';
import { QUICK_REACTIONS } from './reactions.ts';
import type { RouteName } from './routes.ts';
import type { CallJoined, CallRing, CallSignalNotice, CallView, callRefEvent, callSignalEvent, callStartEvent } from './calls.ts';

export { LIMITS, QUICK_REACTIONS, SERVER_CLOSING_REASONS, SERVER_ERROR_CODES, UUID_PATTERN };
export type { AnyErrorCode, ClientErrorCode, ErrorCode, ServerClosingReason } from './codes.ts';
export {
  callMediaSchema,
  callRefEvent,
  callSignalEvent,
  callSignalSchema,
  callStartEvent,
  type CallJoined,
  type CallMedia,
  type CallRing,
  type CallSignal,
  type CallSignalNotice,
  type CallView,
  type IceServerView,
} from './calls.ts';
export { SAID_KINDS, isSaid } from './kinds.ts';
export {
  INLINE_TYPES,
  MEDIA_ID_HEADER,
  MEDIA_PATH,
  UPLOAD_METADATA,
  UPLOADS_PATH,
  baseType,
  categoryOf,
  type AttachmentCategory,
} from './media.ts';
export { ROUTES, routePath, type HttpMethod, type PathParamNames, type RouteName, type RouteSpec } from './routes.ts';

/**
 * Control characters people never type: C0 except tab, line feed and carriage return (a CRLF
 * line break is normalised later), DEL and C1. PostgreSQL refuses NUL in text outright, and the
 * rest only hide or garble what others read. The inbound-mail helper strips this same set.
 */
// The point of this pattern is to match control characters.
// eslint-disable-next-line no-control-regex
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

export const uuidSchema = z
  .string()
  .regex(new RegExp(`^${UUID_PATTERN}$`), 'Invalid UUID')
  .meta({ format: 'uuid' });
/**
 * Bidirectional-text controls (embeddings, overrides, isolates): in a name they reorder what
 * follows and can make one person's name read as another's.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

/** My display name: one line of plain text; empty clears it (the address shows again). */
export const displayNameSchema = plainText(LIMITS.displayNameChars, { trim: true })
  .refine((s) => !/[\t\n\r]/.test(s), 'a name is one line')
  .refine((s) => !BIDI_CONTROLS.test(s), 'text direction controls are not allowed in a name');

/** A 6-digit code from a sign-in or address-link email. */
export const codeSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'the code has 6 digits');
export const clientIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.clientIdChars)
  .regex(/^[A-Za-z0-9_.:-]+$/);
export const seqSchema = z.number().int().min(0).max(2_147_483_647);

/**
 * A reading language as clients name it (a BCP 47 tag: `es`, `es-ES`, `pt_BR`, `zh-Hant-TW`),
 * reduced to its lower-case primary subtag (an ISO 639 code), which is what translation works in.
 */
export const languageSchema = z
  .string()
  .trim()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/, 'not a language tag (e.g. en, es-ES)')
  .transform((tag) => tag.split(/[-_]/)[0]!.toLowerCase());

export const retentionSchema = z.enum(['ARCHIVED', 'EPHEMERAL']);
export const chatSourceSchema = z.enum(['EMAIL', 'STANDALONE']);
export type Retention = z.infer<typeof retentionSchema>;
export type ChatSource = z.infer<typeof chatSourceSchema>;

// ---------- REST bodies ----------

export const authStartBody = z.strictObject({
  address: addressSchema,
  /** Where the magic link should land, e.g. the chat page the visitor came from. */
  chatId: uuidSchema.optional(),
});
export type AuthStartBody = z.infer<typeof authStartBody>;

export const authVerifyBody = z.strictObject({
  verificationId: uuidSchema,
  code: codeSchema,
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
  draftKey: plainText(LIMITS.draftKeyChars).min(1).optional(),
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

/** A member's per-chat handle as a client sends it back (22 base64url characters). */
const handleInput = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a member handle');
/** The members a message @mentions, by handle (from the chat's member list); each must be visible to everyone (not Bcc). */
export const mentionsInput = z.array(handleInput).max(LIMITS.mentions).default([]);

export const sendMessageBody = z.strictObject({
  clientId: clientIdSchema,
  body: plainText(LIMITS.messageChars * 4),
  mentions: mentionsInput,
});
export type SendMessageBody = z.infer<typeof sendMessageBody>;

/**
 * One emoji as people see it: a single RGI emoji (with its skin tone, flag or family sequence),
 * nothing else. Built at run time because the `v` flag is newer than the compile target; checked
 * by a refinement, not a JSON Schema pattern, since `\p{RGI_Emoji}` needs that flag too.
 */
const SINGLE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
export const emojiSchema = z
  .string()
  .max(32)
  .refine((s) => SINGLE_EMOJI.test(s), 'a reaction is one emoji')
  .meta({ description: 'One emoji', examples: [...QUICK_REACTIONS] });

/** Add (`on`) or take back one of my reactions to a message. */
export const reactBody = z.strictObject({ emoji: emojiSchema, on: z.boolean() });
export type ReactBody = z.infer<typeof reactBody>;

/** The new text of one of my messages (the same length rule as a send). */
export const editMessageBody = z.strictObject({ body: plainText(LIMITS.messageChars * 4) });
export type EditMessageBody = z.infer<typeof editMessageBody>;
/** tus upload ids (@tus/server names them with 32 hex digits). */
export const uploadIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'not an upload id');
export const mediaIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'not a media id');

/**
 * Posts a finished upload as a message. Refused (CONFLICT) until every byte is stored: a video
 * message appears only once its recording is complete.
 */
export const sendAttachmentBody = z.strictObject({
  clientId: clientIdSchema,
  uploadId: uploadIdSchema,
  /** A thumbnail or poster frame the client made (an image upload to the same chat). */
  previewUploadId: uploadIdSchema.optional(),
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3_600_000)
    .optional(),
  width: z.number().int().min(1).max(100_000).optional(),
  height: z.number().int().min(1).max(100_000).optional(),
});
export type SendAttachmentBody = z.infer<typeof sendAttachmentBody>;

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
  /** My reading language in this chat; null follows my own (identity) language. */
  language: languageSchema.nullable().optional(),
});

/** My reading language everywhere a chat has no choice of its own; null: never translate for me. */
export const myLanguageBody = z.strictObject({ language: languageSchema.nullable() });
export const myLanguageView = z.object({ language: z.string().nullable() });
export type MyLanguageView = z.infer<typeof myLanguageView>;

// ---------- Views (server -> client) ----------
// Zod schemas too, so the OpenAPI document describes answers as exactly as requests; the
// server never parses its own answers with them, and the types are what the code uses.

/**
 * Members are named in every chat-scoped view and event (authorId, ownerId, members[].identityId,
 * me.identityId, typing, read and delivery notices) by a per-chat member HANDLE, never by their
 * global identity id, despite the field names: the same person has a different handle in each
 * chat, so nobody can recognise a hidden (Bcc) member across chats. Compare them only with
 * `me.identityId` of the same chat. Only IdentityView.id, SessionView.identity and MeView.id
 * carry the signed-in person's own identity id.
 */
const memberHandle = z.string().describe("A member's per-chat handle (not an identity id)");
const isoTime = z.string().describe('ISO 8601 timestamp');

export const identityView = z.object({ id: z.string(), addresses: z.array(z.string()) });
export type IdentityView = z.infer<typeof identityView>;

export const sessionView = z.object({
  token: z.string(),
  expiresAt: isoTime,
  identity: identityView,
  /** Set when the session is limited to one chat (an invitation link). */
  chatId: z.string().nullable(),
});
export type SessionView = z.infer<typeof sessionView>;

/** `GET /me`: who this session signs in as. */
export const meView = z.object({
  id: z.string(),
  addresses: z.array(z.string()),
  /** Shown instead of my address where set. */
  displayName: z.string().nullable(),
  /** My reading language (ISO 639 code), from my first client's language unless I chose one. */
  language: z.string().nullable(),
  /** Set when this session only opens one chat (a magic link landing). */
  chatId: z.string().nullable(),
});
export type MeView = z.infer<typeof meView>;

export const verificationStarted = z.object({ verificationId: z.string(), address: z.string(), expiresAt: isoTime });
export type VerificationStarted = z.infer<typeof verificationStarted>;

const audienceRoleSchema = z.enum(['FROM', 'TO', 'CC', 'BCC', 'ADDED']);
/** CALL: a call's start, end (with who took part) or a missed call, authored by the caller (docs/calls.md). */
const messageKindSchema = z.enum(['TEXT', 'SYSTEM', 'DELETION', 'QUOTE', 'CALL', 'EDIT', 'ATTACHMENT']);
export type AudienceRole = z.infer<typeof audienceRoleSchema>;
export type MessageKind = z.infer<typeof messageKindSchema>;

/** One emoji on a message and the members who put it there (those the viewer may see: Bcc rules hold). */
export const reactionView = z.object({ emoji: z.string(), members: z.array(memberHandle) });
export type ReactionView = z.infer<typeof reactionView>;
/** A message in the reader's language; the message's own body stays the original. */
export const translationView = z.object({
  /** The language it was translated into: the reader's (ISO 639 code). */
  language: z.string(),
  /** The language the original was detected in (ISO 639 code). */
  from: z.string(),
  body: z.string(),
});
export type TranslationView = z.infer<typeof translationView>;
/** What an ATTACHMENT message carries: a stored object of the chat, and for images and videos a preview. */
export const attachmentView = z.object({
  /** The object's id: the SHA-256 of its bytes (download it with the `mediaLink` route). */
  mediaId: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  category: z.enum(['IMAGE', 'VIDEO', 'FILE']),
  /** An image's thumbnail or a video's poster frame (a JPEG or PNG object of the same chat). */
  previewMediaId: z.string().nullable(),
  /** A video's length as recorded. */
  durationMs: z.number().int().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
});
export type AttachmentView = z.infer<typeof attachmentView>;

export const messageView = z.object({
  chatId: z.string(),
  seq: z.number().int(),
  clientId: z.string(),
  /** The author's member handle in this chat. */
  authorId: memberHandle.nullable(),
  authorAddress: z.string().nullable(),
  kind: messageKindSchema,
  body: z.string(),
  /** For DELETION events: the seq that became a tombstone; for EDIT events: the seq whose text `body` replaces. */
  targetSeq: z.number().int().nullable(),
  createdAt: isoTime,
  deleted: z.boolean(),
  /** When the author last edited the text (null: never). Every member sees it; earlier texts: see `messageRevisions`. */
  editedAt: isoTime.nullable(),
  /** Oldest emoji first. Live changes arrive as `reaction` events; a rejoin refreshes them (JoinResult.reactions). */
  reactions: z.array(reactionView),
  /** The members this message @mentions (set when it is sent; an edit keeps them). */
  mentions: z.array(memberHandle),
  /** This message mentions the member receiving it: a stronger alert than other messages. */
  mentionsMe: z.boolean(),
  /**
   * In history and catch-up only, and only when a translation into the reader's language is
   * already made; live messages get theirs in a later `message:translated` event.
   */
  translation: translationView.optional(),
  /** Only on ATTACHMENT messages that are not deleted. */
  attachment: attachmentView.optional(),
});
export type MessageView = z.infer<typeof messageView>;

/** A message's reactions as one viewer sees them. */
export const messageReactions = z.object({ seq: z.number().int(), reactions: z.array(reactionView) });
export type MessageReactions = z.infer<typeof messageReactions>;

/** An earlier text of an edited message (the audit trail), oldest first. */
export const messageRevisionView = z.object({
  /** 1 is the text as first sent. */
  revision: z.number().int(),
  body: z.string(),
  writtenAt: isoTime,
  replacedAt: isoTime,
});
export type MessageRevisionView = z.infer<typeof messageRevisionView>;
export const mediaLinkView = z.object({
  /** Path and query of a download that needs no Authorization header (for img/video/a href), on this server. */
  url: z.string(),
  expiresAt: isoTime,
});
export type MediaLinkView = z.infer<typeof mediaLinkView>;

export const memberView = z.object({
  /** The member's handle in this chat. */
  identityId: memberHandle,
  address: z.string(),
  /** The member's own display name (null: show the address). */
  displayName: z.string().nullable(),
  joinedAt: isoTime,
  lastReadSeq: z.number().int(),
});
export type MemberView = z.infer<typeof memberView>;

export const audienceView = z.object({ address: z.string(), role: audienceRoleSchema, joined: z.boolean() });
export type AudienceView = z.infer<typeof audienceView>;

export const chatView = z.object({
  id: z.string(),
  subject: z.string(),
  source: chatSourceSchema,
  retention: retentionSchema,
  /** The owner's member handle. */
  ownerId: memberHandle,
  isOwner: z.boolean(),
  emailMessageId: z.string().nullable(),
  lastSeq: z.number().int(),
  lastActivityAt: isoTime,
  createdAt: isoTime,
  endedAt: isoTime.nullable(),
  members: z.array(memberView),
  /** BCC entries appear only to the owner and to the BCC'd address itself. */
  audience: z.array(audienceView),
  /** `identityId`: my member handle in this chat. */
  me: z.object({
    identityId: memberHandle,
    address: z.string(),
    lastReadSeq: z.number().int(),
    emailNotify: z.boolean(),
    /** My reading language chosen for this chat, or null (then `readingLanguage` is my own language). */
    language: z.string().nullable(),
    /** What messages are translated into for me here; null: not translated. */
    readingLanguage: z.string().nullable(),
  }),
  unread: z.number().int(),
  /** Whether this server translates messages at all (a translation provider is configured). */
  translation: z.object({ enabled: z.boolean() }),
});
export type ChatView = z.infer<typeof chatView>;

export const chatSummary = z.object({
  id: z.string(),
  subject: z.string(),
  retention: retentionSchema,
  isOwner: z.boolean(),
  lastSeq: z.number().int(),
  lastActivityAt: isoTime,
  endedAt: isoTime.nullable(),
  unread: z.number().int(),
  lastMessage: messageView.nullable(),
  memberAddresses: z.array(z.string()),
  /** The same members, in the same order, with their display names (null: show the address). */
  people: z.array(z.object({ address: z.string(), displayName: z.string().nullable() })),
  /** My member handle in this chat (compare with lastMessage.authorId). */
  me: z.object({ identityId: memberHandle }),
  /** In the audience under one of my addresses but never opened: opening joins it. */
  isNew: z.boolean(),
});
export type ChatSummary = z.infer<typeof chatSummary>;

// ---------- Search (docs/web-app.md, "Search") ----------

export const searchQuery = z.strictObject({
  q: trimmed(LIMITS.searchChars).refine((q) => /[\p{L}\p{N}]/u.test(q), 'Type a word to search for'),
});
export type SearchQuery = z.input<typeof searchQuery>;

/** Where in `text` the query's words matched: UTF-16 offsets, `end` exclusive, so clients highlight with text nodes only. */
export const searchRange = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) });
export type SearchRange = z.infer<typeof searchRange>;

export const searchHit = z.object({
  chatId: z.string(),
  subject: z.string(),
  endedAt: isoTime.nullable(),
  /** What matched: the chat's subject, a member's address, or a message (then `seq` says which). */
  field: z.enum(['subject', 'person', 'message']),
  seq: z.number().int().nullable(),
  at: isoTime.nullable(),
  /** The matched subject, address, or an excerpt of the message around the first match. */
  text: z.string(),
  ranges: z.array(searchRange),
});
export type SearchHit = z.infer<typeof searchHit>;
export const searchResults = z.object({ hits: z.array(searchHit) });
export type SearchResults = z.infer<typeof searchResults>;

export const accessRequestView = z.object({
  id: z.string(),
  chatId: z.string(),
  address: z.string(),
  note: z.string(),
  status: z.enum(['PENDING', 'APPROVED', 'DECLINED']),
  createdAt: isoTime,
  decidedAt: isoTime.nullable(),
});
export type AccessRequestView = z.infer<typeof accessRequestView>;

export const historyPage = z.object({
  messages: z.array(messageView),
  /** True when older (for `before`) or newer (for `after`) messages remain. */
  hasMore: z.boolean(),
});
export type HistoryPage = z.infer<typeof historyPage>;

export const errorBody = z.object({
  error: z.object({ code: z.enum(SERVER_ERROR_CODES), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});
export type ErrorBody = z.infer<typeof errorBody>;

// ---------- Socket events ----------

export const joinEvent = z.strictObject({
  chatId: uuidSchema,
  lastSeq: seqSchema.default(0),
  /** The oldest seq the client shows: reactions from there to lastSeq come back in `reactions` (they may have changed meanwhile). */
  reactionsFrom: seqSchema.optional(),
  /** The client's own language (browser, Outlook display language, Thunderbird UI): my default reading language until I choose one. */
  language: languageSchema.optional(),
});
export const leaveEvent = z.strictObject({ chatId: uuidSchema });
export const sendEvent = z.strictObject({
  chatId: uuidSchema,
  clientId: clientIdSchema,
  body: plainText(LIMITS.messageChars * 4),
  mentions: mentionsInput,
});
export const deleteEvent = z.strictObject({ chatId: uuidSchema, seq: z.number().int().min(1) });
export const editEvent = z.strictObject({
  chatId: uuidSchema,
  seq: z.number().int().min(1).max(2_147_483_647),
  body: editMessageBody.shape.body,
});
export const reactEvent = z.strictObject({ chatId: uuidSchema, seq: z.number().int().min(1).max(2_147_483_647), ...reactBody.shape });
export const typingEvent = z.strictObject({ chatId: uuidSchema, typing: z.boolean() });
export const readEvent = z.strictObject({ chatId: uuidSchema, seq: seqSchema });
export const watchEvent = z.strictObject({});
/**
 * A client tells whether a person can see it (page visible, message pane open). Only a
 * member with a visible client counts as present; the rest are emailed what they have not
 * read within the offline delay. A socket counts as hidden until it reports.
 */
export const visibilityEvent = z.strictObject({ visible: z.boolean() });

/**
 * What a connected client can do (docs/media.md, "Capabilities"): devices present (from
 * enumerateDevices kinds, never a permission prompt), the video formats its player and its
 * recorder handle, and whether it can show notifications. Sent on every connect.
 */
export const clientKindSchema = z.enum(['web', 'outlook', 'thunderbird']);
export type ClientKind = z.infer<typeof clientKindSchema>;
export const videoFormatSchema = z.enum(['webm-vp8', 'webm-vp9', 'mp4-h264']);
export type VideoFormat = z.infer<typeof videoFormatSchema>;
const videoFormats = z.array(videoFormatSchema).max(videoFormatSchema.options.length);
export const capabilitiesEvent = z.strictObject({
  kind: clientKindSchema,
  camera: z.boolean(),
  microphone: z.boolean(),
  plays: videoFormats,
  records: videoFormats,
  notifications: z.boolean(),
});
export type ClientCapabilities = z.infer<typeof capabilitiesEvent>;
/** The latest report the server keeps for a person, and when it came. */
export const reportedCapabilities = capabilitiesEvent.extend({ reportedAt: isoTime });
export type ReportedCapabilities = z.infer<typeof reportedCapabilities>;

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: { code: ErrorCode; message: string } };

export interface JoinResult {
  chat: ChatView;
  /** Messages after the client's lastSeq, oldest first. */
  missed: MessageView[];
  /** True when more than LIMITS.catchUp were missed: page the rest with history. */
  hasMore: boolean;
  /** The call going on in this chat, if any (transports that cannot carry calls leave it out). */
  call?: CallView | null;
  /**
   * With `reactionsFrom`: the reactions of every message from there to lastSeq (at most
   * LIMITS.reactionResync of them) that has any; the others have none.
   */
  reactions: MessageReactions[];
}

/** A member added or took back a reaction. About a hidden (Bcc) member, only the owner and that member hear it. */
export interface ReactionNotice {
  chatId: string;
  seq: number;
  emoji: string;
  /** The reacting member's handle in this chat. */
  identityId: string;
  on: boolean;
}

/**
 * Names the typist by member handle only; clients label it from the chat's member list. Typing,
 * read and delivery notices about a hidden (Bcc) member reach only the owner and that member.
 */
export interface TypingNotice {
  chatId: string;
  /** The typist's member handle in this chat. */
  identityId: string;
  typing: boolean;
}

export interface ReadNotice {
  chatId: string;
  /** The reader's member handle in this chat. */
  identityId: string;
  seq: number;
}

/** A message's translation into one reading language, to the members who read that language only. */
export interface MessageTranslated {
  chatId: string;
  seq: number;
  translation: TranslationView;
}

export interface ChatActivity {
  chatId: string;
  lastSeq: number;
  lastActivityAt: string;
  /** Set on the copy a mentioned member's lists get: the new message mentions them. */
  mentionsMe?: boolean;
}

export interface ClientToServerEvents {
  'chat:join': (p: z.input<typeof joinEvent>, ack: (r: Ack<JoinResult>) => void) => void;
  'chat:leave': (p: z.input<typeof leaveEvent>, ack?: (r: Ack<object>) => void) => void;
  'message:send': (p: z.input<typeof sendEvent>, ack: (r: Ack<{ message: MessageView }>) => void) => void;
  'message:delete': (p: z.input<typeof deleteEvent>, ack: (r: Ack<{ message: MessageView }>) => void) => void;
  /** Answers with the EDIT event (its body is the new text), which every member also receives as a `message`. */
  'message:edit': (p: z.input<typeof editEvent>, ack: (r: Ack<{ message: MessageView }>) => void) => void;
  /** Answers with the message's reactions as I see them. */
  'message:react': (p: z.input<typeof reactEvent>, ack: (r: Ack<MessageReactions>) => void) => void;
  typing: (p: z.input<typeof typingEvent>) => void;
  read: (p: z.input<typeof readEvent>, ack?: (r: Ack<{ lastReadSeq: number }>) => void) => void;
  /** Subscribe to activity of all my chats (the sidebar); returns them. */
  'chats:watch': (p: z.input<typeof watchEvent>, ack: (r: Ack<{ chats: ChatSummary[] }>) => void) => void;
  /** Sent on every connect: what this client can do; the latest report per person is kept. */
  capabilities: (p: z.input<typeof capabilitiesEvent>, ack?: (r: Ack<object>) => void) => void;
  /** Sent on every connect and whenever the client's visibility changes. */
  'presence:visibility': (p: z.input<typeof visibilityEvent>, ack?: (r: Ack<object>) => void) => void;
  /** Calls (docs/calls.md): start one in a chat and ring its other members; answers with my ICE servers. */
  'call:start': (p: z.input<typeof callStartEvent>, ack: (r: Ack<CallJoined>) => void) => void;
  /** Join a ringing or active call from this device (also: rejoin after a drop). */
  'call:accept': (p: z.input<typeof callRefEvent>, ack: (r: Ack<CallJoined>) => void) => void;
  /** Stop ringing me for this call. */
  'call:decline': (p: z.input<typeof callRefEvent>, ack?: (r: Ack<object>) => void) => void;
  /** Hang up: leave the call (it ends when nobody is left to talk to). */
  'call:leave': (p: z.input<typeof callRefEvent>, ack?: (r: Ack<object>) => void) => void;
  /** An offer, answer or ICE candidate for one other participant. */
  'call:signal': (p: z.input<typeof callSignalEvent>, ack?: (r: Ack<object>) => void) => void;
}

export interface ServerToClientEvents {
  message: (m: MessageView) => void;
  /** Follows `message` once a translation into my reading language is made (never delays it). */
  'message:translated': (t: MessageTranslated) => void;
  typing: (t: TypingNotice) => void;
  reaction: (r: ReactionNotice) => void;
  read: (r: ReadNotice) => void;
  'chat:updated': (c: { chatId: string }) => void;
  /** To every device of a member: a chat they are in changed (feeds "my chats"). */
  'chats:activity': (a: ChatActivity) => void;
  'access:decided': (r: AccessRequestView) => void;
  'access:requested': (r: AccessRequestView) => void;
  /** Sent before the server closes a socket on purpose (shutdown, session revoked). */
  'server:closing': (r: { reason: ServerClosingReason }) => void;
  /**
   * To a chat's room: members' delivered/emailed positions moved (senders' receipts), all of
   * one chat that moved together in one event (one packet per socket per commit, not one per
   * member); about a hidden (Bcc) member, a list of one to the owner and that member only.
   */
  delivery: (notices: DeliveryNotice[]) => void;
  /** To every device of a member being rung. */
  'call:ring': (r: CallRing) => void;
  /** To the chat's room and the devices being rung: who is in the call now, or that it ended. */
  'call:updated': (c: CallView) => void;
  /** To one participant's device: another participant's offer, answer or ICE candidate. */
  'call:signal': (s: CallSignalNotice) => void;
  /** Someone's presence as this person may see it, and where (docs/security.md, "Presence"). */
  presence: (p: PresenceNotice) => void;
  /** Someone's client reported what it can do anew: to exactly those who may see their presence, in those chats. */
  'capabilities:changed': (c: CapabilitiesNotice) => void;
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

export const linkRedeemed = z.object({
  /** A session limited to this one chat. */
  session: sessionView,
  chat: chatView,
});
export type LinkRedeemed = z.infer<typeof linkRedeemed>;

export const dndModeSchema = z.enum(['RESEND', 'DIGEST']);
export type DndMode = z.infer<typeof dndModeSchema>;

export const availabilityBody = z.strictObject({
  dnd: z.boolean(),
  /** RESEND: held emails go out on a schedule until read. DIGEST: one digest when do-not-disturb ends. */
  mode: dndModeSchema.optional(),
  resendMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .optional(),
});
export type AvailabilityBody = z.infer<typeof availabilityBody>;

export const availabilityView = z.object({
  dnd: z.boolean(),
  mode: dndModeSchema,
  resendMinutes: z.number().int(),
  since: isoTime.nullable(),
});
export type AvailabilityView = z.infer<typeof availabilityView>;

/** Send the transcript so far as an email to the chat's other members. */
export const transcriptBody = z.strictObject({}).default({});

export const transcriptSent = z.object({ recipients: z.number().int() });
export type TranscriptSent = z.infer<typeof transcriptSent>;

export const displayNameBody = z.strictObject({ displayName: displayNameSchema });
export type DisplayNameBody = z.infer<typeof displayNameBody>;

export const linkAddressBody = z.strictObject({ address: addressSchema });
export const verifyAddressBody = z.strictObject({ linkId: uuidSchema, code: codeSchema });

export const addressLinkStarted = z.object({ linkId: z.string(), address: z.string(), expiresAt: isoTime });
export type AddressLinkStarted = z.infer<typeof addressLinkStarted>;

/**
 * Per-message state for its sender, from these positions of each other member:
 * read if readSeq >= seq, else emailed if emailedSeq >= seq, else delivered if
 * deliveredSeq >= seq, else sent.
 */
export type DeliveryStatus = 'sent' | 'delivered' | 'emailed' | 'read';

export interface DeliveryNotice {
  chatId: string;
  /** The member's handle in this chat (inside the server, before fan-out: their identity id). */
  identityId: string;
  deliveredSeq: number;
  emailedSeq: number;
}

export const deliveryView = z.object({
  chatId: z.string(),
  members: z.array(
    z.object({
      /** The member's handle in this chat. */
      identityId: memberHandle,
      address: z.string(),
      deliveredSeq: z.number().int(),
      emailedSeq: z.number().int(),
      readSeq: z.number().int(),
    }),
  ),
});
export type DeliveryView = z.infer<typeof deliveryView>;

// ---------- Alerts (docs/web-app.md#alerts) ----------

/** My alert choices for every device; any field left out keeps its value. */
export const alertSettingsBody = z.strictObject({
  /** A desktop notification (Notification API, or the add-in's own means). */
  desktop: z.boolean().optional(),
  sound: z.boolean().optional(),
  /** Vibration, on devices that have it. */
  vibrate: z.boolean().optional(),
  /** The sender's name and first words read aloud (speech synthesis). */
  speak: z.boolean().optional(),
});
export type AlertSettingsBody = z.infer<typeof alertSettingsBody>;

/** My alerts in one chat: `muted` silences every alert of it; `sound` only the sound. */
export const chatAlertsBody = z.strictObject({ muted: z.boolean().optional(), sound: z.boolean().optional() });
export type ChatAlertsBody = z.infer<typeof chatAlertsBody>;

export const chatAlertsView = z.object({ chatId: z.string(), muted: z.boolean(), sound: z.boolean() });
export type ChatAlertsView = z.infer<typeof chatAlertsView>;

export const alertsView = z.object({
  desktop: z.boolean(),
  sound: z.boolean(),
  vibrate: z.boolean(),
  speak: z.boolean(),
  /** Do-not-disturb (GET /me/availability) is on: no alert of any kind. */
  dnd: z.boolean(),
  /** Only the chats whose alerts differ from the default (not muted, with sound). */
  chats: z.array(chatAlertsView),
});
export type AlertsView = z.infer<typeof alertsView>;
// ---------- Presence and contacts (docs/security.md, "Presence") ----------

/** Who may see my presence and "last seen". SHARED_CHATS (the default): people I accepted a chat with. */
export const presenceVisibilitySchema = z.enum(['NOBODY', 'SHARED_CHATS', 'CONTACTS', 'SIGNED_IN']);
export type PresenceVisibility = z.infer<typeof presenceVisibilitySchema>;
export const presenceStateSchema = z.enum(['available', 'away', 'dnd', 'offline']);
export type PresenceState = z.infer<typeof presenceStateSchema>;

export const presenceView = z.object({
  state: presenceStateSchema,
  /** When they last had a visible client; null while they have one, or when never. */
  lastSeenAt: isoTime.nullable(),
});
export type PresenceView = z.infer<typeof presenceView>;

export const presenceSettingsBody = z.strictObject({ visibility: presenceVisibilitySchema });
export type PresenceSettingsBody = z.infer<typeof presenceSettingsBody>;
export const presenceSettingsView = z.object({ visibility: presenceVisibilitySchema });
export type PresenceSettingsView = z.infer<typeof presenceSettingsView>;

/** Only the members whose presence I may see are listed. */
export const chatPresenceView = z.object({
  chatId: z.string(),
  members: z.array(z.object({ identityId: memberHandle, presence: presenceView })),
});
export type ChatPresenceView = z.infer<typeof chatPresenceView>;

/**
 * The clients of this chat's members whose presence I may see (the same rule, the same list as
 * chatPresence): the latest report of each, or null for someone who never connected a client
 * and reads the chat by email only.
 */
export const chatCapabilitiesView = z.object({
  chatId: z.string(),
  members: z.array(z.object({ identityId: memberHandle, client: reportedCapabilities.nullable() })),
});
export type ChatCapabilitiesView = z.infer<typeof chatCapabilitiesView>;

const contactHandle = z.string().describe("A contact's handle in my contact list (not an identity id)");
export const contactView = z.object({
  id: contactHandle,
  /** The address they were a member under where we accepted a chat together. */
  address: z.string(),
  /** Their display name (null: none set; show the address). */
  displayName: z.string().nullable(),
  since: isoTime,
  /** Null when they do not let me see it. */
  presence: presenceView.nullable(),
});
export type ContactView = z.infer<typeof contactView>;
export const contactsView = z.object({ contacts: z.array(contactView) });
export type ContactsView = z.infer<typeof contactsView>;

export const blockBody = z.strictObject({ address: addressSchema });
export const blocksView = z.object({ addresses: z.array(z.string()) });
export type BlocksView = z.infer<typeof blocksView>;

/**
 * Someone's presence changed (or whether I may see it): `state` null means "no longer shown to
 * you". Names them only where I already know them: by member handle in chats where I see them,
 * and by contact handle when they are my contact.
 */
export interface PresenceNotice {
  state: PresenceState | null;
  lastSeenAt: string | null;
  members: { chatId: string; identityId: string }[];
  contactId: string | null;
}

/**
 * A member's latest client report changed (docs/media.md, "Capabilities"): pushed to the people the
 * presence rule lets see them, naming them only by member handle in the chats where they see them.
 */
export interface CapabilitiesNotice {
  members: { chatId: string; identityId: string }[];
  client: ReportedCapabilities;
}

// ---------- REST routes (the table is routes.ts; these are its schemas, by the same names) ----------

export const chatParams = z.strictObject({ chatId: uuidSchema });
export const seqParams = z.strictObject({ chatId: uuidSchema, seq: z.coerce.number().int().min(1).max(2_147_483_647) });
export const requestParams = z.strictObject({ chatId: uuidSchema, requestId: uuidSchema });
export const mediaParams = z.strictObject({ chatId: uuidSchema, mediaId: mediaIdSchema });
export const contactParams = z.strictObject({ contactId: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a contact id') });
export const blockParams = z.strictObject({ address: addressSchema });

/** What a route reads (`params` from its path, `query`, `body`) and what it answers (`response`; none for 204). */
export interface RouteSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
}

export const routeSchemas = {
  openApi: { response: z.record(z.string(), z.unknown()) },

  startSignIn: { body: authStartBody, response: verificationStarted },
  verifyCode: { body: authVerifyBody, response: sessionView },
  verifyLink: { body: authLinkBody, response: sessionView },
  signOut: {},
  me: { response: meView },
  setDisplayName: { body: displayNameBody, response: meView },
  setMyLanguage: { body: myLanguageBody, response: myLanguageView },

  redeemLink: { body: redeemLinkBody, response: linkRedeemed },
  invite: { params: chatParams, body: inviteBody, response: chatView },
  delivery: { params: chatParams, response: deliveryView },
  sendTranscript: { params: chatParams, body: transcriptBody, response: transcriptSent },
  availability: { response: availabilityView },
  setAvailability: { body: availabilityBody, response: availabilityView },
  startAddressLink: { body: linkAddressBody, response: addressLinkStarted },
  verifyAddressLink: { body: verifyAddressBody, response: identityView },
  alerts: { response: alertsView },
  setAlerts: { body: alertSettingsBody, response: alertsView },
  setChatAlerts: { params: chatParams, body: chatAlertsBody, response: chatAlertsView },

  listChats: { response: z.object({ chats: z.array(chatSummary) }) },
  search: { query: searchQuery, response: searchResults },
  createChat: { body: createChatBody, response: chatView },
  chat: { params: chatParams, response: chatView },
  openChat: { params: chatParams, response: chatView },
  endChat: { params: chatParams, response: chatView },
  replaceAudience: { params: chatParams, body: replaceAudienceBody, response: chatView },
  addToAudience: { params: chatParams, body: addAudienceBody, response: chatView },
  updateMySettings: { params: chatParams, body: memberSettingsBody, response: chatView },

  history: { params: chatParams, query: historyQuery, response: historyPage },
  sendMessage: { params: chatParams, body: sendMessageBody, response: messageView },
  deleteMessage: { params: seqParams, response: messageView },
  editMessage: { params: seqParams, body: editMessageBody, response: messageView },
  messageRevisions: { params: seqParams, response: z.object({ revisions: z.array(messageRevisionView) }) },
  react: { params: seqParams, body: reactBody, response: messageReactions },
  markRead: { params: chatParams, body: markReadBody, response: z.object({ lastReadSeq: z.number().int() }) },
  sendAttachment: { params: chatParams, body: sendAttachmentBody, response: messageView },
  mediaLink: { params: mediaParams, response: mediaLinkView },

  requestAccess: { params: chatParams, body: accessRequestBody, response: accessRequestView },
  accessRequests: { params: chatParams, response: z.object({ requests: z.array(accessRequestView) }) },
  myAccessRequest: { params: chatParams, response: z.object({ request: accessRequestView.nullable() }) },
  decideAccess: { params: requestParams, body: accessDecisionBody, response: accessRequestView },

  presenceSettings: { response: presenceSettingsView },
  setPresenceSettings: { body: presenceSettingsBody, response: presenceSettingsView },
  chatPresence: { params: chatParams, response: chatPresenceView },
  chatCapabilities: { params: chatParams, response: chatCapabilitiesView },
  contacts: { response: contactsView },
  removeContact: { params: contactParams },
  blocks: { response: blocksView },
  block: { body: blockBody, response: blocksView },
  unblock: { params: blockParams, response: blocksView },
} as const satisfies Record<RouteName, RouteSchemas>;

type SchemasOf<N extends RouteName> = (typeof routeSchemas)[N];
type Part<N extends RouteName, K extends keyof RouteSchemas, IO extends 'in' | 'out'> =
  SchemasOf<N> extends { [P in K]: infer S extends z.ZodType } ? (IO extends 'in' ? z.input<S> : z.output<S>) : undefined;

/** What a client sends to route N. */
export type RouteBody<N extends RouteName> = Part<N, 'body', 'in'>;
export type RouteQuery<N extends RouteName> = Part<N, 'query', 'in'>;
/** What the server hands its handler for route N, validated. */
export interface RouteInput<N extends RouteName> {
  params: Part<N, 'params', 'out'>;
  query: Part<N, 'query', 'out'>;
  body: Part<N, 'body', 'out'>;
}
/** What route N answers (undefined for a 204). */
export type RouteResponse<N extends RouteName> = Part<N, 'response', 'out'>;
