/**
 * "Who is in this chat": the audience, marking who has joined, with a presence dot for the
 * members who let me see theirs and "reads by email only" for those of them who never connected
 * a client. Collapsible to save room in a pane.
 */
import type { ChatView, PresenceView } from '../../../protocol/index.ts';
import { clear, el } from '../dom.ts';
import { say, tx } from '../i18n/index.ts';
import { presenceDot } from './presence-dot.ts';

export interface MembersView {
  root: HTMLDetailsElement;
  update(chat: ChatView): void;
  /** Presence by member handle; null: not shown to me (any more). */
  setPresence(memberId: string, presence: PresenceView | null): void;
  /** Replaces all presence at once (after loading it). */
  resetPresence(byMember: Map<string, PresenceView>): void;
  /** Member handles of those who never connected a client (from the chat's capabilities). */
  setEmailOnly(memberIds: Set<string>): void;
}

export function createMembersView(): MembersView {
  const summary = el('summary', tx('members.people'));
  const list = el('ul', { class: 'ic-members-list' });
  const root = el('details', { class: 'ic-members' }, summary, list);
  let chat: ChatView | null = null;
  let presence = new Map<string, PresenceView>();
  let emailOnly = new Set<string>();

  function render(): void {
    if (!chat) return;
    const c = chat;
    const joined = c.audience.filter((a) => a.joined).length;
    say(summary, 'members.summary', { joined, total: c.audience.length });
    clear(list);
    for (const a of c.audience) {
      const me = a.address === c.me.address;
      const member = c.members.find((m) => m.address === a.address);
      const p = member ? presence.get(member.identityId) : undefined;
      const name = member?.displayName ?? a.address;
      list.appendChild(
        el(
          'li',
          { class: a.joined ? 'ic-joined' : 'ic-invited' },
          p ? presenceDot(p) : null,
          // A joined member's own display name where set, the address on hover.
          el('span', { class: 'ic-address', ...(me ? tx('members.you', { address: name }) : { text: name }), title: a.address }),
          ' ',
          el('span', {
            class: 'ic-member-state',
            ...(a.joined
              ? member && emailOnly.has(member.identityId)
                ? tx('members.emailOnly')
                : tx('members.joined')
              : tx('members.invited')),
          }),
        ),
      );
    }
  }

  return {
    root,
    update(next) {
      chat = next;
      render();
    },
    setPresence(memberId, p) {
      if (p) presence.set(memberId, p);
      else presence.delete(memberId);
      render();
    },
    resetPresence(byMember) {
      presence = byMember;
      render();
    },
    setEmailOnly(memberIds) {
      emailOnly = memberIds;
      render();
    },
  };
}
