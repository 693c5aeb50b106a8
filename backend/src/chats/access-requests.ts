import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { emailWordsFor } from '../identity/language.ts';
import type { Caller } from '../identity/sessions.ts';
import { accessDecisionMail, accessRequestMail } from '../mail/templates.ts';
import type { AccessDecision, AccessRequestView } from '../../../protocol/index.ts';
import type { ChatContext } from './context.ts';
import { checkScope, loadChat, requireOwner } from './membership.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';

type Row = {
  id: string;
  chatId: string;
  address: string;
  note: string;
  status: 'PENDING' | 'APPROVED' | 'DECLINED';
  createdAt: Date;
  decidedAt: Date | null;
};

const view = (r: Row): AccessRequestView => ({
  id: r.id,
  chatId: r.chatId,
  address: r.address,
  note: r.note,
  status: r.status,
  createdAt: r.createdAt.toISOString(),
  decidedAt: r.decidedAt?.toISOString() ?? null,
});

/**
 * Someone outside the audience (a forwarded email) asks the owner to be let in.
 * Mail to the owner and requester is best effort: the request itself is already stored.
 */
export class AccessRequests {
  constructor(private readonly ctx: ChatContext) {}

  async request(caller: Caller, chatId: string, note: string): Promise<AccessRequestView> {
    checkScope(caller, chatId);
    const { db } = this.ctx;
    const chat = await loadChat(this.ctx, chatId);
    if (chat.endedAt) throw new AppError('CHAT_ENDED', 'This chat has ended');
    const inAudience = await db.audienceEntry.findFirst({ where: { chatId, address: { in: caller.addresses } } });
    if (inAudience) throw new AppError('CONFLICT', 'You are already in this chat; open it instead');
    const address = caller.addresses[0]!;
    const existing = await db.accessRequest.findUnique({ where: { chatId_address: { chatId, address } } });
    if (existing?.status === 'PENDING') return view(existing);
    const row = await db.accessRequest.upsert({
      where: { chatId_address: { chatId, address } },
      create: { id: randomUUID(), chatId, address, identityId: caller.identityId, note },
      update: { status: 'PENDING', note, decidedAt: null, identityId: caller.identityId, createdAt: new Date() },
    });
    const result = view(row);
    this.ctx.events.accessRequested(chat.ownerId, result);
    const owner = await db.member.findUnique({
      where: { chatId_identityId: { chatId, identityId: chat.ownerId } },
    });
    if (owner) {
      const facts = { subject: chat.subject, requester: address, note, link: chatUrl(this.ctx.publicUrl(), chatId) };
      // In the owner's language, not the requester's.
      emailWordsFor(this.ctx.pool, { identityId: chat.ownerId, chatId })
        .then((words) => this.ctx.mailer.send({ to: owner.address, ...accessRequestMail(words, facts) }))
        .catch((err: unknown) => this.ctx.log.warn({ err }, 'access request mail failed'));
    }
    return result;
  }

  /** The caller's own request for this chat, so a waiting page can show its state. */
  async mine(caller: Caller, chatId: string): Promise<AccessRequestView | null> {
    checkScope(caller, chatId);
    const row = await this.ctx.db.accessRequest.findFirst({ where: { chatId, address: { in: caller.addresses } } });
    return row ? view(row) : null;
  }

  async pending(caller: Caller, chatId: string): Promise<AccessRequestView[]> {
    await requireOwner(this.ctx, caller, chatId);
    const rows = await this.ctx.db.accessRequest.findMany({ where: { chatId, status: 'PENDING' }, orderBy: { createdAt: 'asc' } });
    return rows.map(view);
  }

  async decide(caller: Caller, chatId: string, requestId: string, decision: AccessDecision): Promise<AccessRequestView> {
    const chat = await requireOwner(this.ctx, caller, chatId);
    const { db } = this.ctx;
    const req = await db.accessRequest.findFirst({ where: { id: requestId, chatId } });
    if (!req) throw new AppError('NOT_FOUND', 'access request not found');
    if (req.status !== 'PENDING') return view(req);
    const approved = decision === 'APPROVE';
    const row = await db.$transaction(async (tx) => {
      if (approved) {
        await tx.audienceEntry.upsert({
          where: { chatId_address: { chatId, address: req.address } },
          create: { chatId, address: req.address, role: 'ADDED', addedById: caller.identityId },
          update: {},
        });
      }
      return tx.accessRequest.update({
        where: { id: requestId },
        data: { status: approved ? 'APPROVED' : 'DECLINED', decidedAt: new Date() },
      });
    });
    const result = view(row);
    this.ctx.events.accessDecided(req.identityId, result);
    if (approved) this.ctx.events.chatUpdated(chatId);
    const facts = { subject: chat.subject, approved, link: chatUrl(this.ctx.publicUrl(), chatId) };
    emailWordsFor(this.ctx.pool, { identityId: req.identityId, address: req.address })
      .then((words) => this.ctx.mailer.send({ to: req.address, ...accessDecisionMail(words, facts) }))
      .catch((err: unknown) => this.ctx.log.warn({ err }, 'access decision mail failed'));
    return result;
  }
}
