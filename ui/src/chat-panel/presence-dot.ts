/** A person's presence as a coloured dot with a spoken label (the colour alone says nothing to a screen reader). */
import type { PresenceView } from '../../../protocol/index.ts';
import { el } from '../dom.ts';
import { t, tx, type MessageKey } from '../i18n/index.ts';

const WORDS: Record<PresenceView['state'], MessageKey> = {
  available: 'presence.available',
  away: 'presence.away',
  dnd: 'presence.dnd',
  offline: 'presence.offline',
};

export function presenceLabel(p: PresenceView): string {
  if (!p.lastSeenAt || p.state === 'available') return t(WORDS[p.state]);
  return t('presence.lastSeen', { state: t(WORDS[p.state]), when: Date.parse(p.lastSeenAt) });
}

export function presenceDot(p: PresenceView): HTMLSpanElement {
  const label: MessageKey | [MessageKey, Record<string, string | number>] =
    !p.lastSeenAt || p.state === 'available'
      ? WORDS[p.state]
      : ['presence.lastSeen', { state: t(WORDS[p.state]), when: Date.parse(p.lastSeenAt) }];
  return el('span', {
    class: `ic-presence ic-presence-${p.state}`,
    role: 'img',
    ...tx({ 'aria-label': label, title: label }),
    'data-presence': p.state,
  });
}
