import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { normaliseAddress, normaliseAddresses } from '../identity/addresses.ts';
import type { Caller } from '../identity/sessions.ts';
import type { AudienceRole, AudienceView, ChatView, createChatBody, audienceInput } from '../../../protocol/index.ts';
import type { z } from 'zod';
import type { ChatContext } from './context.ts';
import {
  checkScope,
  findMember,
  loadChat,
  loadVisibility,
  requireMember,
  requireOwner,
  sees,
  viewersOf,
  type MemberWithChat,
  type Visibility,
} from './membership.ts';
import { postQuote, postSystemMessage } from './messages.ts';
import { systemLineText } from '../../../protocol/system-line.ts';
import { announceAudienceAdded, announceAudienceRemoved } from './my-chats.ts';
import { readingLanguage } from '../translation/reading-language.ts';

type CreateChat = z.output<typeof createChatBody>;
type Audience = z.output<typeof audienceInput>;

const ROLE_ORDER: AudienceRole[] = ['FROM', 'TO', 'CC', 'BCC'];

/** Flattens From/To/Cc/Bcc into one entry per address; an address keeps its most visible role. */
function audienceEntries(audience: Audience): Map<string, AudienceRole> {
  const entries = new Map<string, AudienceRole>();
  const lists: Record<string, string[]> = { FROM: audience.from, TO: audience.to, CC: audience.cc, BCC: audience.bcc };
  for (const role of ROLE_ORDER) {
    for (const address of normaliseAddresses(lists[role] ?? [])) if (!entries.has(address)) entries.set(address, role);
  }
  return entries;
}

export class ChatService {
  constructor(private readonly ctx: ChatContext) {}

  /** Creates the chat for a composed email; the same draftKey from the same owner returns the same chat. */
  async create(caller: Caller, input: CreateChat): Promise<ChatView> {
    if (caller.chatScope) throw new AppError('FORBIDDEN', 'Sign in with a code to create chats');
    const { db } = this.ctx;
    if (input.draftKey) {
      const existing = await db.chat.findUnique({
        where: { ownerId_draftKey: { ownerId: caller.identityId, draftKey: input.draftKey } },
      });
      if (existing) return this.view(caller, existing.id);
    }
    const entries = audienceEntries(input.audience);
    // The owner is always in the audience, under the address they wrote from when it is theirs.
    const ownerAddress = input.audience.from.map(normaliseAddress).find((a) => caller.addresses.includes(a)) ?? caller.addresses[0];
    if (!ownerAddress) throw new AppError('FORBIDDEN', 'Your identity has no verified address');
    if (!entries.has(ownerAddress)) entries.set(ownerAddress, 'FROM');
    // People who blocked the owner are left out: one of them does not refuse the whole chat.
    for (const a of await this.ctx.addressesBlocking(caller.identityId, [...entries.keys()])) entries.delete(a);
    if (entries.size > this.ctx.limits.maxAudience) {
      throw new AppError('TOO_LARGE', `A chat can have at most ${this.ctx.limits.maxAudience} addresses`);
    }
    const id = randomUUID();
    try {
      await db.chat.create({
        data: {
          id,
          subject: input.subject,
          source: input.source,
          retention: input.retention,
          ownerId: caller.identityId,
          emailMessageId: input.emailMessageId ?? null,
          draftKey: input.draftKey ?? null,
          audience: {
            create: [...entries].map(([address, role]) => ({ address, role, addedById: caller.identityId })),
          },
          members: { create: { identityId: caller.identityId, address: ownerAddress } },
        },
      });
    } catch (err) {
      // Two embeds of one draft raced: the other created it first.
      if (input.draftKey && (err as { code?: string }).code === 'P2002') {
        const winner = await db.chat.findUnique({
          where: { ownerId_draftKey: { ownerId: caller.identityId, draftKey: input.draftKey } },
        });
        if (winner) return this.view(caller, winner.id);
      }
      throw err;
    }
    if (input.quote) await postQuote(this.ctx, { id, retention: input.retention }, input.quote);
    await announceAudienceAdded(this.ctx, id, [...entries.keys()]);
    this.ctx.log.info({ chatId: id, audience: entries.size, retention: input.retention }, 'chat created');
    return this.view(caller, id);
  }

  /**
   * Opening a chat joins it when one of the caller's verified addresses is in the audience.
   * Everyone else gets NOT_IN_AUDIENCE and may ask the owner for access.
   */
  async open(caller: Caller, chatId: string): Promise<ChatView> {
    return (await this.enter(caller, chatId)).view;
  }

