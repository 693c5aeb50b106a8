import { AppError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';
import type { ChatContext } from './context.ts';

/** A one-chat session (invitation link) may not reach any other chat. */
export function checkScope(caller: Caller, chatId: string): void {
  if (caller.chatScope && caller.chatScope !== chatId) {
    throw new AppError('FORBIDDEN', 'This sign-in only opens one chat; sign in with a code to see others');
  }
}

export async function loadChat(ctx: ChatContext, chatId: string) {
  const chat = await ctx.db.chat.findUnique({ where: { id: chatId } });
  if (!chat) throw new AppError('NOT_FOUND', 'This chat does not exist (check the link)');
  return chat;
}

/** The caller's member row, or FORBIDDEN/NOT_IN_AUDIENCE/NOT_FOUND. Checked on every read and write. */
export async function requireMember(ctx: ChatContext, caller: Caller, chatId: string) {
  checkScope(caller, chatId);
  const member = await ctx.db.member.findUnique({
    where: { chatId_identityId: { chatId, identityId: caller.identityId } },
    include: { chat: true },
  });
  if (member) return member;
  await loadChat(ctx, chatId);
  throw new AppError('NOT_IN_AUDIENCE', 'You are not a member of this chat', { canRequestAccess: true });
}

export async function requireOwner(ctx: ChatContext, caller: Caller, chatId: string) {
  checkScope(caller, chatId);
  const chat = await loadChat(ctx, chatId);
  if (chat.ownerId !== caller.identityId) throw new AppError('FORBIDDEN', 'Only the chat owner can do this');
  return chat;
}
