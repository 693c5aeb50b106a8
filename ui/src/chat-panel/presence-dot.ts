/** A person's presence as a coloured dot with a spoken label (the colour alone says nothing to a screen reader). */
import type { PresenceView } from '../../../protocol/index.ts';
import { el, timeLabel } from '../dom.ts';

const WORDS: Record<PresenceView['state'], string> = {
  available: 'Available',
  away: 'Away',
  dnd: 'Do not disturb',
  offline: 'Offline',
};

export function presenceLabel(p: PresenceView): string {
  const seen = p.lastSeenAt && p.state !== 'available' ? `, last seen ${timeLabel(p.lastSeenAt).full}` : '';
  return `${WORDS[p.state]}${seen}`;
}

export function presenceDot(p: PresenceView): HTMLSpanElement {
  const label = presenceLabel(p);
  return el('span', {
    class: `ic-presence ic-presence-${p.state}`,
    role: 'img',
    'aria-label': label,
    title: label,
    'data-presence': p.state,
  });
}