  /** Opens the chat (see open) and also returns the member row it read, for a join's catch-up to reuse. */
  async enter(caller: Caller, chatId: string): Promise<{ view: ChatView; me: MemberWithChat }> {
    checkScope(caller, chatId);
    const { db } = this.ctx;
    const member = await findMember(this.ctx, caller.identityId, chatId);
    if (member) return { view: await this.viewOf(caller, member), me: member };
    const chat = await loadChat(this.ctx, chatId);
    const entry = await db.audienceEntry.findFirst({
      where: { chatId, address: { in: caller.addresses } },
      orderBy: { addedAt: 'asc' },
    });
    if (!entry) {
      const pending = await db.accessRequest.findFirst({
        where: { chatId, address: { in: caller.addresses } },
        select: { status: true },
      });
      throw new AppError('NOT_IN_AUDIENCE', 'This chat is only for the people the email was sent to', {
        canRequestAccess: !chat.endedAt,
        requestStatus: pending?.status ?? null,
      });
    }
    const created = await db.member
      .create({ data: { chatId, identityId: caller.identityId, address: entry.address } })
      .then(() => true)
      .catch((err: { code?: string }) => {
        if (err.code === 'P2002') return false; // joined concurrently from another device
        throw err;
      });
    if (created) {
      this.ctx.events.memberJoined(chatId, caller.identityId);
      await this.ctx.onMemberJoined?.(chatId, caller.identityId).catch((err) => this.ctx.log.warn({ err, chatId }, 'contacts not updated'));
      // A hidden (Bcc) member's join is news only to the owner and themselves: no "joined"
      // message, no update to the room. Reading the email (which opens the chat in Outlook
      // and Thunderbird) must not reveal them.
      const viewers = viewersOf(await this.visibility(chatId), caller.identityId);
      if (viewers === 'everyone') {
        await postSystemMessage(this.ctx, chat, systemLineText({ kind: 'joined', address: entry.address }));
        this.ctx.events.chatUpdated(chatId);
      } else {
        this.ctx.events.chatUpdated(chatId, viewers);
      }
    }
    // Read again: joining may have posted the "joined" line (the chat's last seq moved).
    const me = await requireMember(this.ctx, caller, chatId);
    return { view: await this.viewOf(caller, me), me };
  }

  async view(caller: Caller, chatId: string): Promise<ChatView> {
    return this.viewOf(caller, await requireMember(this.ctx, caller, chatId));
  }

  /**
   * The chat as this member sees it. Raw statements, three at once: members with their names
   * (and the caller's own language, the caller being one of them), the audience, and who is
   * hidden; it runs on every join, so a reconnect storm is one of these per member.
   */
  private async viewOf(caller: Caller, me: MemberWithChat): Promise<ChatView> {
    const chatId = me.chatId;
    const [membersRes, audienceRes, visibility] = await Promise.all([
      this.ctx.pool.query<{
        identity_id: string;
        address: string;
        joined_at: Date;
        last_read_seq: number;
        display_name: string | null;
        identity_language: string | null;
      }>(
        `SELECT m.identity_id, m.address, m.joined_at, m.last_read_seq, i.display_name, i.language AS identity_language
           FROM member m JOIN identity i ON i.id = m.identity_id
          WHERE m.chat_id = $1 ORDER BY m.joined_at`,
        [chatId],
      ),
      this.ctx.pool.query<{ address: string; role: AudienceRole }>(
        'SELECT address, role FROM audience_entry WHERE chat_id = $1 ORDER BY added_at',
        [chatId],
      ),
      this.visibility(chatId),
    ]);
    const members = membersRes.rows.map((m) => ({
      identityId: m.identity_id,
      address: m.address,
      joinedAt: m.joined_at,
      lastReadSeq: m.last_read_seq,
      identity: { displayName: m.display_name, language: m.identity_language },
    }));
    const audience = audienceRes.rows;
    const identity = members.find((m) => m.identityId === caller.identityId)?.identity ?? { language: null };
    const chat = me.chat;
    const isOwner = chat.ownerId === caller.identityId;
    const shown = members.filter((m) => sees(visibility, caller.identityId, m.identityId));
    const joined = new Set(shown.map((m) => m.address));
    const visible: AudienceView[] = audience
      .filter((a) => a.role !== 'BCC' || isOwner || a.address === me.address)
      .map((a) => ({ address: a.address, role: a.role, joined: joined.has(a.address) }));
    const handle = (identityId: string) => this.ctx.handles.of(chatId, identityId);
    const log = this.ctx.logs.of(chat);
    const [lastSeq, unread] = await Promise.all([
      log.lastSeq(chat),
      log.unread(caller.identityId, [{ chatId, lastReadSeq: me.lastReadSeq }]),
    ]);
    return {
      id: chat.id,
      subject: chat.subject,
      source: chat.source,
      retention: chat.retention,
      ownerId: handle(chat.ownerId),
      isOwner,
      emailMessageId: chat.emailMessageId,
      lastSeq,
      lastActivityAt: chat.lastActivityAt.toISOString(),
      createdAt: chat.createdAt.toISOString(),
      endedAt: chat.endedAt?.toISOString() ?? null,
      // A hidden (Bcc) member stays out of the member list; a message they post names them
      // (posting is their choice to speak up).
      members: shown.map((m) => ({
        identityId: handle(m.identityId),
        address: m.address,
        displayName: m.identity.displayName,
        joinedAt: m.joinedAt.toISOString(),
        lastReadSeq: m.lastReadSeq,
      })),
      audience: visible,
      me: {
        identityId: handle(me.identityId),
        address: me.address,
        lastReadSeq: me.lastReadSeq,
        emailNotify: me.emailNotify,
        language: me.language,
        readingLanguage: readingLanguage(me, identity),
      },
      translation: { enabled: this.ctx.translations.enabled },
      unread: unread.get(chatId) ?? 0,
    };
  }

