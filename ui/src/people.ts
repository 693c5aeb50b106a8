/** How chat lists name a person: their display name where they set one, else the address. */
import type { ChatSummary } from '../../protocol/index.ts';

export function nameIn(chat: ChatSummary, address: string | null): string {
  return chat.people.find((p) => p.address === address)?.displayName ?? address ?? '';
}
