/**
 * The sidebar's list logic, free of DOM: newest first, filtered by unread/mine and by a search
 * over subject, last message and members. The row's preview line is the shared messagePreview.
 */
import type { ChatSummary } from '../../../protocol/index.ts';
import { personName } from '../../../mail-client/preview.ts';
import { t } from '../../../ui/src/i18n/index.ts';

export type ChatFilter = 'all' | 'unread' | 'mine' | 'active';

export function newestFirst(chats: ChatSummary[]): ChatSummary[] {
  return [...chats].sort((a, b) => Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt));
}

export function matches(chat: ChatSummary, filter: ChatFilter, query: string): boolean {
  if (filter === 'unread' && chat.unread <= 0) return false;
  if (filter === 'mine' && !chat.isOwner) return false;
  if (filter === 'active' && chat.endedAt) return false;
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const names = chat.people.flatMap((p) => (p.displayName ? [p.displayName] : []));
  const haystack = [chat.subject, chat.lastMessage?.body ?? '', chat.lastMessage?.authorAddress ?? '', ...chat.memberAddresses, ...names]
    .join('\n')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function visibleChats(chats: ChatSummary[], filter: ChatFilter, query: string): ChatSummary[] {
  return newestFirst(chats).filter((c) => matches(c, filter, query));
}

export function membersLine(chat: ChatSummary, me: string | null): string {
  const others = chat.memberAddresses.filter((a) => a !== me).map((a) => personName(chat, a));
  if (!others.length) return t('sidebar.onlyYou');
  const shown = others.slice(0, 3).join(', ');
  return others.length > 3 ? t('sidebar.withMore', { people: shown, more: others.length - 3 }) : t('sidebar.with', { people: shown });
}
