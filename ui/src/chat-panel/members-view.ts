/** "Who is in this chat": the audience, marking who has joined. Collapsible to save room in a pane. */
import type { ChatView } from '../../../protocol/index.ts';
import { clear, el } from '../dom.ts';

export function createMembersView(): { root: HTMLDetailsElement; update(chat: ChatView): void } {
  const summary = el('summary', { text: 'People' });
  const list = el('ul', { class: 'ic-members-list' });
  const root = el('details', { class: 'ic-members' }, summary, list);
  return {
    root,
    update(chat) {
      const joined = chat.audience.filter((a) => a.joined).length;
      summary.textContent = `People (${joined} joined of ${chat.audience.length})`;
      clear(list);
      for (const a of chat.audience) {
        const me = a.address === chat.me.address;
        // A joined member's own display name where set, the address on hover.
        const name = chat.members.find((m) => m.address === a.address)?.displayName ?? a.address;
        list.appendChild(
          el(
            'li',
            { class: a.joined ? 'ic-joined' : 'ic-invited' },
            el('span', { class: 'ic-address', text: me ? `${name} (you)` : name, title: a.address }),
            ' ',
            el('span', { class: 'ic-member-state', text: a.joined ? 'joined' : 'invited' }),
          ),
        );
      }
    },
  };
}