  /** The owner's draft changed recipients: the audience follows (entries added by members stay). */
  async replaceAudience(caller: Caller, chatId: string, audience: Audience): Promise<ChatView> {
    const chat = await requireOwner(this.ctx, caller, chatId);
    const { db } = this.ctx;
    const wanted = audienceEntries(audience);
    const ownerMember = await db.member.findUnique({
      where: { chatId_identityId: { chatId, identityId: chat.ownerId } },
    });
    if (ownerMember && !wanted.has(ownerMember.address)) wanted.set(ownerMember.address, 'FROM');
    const current = await db.audienceEntry.findMany({ where: { chatId } });
    // Someone who blocked the owner is not brought in; one already in (before the block) stays.
    const newcomers = [...wanted.keys()].filter((a) => !current.some((e) => e.address === a));
    for (const a of await this.ctx.addressesBlocking(caller.identityId, newcomers)) wanted.delete(a);
    const dropped = current.filter((e) => e.role !== 'ADDED' && !wanted.has(e.address)).map((e) => e.address);
    // Removing a person removes every address of theirs from this chat, also one they linked
    // and had added (ADDED entries otherwise stay), so the owner's removal sticks.
    const theirs = await db.emailAddress.findMany({
      where: {
        identityId: { not: chat.ownerId },
        identity: { addresses: { some: { address: { in: dropped } } } },
      },
      select: { address: true },
    });
    const alsoTheirs = new Set(theirs.map((a) => a.address));
    const removed = [
      ...new Set([...dropped, ...current.filter((e) => alsoTheirs.has(e.address) && !wanted.has(e.address)).map((e) => e.address)]),
    ];
    const keptAdded = current.filter((e) => e.role === 'ADDED' && !wanted.has(e.address) && !removed.includes(e.address)).length;
    if (wanted.size + keptAdded > this.ctx.limits.maxAudience) {
      throw new AppError('TOO_LARGE', `A chat can have at most ${this.ctx.limits.maxAudience} addresses`);
    }
    // Others hear of the change only when it touches something they can see.
    const before = new Map(current.map((e) => [e.address, e.role]));
    const visibleChange =
      removed.some((a) => before.get(a) !== 'BCC') ||
      [...wanted].some(([a, role]) => before.get(a) !== role && (role !== 'BCC' || before.has(a)));
    const removedMembers = await db.$transaction(async (tx) => {
      await tx.audienceEntry.deleteMany({ where: { chatId, address: { in: removed } } });
      for (const [address, role] of wanted) {
        await tx.audienceEntry.upsert({
          where: { chatId_address: { chatId, address } },
          create: { chatId, address, role, addedById: caller.identityId },
          update: { role },
        });
      }
      const gone = await tx.member.findMany({ where: { chatId, address: { in: removed } } });
      await tx.member.deleteMany({ where: { chatId, address: { in: removed } } });
      return gone;
    });
    for (const m of removedMembers) this.ctx.events.memberRemoved(chatId, m.identityId);
    await announceAudienceRemoved(this.ctx, chatId, removed);
    await announceAudienceAdded(
      this.ctx,
      chatId,
      [...wanted.keys()].filter((a) => !before.has(a)),
    );
    if (visibleChange) this.ctx.events.chatUpdated(chatId);
    else this.ctx.events.chatUpdated(chatId, [chat.ownerId]);
    return this.view(caller, chatId);
  }

  /** Any member may bring another address into the chat. */
  async addToAudience(caller: Caller, chatId: string, rawAddress: string): Promise<ChatView> {
    const me = await requireMember(this.ctx, caller, chatId);
    if (me.chat.endedAt) throw new AppError('CHAT_ENDED', 'This chat has ended');
    const address = normaliseAddress(rawAddress);
    const { db } = this.ctx;
    const exists = await db.audienceEntry.findUnique({ where: { chatId_address: { chatId, address } } });
    // Adding an address the caller cannot see (a Bcc recipient) must answer exactly as adding a
    // new one, or guessing would confirm who is hidden: the entry becomes an ADDED one and its
    // membership, if any, starts over (the next open joins it visibly, "x joined").
    const hiddenFromCaller = exists?.role === 'BCC' && me.chat.ownerId !== caller.identityId && exists.address !== me.address;
    if (!exists || hiddenFromCaller) {
      if ((await this.ctx.addressesBlocking(caller.identityId, [address])).size > 0) {
        throw new AppError('FORBIDDEN', `${address} does not accept chats from you`);
      }
      const count = await db.audienceEntry.count({ where: { chatId } });
      if (count >= this.ctx.limits.maxAudience) {
        throw new AppError('TOO_LARGE', `A chat can have at most ${this.ctx.limits.maxAudience} addresses`);
      }
      const reset = await db.$transaction(async (tx) => {
        await tx.audienceEntry.upsert({
          where: { chatId_address: { chatId, address } },
          create: { chatId, address, role: 'ADDED', addedById: caller.identityId },
          update: { role: 'ADDED', addedById: caller.identityId, addedAt: new Date() },
        });
        const gone = await tx.member.findMany({ where: { chatId, address } });
        await tx.member.deleteMany({ where: { chatId, address } });
        return gone;
      });
      for (const m of reset) this.ctx.events.memberRemoved(chatId, m.identityId);
      // Names no adder: the adder may be hidden, and naming only visible ones would tell.
      await postSystemMessage(this.ctx, me.chat, systemLineText({ kind: 'added', address }));
      this.ctx.events.chatUpdated(chatId);
      await announceAudienceAdded(this.ctx, chatId, [address]);
    }
    return this.view(caller, chatId);
  }

  /** Who may see whom in this chat (the Bcc rule, membership.ts). */
  async visibility(chatId: string): Promise<Visibility> {
    const v = (await loadVisibility(this.ctx.pool, [chatId])).get(chatId);
    if (!v) throw new AppError('NOT_FOUND', 'This chat does not exist (check the link)');
    return v;
  }

  /**
   * A member's display name changed: every chat that shows them refreshes (their hidden
   * chats only for the owner and themselves, like any event about a hidden member).
   */
  async memberRenamed(identityId: string): Promise<void> {
    const { rows } = await this.ctx.pool.query<{ chat_id: string }>('SELECT chat_id FROM member WHERE identity_id = $1', [identityId]);
    if (rows.length === 0) return;
    const visibility = await loadVisibility(
      this.ctx.pool,
      rows.map((r) => r.chat_id),
    );
    for (const [chatId, v] of visibility) {
      const viewers = viewersOf(v, identityId);
      this.ctx.events.chatUpdated(chatId, viewers === 'everyone' ? undefined : viewers);
    }
  }

  /** How views and events name a member of this chat. */
  memberHandle(chatId: string, identityId: string): string {
    return this.ctx.handles.of(chatId, identityId);
  }

  /** The owner ends the chat: no more messages; a log that does not last (ephemeral) forgets them. */
  async end(caller: Caller, chatId: string): Promise<ChatView> {
    const chat = await requireOwner(this.ctx, caller, chatId);
    if (!chat.endedAt) {
      const ended = await this.ctx.db.chat.update({ where: { id: chatId }, data: { endedAt: new Date() } });
      await this.ctx.logs.of(chat).ended(chatId);
      await postSystemMessage(this.ctx, ended, systemLineText({ kind: 'ended' }));
      this.ctx.events.chatEnded(chatId);
    }
    return this.view(caller, chatId);
  }

  async updateMySettings(caller: Caller, chatId: string, settings: { emailNotify?: boolean; language?: string | null }): Promise<ChatView> {
    await requireMember(this.ctx, caller, chatId);
    await this.ctx.db.member.update({
      where: { chatId_identityId: { chatId, identityId: caller.identityId } },
      data: settings,
    });
    return this.view(caller, chatId);
  }
}
